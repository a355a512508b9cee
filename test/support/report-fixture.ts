/** A small fixture of four visits on 2024-05-01 (UTC site) and the server to query their reports. */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import type { DatabaseAdapter } from '../../src/db/database-config.js';
import type { Clock } from '../../src/time.js';
import { deleteAllTenants } from './console-runner.js';
import { createAction, createVisit, ensureLogAction } from './log-factories.js';
import { buildTestServer, createTestRoot, createTestTenant, type TestRoot } from './test-root.js';

/** The fixed time of every report test: after the fixture's day, so its archives are final. */
export const FIXTURE_CLOCK: Clock = () => new Date('2024-05-20T12:00:00Z');

/** A running fixture. */
export interface ReportFixture {
  root: TestRoot;
  app: FastifyInstance;
  host: string;
  token: string;
  siteId: number;
  db: Kysely<Database>;
  /** Sends a GET API request as the superuser and returns the parsed JSON. Throws on a status other than 200. */
  getJson(query: string): Promise<any>;
  close(): Promise<void>;
}

/**
 * Creates the fixture of four visits on 2024-05-01.
 * - V1: direct entry, Firefox on Windows, France, 3 pageviews.
 * - V2: from Google with the keyword "analytics", Chrome on an Android smartphone, Germany, a bounce.
 * - V3: from the website news.example.com, Firefox, France, a pageview and a download, converted.
 * - V4: from the campaign "spring", no browser or country, a bounce.
 */
export async function createReportFixture(options: { timezone?: string; adapter?: DatabaseAdapter } = {}): Promise<ReportFixture> {
  const root = createTestRoot();
  const tenant = await createTestTenant(root, { clock: FIXTURE_CLOCK, timezone: options.timezone ?? 'UTC', adapter: options.adapter ?? 'sqlite' });
  const db = root.registry.require(tenant.host).db();
  const siteId = tenant.idSite;
  const home = await ensureLogAction(db, 'http://example.org/', 1);
  const post1 = await ensureLogAction(db, 'http://example.org/blog/post1', 1);
  const post2 = await ensureLogAction(db, 'http://example.org/blog/post2', 1);
  const securePost1 = await ensureLogAction(db, 'https://www.example.org/blog/post1', 1);

  const v1 = await createVisit(db, { idsite: siteId, idvisitor: 'aaaaaaaaaaaaaaaa', visit_last_action_time: '2024-05-01 10:05:00', visit_total_actions: 3, visit_total_time: 300, visit_entry_idaction_url: home, visit_exit_idaction_url: post2 });
  await createAction(db, { idsite: siteId, idvisit: v1, server_time: '2024-05-01 10:00:00', url: 'http://example.org/', title: 'Home', time_spent: 60 });
  await createAction(db, { idsite: siteId, idvisit: v1, server_time: '2024-05-01 10:01:00', url: 'http://example.org/blog/post1', title: 'Blog / Post 1', time_spent: 240 });
  await createAction(db, { idsite: siteId, idvisit: v1, server_time: '2024-05-01 10:05:00', url: 'http://example.org/blog/post2', title: 'Blog / Post 2', time_spent: 0 });

  const v2 = await createVisit(db, {
    idsite: siteId, idvisitor: 'bbbbbbbbbbbbbbbb', visit_last_action_time: '2024-05-01 11:00:00', referer_type: 2, referer_name: 'Google', referer_keyword: 'analytics',
    config_browser_name: 'CH', config_os: 'AND', config_device_type: 1, location_country: 'de', visit_entry_idaction_url: securePost1, visit_exit_idaction_url: securePost1,
  });
  await createAction(db, { idsite: siteId, idvisit: v2, idvisitor: 'bbbbbbbbbbbbbbbb', server_time: '2024-05-01 11:00:00', url: 'https://www.example.org/blog/post1', title: 'Blog / Post 1' });

  const v3 = await createVisit(db, {
    idsite: siteId, idvisitor: 'cccccccccccccccc', visit_last_action_time: '2024-05-01 12:00:30', visit_total_actions: 2, visit_total_time: 30, visit_goal_converted: 1,
    referer_type: 3, referer_name: 'news.example.com', referer_url: 'https://news.example.com/article', visit_entry_idaction_url: home, visit_exit_idaction_url: home,
  });
  await createAction(db, { idsite: siteId, idvisit: v3, idvisitor: 'cccccccccccccccc', server_time: '2024-05-01 12:00:00', url: 'http://example.org/', title: 'Home', time_spent: 30 });
  await createAction(db, { idsite: siteId, idvisit: v3, idvisitor: 'cccccccccccccccc', server_time: '2024-05-01 12:00:30', url: 'http://example.org/file.pdf', urlType: 3 });

  const v4 = await createVisit(db, {
    idsite: siteId, idvisitor: 'dddddddddddddddd', visit_last_action_time: '2024-05-01 13:00:00', referer_type: 6, referer_name: 'spring', referer_keyword: 'email',
    config_browser_name: null, config_os: null, config_device_type: null, location_country: null, visit_entry_idaction_url: home, visit_exit_idaction_url: home,
  });
  await createAction(db, { idsite: siteId, idvisit: v4, idvisitor: 'dddddddddddddddd', server_time: '2024-05-01 13:00:00', url: 'http://example.org/', title: 'Home' });

  const app = await buildTestServer(root, FIXTURE_CLOCK);
  return {
    root, app, host: tenant.host, token: tenant.tokenAuth, siteId, db,
    async getJson(query) {
      const response = await app.inject({ method: 'GET', url: `/index.php?module=API&format=json&token_auth=${tenant.tokenAuth}&${query}`, headers: { host: tenant.host } });
      if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}: ${response.body}`);
      return response.json();
    },
    async close() {
      await app.close();
      // MariaDB and PostgreSQL tenants have a database of their own on the server, which deleting the tenant drops.
      if ((options.adapter ?? 'sqlite') === 'sqlite') await root.cleanup();
      else await deleteAllTenants(root);
    },
  };
}

const ROW_METADATA = new Set(['segment', 'logo', 'logoHeight', 'url', 'code']);

/**
 * Returns report rows (or rows keyed by site or period) without Matomo's row metadata
 * (`segment`, `logo`, `url`...), which `showColumns` keeps, for tests about metrics.
 */
export function withoutRowMetadata(value: any): any {
  if (Array.isArray(value)) return value.map(withoutRowMetadata);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !ROW_METADATA.has(key)).map(([key, item]) => [key, withoutRowMetadata(item)]));
}
