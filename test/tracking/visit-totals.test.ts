import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createSilentLogger } from '../../src/logging.js';
import { parseTenantHost } from '../../src/tenancy/tenant-host.js';
import type { Tenant } from '../../src/tenancy/tenant.js';
import { DeviceDetection } from '../../src/tracking/device-detection.js';
import { TrackingParams } from '../../src/tracking/tracking-params.js';
import { TrackingPipeline } from '../../src/tracking/tracking-pipeline.js';
import type { DatabaseAdapter } from '../../src/db/database-config.js';
import { deleteAllTenants } from '../support/console-runner.js';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';

/** The request time of every hit. The hit times come from `cdt` and are 11 to 14 hours earlier. */
const NOW = new Date('2026-05-01T23:00:00Z');
/** The time of the first hit of each test, in seconds since the epoch. */
const START_SECONDS = Date.parse('2026-05-01T10:00:00Z') / 1000;

/** A tenant with its own pipeline, whose writer commits `hitsPerBatch` hits at a time. */
interface Fixture {
  root: TestRoot;
  tenant: Tenant;
  token: string;
  pipeline: TrackingPipeline;
}

async function createFixture(hitsPerBatch: number, adapter: DatabaseAdapter = 'sqlite'): Promise<Fixture> {
  const root = createTestRoot();
  const created = await createTestTenant(root, { adapter, siteUrl: 'https://example.org' });
  const tenant = root.registry.resolve(parseTenantHost(created.host))!;
  const pipeline = new TrackingPipeline(createSilentLogger(), new DeviceDetection(), { sqliteWriteThread: false, writeBatchMaxHits: hitsPerBatch });
  return { root, tenant, token: created.tokenAuth, pipeline };
}

async function closeFixture(fixture: Fixture | undefined): Promise<void> {
  await fixture?.pipeline.close();
  if (fixture === undefined) return;
  // Deleting the tenants drops their MariaDB or PostgreSQL database and user.
  await deleteAllTenants(fixture.root);
  await fixture.root.cleanup();
}

/** Tracks lists of hits in concurrent calls, all from one IP address, with the superuser's token so that old `cdt` values are accepted. */
async function trackConcurrently(fixture: Fixture, lists: readonly (readonly string[])[]): Promise<void> {
  const context = { ip: '192.0.2.1', userAgent: 'Mozilla/5.0', acceptLanguage: '', now: NOW, doNotTrack: false, bulkToken: fixture.token };
  const outcomes = await Promise.all(lists.map((list) =>
    fixture.pipeline.trackAll(fixture.tenant, list.map((query) => TrackingParams.fromQueryString(query)), context)));
  assert.deepEqual(outcomes.flat().filter((outcome) => outcome instanceof Error), []);
}

/**
 * Returns the visits whose `visit_total_actions` differs from the number of their counted
 * action rows, which are all rows except content impressions without an interaction.
 */
async function visitsWithWrongTotals(tenant: Tenant): Promise<{ idvisit: number; total: number; rows: number }[]> {
  // ROWS is a reserved word in MariaDB, so the count has another alias.
  const result = await sql<{ idvisit: number; total: number; action_rows: number }>`
    select visit.idvisit, visit.visit_total_actions as total,
      (select count(*) from ${sql.table('log_link_visit_action')} as link where link.idvisit = visit.idvisit
        and not (link.idaction_content_name is not null and link.idaction_content_interaction is null)) as action_rows
    from ${sql.table('log_visit')} as visit`.execute(tenant.db());
  return result.rows
    .map((row) => ({ idvisit: Number(row.idvisit), total: Number(row.total), rows: Number(row.action_rows) }))
    .filter((row) => row.total !== row.rows);
}

function hitQuery(visitor: number, seconds: number, extra: string): string {
  const visitorId = visitor.toString(16).padStart(16, '0');
  return `idsite=1&rec=1&cid=${visitorId}&cdt=${seconds}&${extra}`;
}

