/**
 * The server of dashboard tests: the real Reporting API over log rows that the tests insert
 * with the log factories, archived on demand when the dashboard asks.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { createAction, createVisit } from './log-factories.js';
import { buildTestServer, type TestRoot } from './test-root.js';

/** Browser codes the seeded visits take in turn, so a `browserCode` segment keeps a known share. */
export const SEEDED_BROWSERS = ['FF', 'CH', 'FF'] as const;

function formatSqlTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Inserts `count` visits of a UTC site on the UTC day of `day`, one minute apart from 00:01,
 * each with two pageviews. Visit i has the browser `SEEDED_BROWSERS[i % 3]`, and every fourth
 * visit is a bounce with one pageview.
 */
export async function seedVisits(db: Kysely<Database>, siteId: number, day: Date, count: number): Promise<void> {
  const midnight = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate());
  for (let index = 0; index < count; index += 1) {
    const first = new Date(midnight + (index + 1) * 60_000);
    const bounce = index % 4 === 3;
    const last = new Date(first.getTime() + (bounce ? 0 : 30_000));
    const idvisitor = (index + 1).toString(16).padStart(16, '0');
    const idvisit = await createVisit(db, {
      idsite: siteId, idvisitor, visit_first_action_time: formatSqlTime(first), visit_last_action_time: formatSqlTime(last),
      visit_total_actions: bounce ? 1 : 2, visit_total_interactions: bounce ? 1 : 2, visit_total_time: bounce ? 0 : 30,
      config_browser_name: SEEDED_BROWSERS[index % SEEDED_BROWSERS.length],
    });
    await createAction(db, { idsite: siteId, idvisit, idvisitor, server_time: formatSqlTime(first), url: 'https://example.org/', title: 'Home', time_spent: bounce ? 0 : 30 });
    if (!bounce) await createAction(db, { idsite: siteId, idvisit, idvisitor, server_time: formatSqlTime(last), url: 'https://example.org/docs/start', title: 'Docs / Start' });
  }
}

/** Builds the server of dashboard tests, with every API method Footfall serves and the system clock. */
export async function buildDashboardServer(root: TestRoot): Promise<FastifyInstance> {
  return buildTestServer(root);
}