/** A small linear congruential generator, so that a seed always builds the same hits. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Action parameters of the kinds a hit may have, pageviews weighted up. */
const ACTION_PARAMS = [
  '', '', '', 'e_c=cat&e_a=act', 'c_n=banner', 'c_n=banner&c_i=click', 'ping=1',
  `download=${encodeURIComponent('https://example.org/file.zip')}`, 'search=word',
];

/**
 * Builds `count` hits of `visitors` visitors, 20 seconds apart: a fifth with a `cdt` up to
 * an hour earlier, a quarter with one of six user ids, and one in twelve with `new_visit=1`.
 * The user agents of the visitors are unknown to device detection, so all hits share one
 * fingerprint and a hit with a user id may continue another visitor's visit.
 */
function buildRandomHits(seed: number, count: number, visitors: number): string[] {
  const random = createRandom(seed);
  const hits: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const visitor = Math.floor(random() * visitors) + 1;
    let seconds = START_SECONDS + index * 20;
    if (random() < 0.2) seconds -= Math.floor(random() * 3600);
    const params = [`ua=Agent${visitor % 7}`, `url=${encodeURIComponent(`https://example.org/page-${index}`)}`];
    if (random() < 0.25) params.push(`uid=user${visitor % 6}`);
    if (random() < 0.08) params.push('new_visit=1');
    const action = ACTION_PARAMS[Math.floor(random() * ACTION_PARAMS.length)]!;
    if (action !== '') params.push(action);
    hits.push(hitQuery(visitor, seconds, params.join('&')));
  }
  return hits;
}

/** Why each engine's tests are skipped, or false when its server is reachable. */
const ENGINE_SKIPS = new Map(await Promise.all(ALL_ENGINES.map(async (adapter) => [adapter, await engineSkip(adapter)] as const)));

describe('visit totals', () => {
  for (const adapter of ALL_ENGINES) {
    describe(`with one hit per batch on ${adapter}`, { skip: ENGINE_SKIPS.get(adapter) }, () => {
      let fixture: Fixture | undefined;

      before(async () => {
        fixture = await createFixture(1, adapter);
      });

      after(async () => {
        await closeFixture(fixture);
      });

      test('user id takeover keeps totals', async () => {
        const page = (path: string) => `url=${encodeURIComponent(`https://example.org/${path}`)}`;
        // All five hits share one fingerprint. Alice's hit takes visitor 1's visit over. Bob's
        // later hit starts the fingerprint's latest visit. Visitor 4's earlier hit, found by
        // fingerprint because `_id` is not trusted, falls outside Bob's visit, so the query by
        // fingerprint loads Alice's visit again. Visitor 1 then returns with its old visitor id.
        await trackConcurrently(fixture!, [[
          hitQuery(1, START_SECONDS, page('first')),
          hitQuery(2, START_SECONDS + 60, `uid=alice&${page('alice')}`),
          hitQuery(3, START_SECONDS + 3000, `uid=bob&${page('bob')}`),
          `idsite=1&rec=1&_id=${(4).toString(16).padStart(16, '0')}&cdt=${START_SECONDS + 120}&${page('cookie')}`,
          hitQuery(1, START_SECONDS + 180, page('again')),
        ]]);

        assert.deepEqual(await visitsWithWrongTotals(fixture!.tenant), []);
      });
    });
  }

  for (const { seed, hitsPerBatch } of [{ seed: 3, hitsPerBatch: 8 }, { seed: 1, hitsPerBatch: 1 }]) {
    describe(`with seed ${seed} and ${hitsPerBatch} hits per batch`, () => {
      let fixture: Fixture | undefined;

      before(async () => {
        fixture = await createFixture(hitsPerBatch);
      });

      after(async () => {
        await closeFixture(fixture);
      });

      test('concurrent mixed hits keep totals', async () => {
        const hits = buildRandomHits(seed, 300, 20);
        const lists: string[][] = [[], [], [], []];
        hits.forEach((hit, index) => lists[index % lists.length]!.push(hit));
        await trackConcurrently(fixture!, lists);

        assert.deepEqual(await visitsWithWrongTotals(fixture!.tenant), []);
      });
    });
  }
});
