import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import type { DatabaseAdapter } from '../../src/db/database-config.js';
import { parseTenantHost } from '../../src/tenancy/tenant-host.js';
import type { Tenant } from '../../src/tenancy/tenant.js';
import { DeviceDetection } from '../../src/tracking/device-detection.js';
import { TrackingParams } from '../../src/tracking/tracking-params.js';
import { TrackingPipeline } from '../../src/tracking/tracking-pipeline.js';
import { parseUtcDateTime } from '../../src/time.js';
import { deleteAllTenants } from '../support/console-runner.js';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';

/** The request time of every hit. The hit times come from `cdt` and are about 13 hours earlier. */
const NOW = new Date('2026-05-01T23:00:00Z');
/** The time of the first hit of each case, in seconds since the epoch. */
const START_SECONDS = Date.parse('2026-05-01T10:00:00Z') / 1000;

/**
 * How the hits of a case reach the writer: all in one batch, one batch per hit with the visit
 * cache kept between them, or one batch per hit on a new pipeline, whose cache is empty. Only
 * some cases also run with two hits per batch and the cache kept between batches.
 */
type BatchMode = 'one batch' | 'one batch per hit' | 'new pipeline per hit' | 'two hits per batch';
const BATCH_MODES: readonly BatchMode[] = ['one batch', 'one batch per hit', 'new pipeline per hit'];

/** Returns the hits per batch of a mode that tracks `hitCount` hits. */
function hitsPerBatchOf(mode: BatchMode, hitCount: number): number {
  if (mode === 'one batch') return hitCount;
  return mode === 'two hits per batch' ? 2 : 1;
}

/** A tenant with `write_batch_ms = 1000`, so that the hits of one call fill their batch before its timer fires. */
interface Fixture {
  root: TestRoot;
  tenant: Tenant;
  token: string;
}

/** Creates a fixture in `root`, with the `[Tracker]` settings of `trackerSettings` added to its tenant's config. */
async function createFixture(root: TestRoot, adapter: DatabaseAdapter, trackerSettings = ''): Promise<Fixture> {
  const created = await createTestTenant(root, { adapter, siteUrl: 'https://example.org' });
  appendFileSync(root.registry.resolve(parseTenantHost(created.host))!.configFile, `\n[Tracker]\nwrite_batch_ms = 1000\n${trackerSettings}`);
  const tenant = root.registry.resolve(parseTenantHost(created.host))!;
  return { root, tenant, token: created.tokenAuth };
}

/** Builds a pipeline that writes `hitsPerBatch` hits at a time and adds the size of each committed batch to `batchSizes`. */
function createPipeline(hitsPerBatch: number, batchSizes: number[]): TrackingPipeline {
  const logger = pino({ level: 'debug' }, {
    write: (line: string) => {
      const entry = JSON.parse(line) as { msg: string; hits?: number };
      if (entry.msg === 'tracking batch committed') batchSizes.push(entry.hits ?? -1);
    },
  });
  return new TrackingPipeline(logger, new DeviceDetection(), { sqliteWriteThread: false, writeBatchMaxHits: hitsPerBatch });
}

/**
 * Tracks the hits in order from one IP address, which gives them one fingerprint, and
 * returns the sizes of the committed batches. The superuser's token lets old `cdt` values through.
 */
async function trackInMode(fixture: Fixture, mode: BatchMode, ip: string, queries: readonly string[]): Promise<number[]> {
  const context = { ip, userAgent: 'Mozilla/5.0', acceptLanguage: '', now: NOW, doNotTrack: false, bulkToken: fixture.token };
  const batchSizes: number[] = [];
  const lists = mode === 'new pipeline per hit' ? queries.map((query) => [query]) : [queries];
  for (const list of lists) {
    const pipeline = createPipeline(hitsPerBatchOf(mode, list.length), batchSizes);
    try {
      const outcomes = await pipeline.trackAll(fixture.tenant, list.map((query) => TrackingParams.fromQueryString(query)), context);
      assert.deepEqual(outcomes, list.map(() => ({ status: 'recorded' })));
    } finally {
      await pipeline.close();
    }
  }
  return batchSizes;
}

/** Returns the user id and `visit_total_actions` of each visit after `idvisit`, in id order. */
async function visitsAfter(tenant: Tenant, idvisit: number): Promise<[string | null, number][]> {
  const rows = await tenant.db().selectFrom('log_visit').select(['user_id', 'visit_total_actions'])
    .where('idvisit', '>', idvisit).orderBy('idvisit').execute();
  return rows.map((row) => [row.user_id, Number(row.visit_total_actions)]);
}

/** Returns the visitor id and `visit_total_actions` of each visit after `idvisit`, in id order. */
async function visitorsAfter(tenant: Tenant, idvisit: number): Promise<[string, number][]> {
  const rows = await tenant.db().selectFrom('log_visit').select(['idvisitor', 'visit_total_actions'])
    .where('idvisit', '>', idvisit).orderBy('idvisit').execute();
  return rows.map((row) => [row.idvisitor, Number(row.visit_total_actions)]);
}

/** A stored visit: its visitor id, first and last action times, and the time of each action row, in minutes after START_SECONDS. */
interface VisitTimes {
  idvisitor: string;
  first: number;
  last: number;
  actions: number[];
}

function minutesAfterStart(stored: string): number {
  return (parseUtcDateTime(stored) / 1000 - START_SECONDS) / 60;
}

/** Returns the times of each visit after `idvisit`, in id order, with its action rows in time order. */
async function visitTimesAfter(tenant: Tenant, idvisit: number): Promise<VisitTimes[]> {
  const db = tenant.db();
  const visits = await db.selectFrom('log_visit').select(['idvisit', 'idvisitor', 'visit_first_action_time', 'visit_last_action_time'])
    .where('idvisit', '>', idvisit).orderBy('idvisit').execute();
  const result: VisitTimes[] = [];
  for (const visit of visits) {
    const actions = await db.selectFrom('log_link_visit_action').select('server_time').where('idvisit', '=', visit.idvisit)
      .orderBy('server_time').orderBy('idlink_va').execute();
    result.push({
      idvisitor: visit.idvisitor, first: minutesAfterStart(visit.visit_first_action_time), last: minutesAfterStart(visit.visit_last_action_time),
      actions: actions.map((action) => minutesAfterStart(action.server_time)),
    });
  }
  return result;
}

/** Returns a 16-hex-digit `_id` of a case: `letter` followed by the case number. */
function cookieId(letter: 'a' | 'b', caseSuffix: string): string {
  return `${letter}${caseSuffix.slice(1).padStart(15, '0')}`;
}

/** Returns the visitor id Matomo derives from a user id: the first 16 hex digits of its SHA-1. */
function visitorIdOfUser(userId: string): string {
  return createHash('sha1').update(userId).digest('hex').slice(0, 16);
}

/**
 * Returns a user id of 204 characters (code points) for a case, and its first 200, which
 * `log_visit.user_id` stores. The 200th is an emoji, two UTF-16 code units, so that a cut by
 * code units would split it.
 */
function longUserId(caseSuffix: string): { sent: string; stored: string } {
  const stored = `${`long${caseSuffix}`.padEnd(199, 'u')}\u{1F600}`;
  return { sent: `${stored}tail`, stored };
}

async function lastVisitId(tenant: Tenant): Promise<number> {
  const row = await tenant.db().selectFrom('log_visit').select((eb) => eb.fn.max('idvisit').as('idvisit')).executeTakeFirst();
  return Number(row?.idvisit ?? 0);
}

function hitQuery(seconds: number, path: string, extra = ''): string {
  const url = encodeURIComponent(`https://example.org/${path}`);
  return `idsite=1&rec=1&cdt=${START_SECONDS + seconds}&url=${url}${extra === '' ? '' : `&${extra}`}`;
}

/** Why each engine's tests are skipped, or false when its server is reachable. */
const ENGINE_SKIPS = new Map(await Promise.all(ALL_ENGINES.map(async (adapter) => [adapter, await engineSkip(adapter)] as const)));

for (const adapter of ALL_ENGINES) {
  describe(`visit user id rule on ${adapter}`, { skip: ENGINE_SKIPS.get(adapter) }, () => {
    let fixture: Fixture | undefined;
    /** A tenant with `enable_userid_overwrites_visitorid = 0`, in the root of `fixture`. */
    let keptVisitorIdFixture: Fixture | undefined;
    /** Numbers each case, which gets its own IP address (so its own fingerprint) and its own user ids. */
    let caseNumber = 0;

    before(async () => {
      const root = createTestRoot();
      fixture = await createFixture(root, adapter);
      keptVisitorIdFixture = await createFixture(root, adapter, 'enable_userid_overwrites_visitorid = 0\n');
    });

    after(async () => {
      if (fixture === undefined) return;
      // Deleting the tenants drops their MariaDB or PostgreSQL database and user.
      await deleteAllTenants(fixture.root);
      await fixture.root.cleanup();
    });

    /**
     * Tracks the hits of a new case in `mode` on the tenant of `target` and checks its
     * batches. Returns the suffix of the case's user ids and the visits the case created.
     */
    async function runCase(
      mode: BatchMode, buildHits: (suffix: string) => string[], target = fixture!,
    ): Promise<{ suffix: string; visits: [string | null, number][]; visitors: [string, number][]; times: VisitTimes[] }> {
      caseNumber += 1;
      const suffix = `-${caseNumber}`;
      const hits = buildHits(suffix);
      const before = await lastVisitId(target.tenant);
      const batchSizes = await trackInMode(target, mode, `192.0.2.${caseNumber}`, hits);
      const hitsPerBatch = hitsPerBatchOf(mode, hits.length);
      const expectedSizes = Array.from({ length: Math.ceil(hits.length / hitsPerBatch) }, (_, index) => Math.min(hitsPerBatch, hits.length - index * hitsPerBatch));
      assert.deepEqual(batchSizes, expectedSizes, 'the committed batches');
      return {
        suffix, visits: await visitsAfter(target.tenant, before), visitors: await visitorsAfter(target.tenant, before),
        times: await visitTimesAfter(target.tenant, before),
      };
    }

    test('takeover then cookie in one batch', async () => {
      // The cookie's two visits are written in the first batch. In the second, Bob's uid takes
      // the latest over, which the database still lists under the cookie's visitor id until
      // the batch is written, and then the cookie's next hit finds its first visit.
      const { suffix, visitors } = await runCase('two hits per batch', (caseSuffix) => [
        hitQuery(0, 'first', `_id=${cookieId('a', caseSuffix)}`),
        hitQuery(3 * 3600, 'second', `_id=${cookieId('a', caseSuffix)}`),
        hitQuery(3 * 3600 + 60, 'bob', `uid=bob${caseSuffix}`),
        hitQuery(3 * 3600 + 120, 'cookie', `_id=${cookieId('a', caseSuffix)}`),
      ]);

      assert.deepEqual(visitors, [[cookieId('a', suffix), 1], [visitorIdOfUser(`bob${suffix}`), 2], [cookieId('a', suffix), 1]]);
    });

    for (const mode of BATCH_MODES) {
      describe(mode, () => {
        test('uid skips visit of another user', async () => {
          const { suffix, visits } = await runCase(mode, (caseSuffix) => [
            hitQuery(0, 'alice', `uid=alice${caseSuffix}`),
            hitQuery(60, 'bob', `uid=bob${caseSuffix}`),
          ]);

          assert.deepEqual(visits, [[`alice${suffix}`, 1], [`bob${suffix}`, 1]]);
        });

        test('uid continues older anonymous visit', async () => {
          // Alice's visit is the latest of the fingerprint, but Bob's hit may only continue
          // the earlier visit without a user id, which Bob then takes over.
          const { suffix, visits } = await runCase(mode, (caseSuffix) => [
            hitQuery(0, 'anonymous'),
            hitQuery(60, 'alice', `uid=alice${caseSuffix}&new_visit=1`),
            hitQuery(120, 'bob', `uid=bob${caseSuffix}`),
          ]);

          assert.deepEqual(visits, [[`bob${suffix}`, 2], [`alice${suffix}`, 1]]);
        });

        test('user id comparison is case-sensitive', async () => {
          // MariaDB's collation of user_id ignores case, but the visit cache and Matomo's uid hash do not.
          const { suffix, visits } = await runCase(mode, (caseSuffix) => [
            hitQuery(0, 'upper', `uid=Carol${caseSuffix}`),
            hitQuery(60, 'lower', `uid=carol${caseSuffix}`),
          ]);

          assert.deepEqual(visits, [[`Carol${suffix}`, 1], [`carol${suffix}`, 1]]);
        });

        test('uid 0 continues any user\'s visit', async () => {
          // PHP's empty() is true for "0", so Matomo 5 derives no visitor id from that uid and
          // looks the fingerprint up with no user id condition. It stores "0" as the user id.
          const { suffix, visits, visitors } = await runCase(mode, (caseSuffix) => [
            hitQuery(0, 'alice', `uid=alice${caseSuffix}`),
            hitQuery(60, 'zero', 'uid=0'),
          ]);

          assert.deepEqual(visits, [['0', 2]]);
          assert.deepEqual(visitors, [[visitorIdOfUser(`alice${suffix}`), 2]]);
        });

        test('returning cookie skips fingerprint visit', async () => {
          // Visitor b's hit finds no visit of its own and continues none of the fingerprint,
          // because a's is three hours old. When a returns, its old visit is found by visitor
          // id, so the fingerprint is not looked up and b's current visit is not joined.
          const { suffix, visitors } = await runCase(mode, (caseSuffix) => [
            hitQuery(0, 'first', `_id=${cookieId('a', caseSuffix)}`),
            hitQuery(3 * 3600, 'other', `_id=${cookieId('b', caseSuffix)}`),
            hitQuery(3 * 3600 + 60, 'return', `_id=${cookieId('a', caseSuffix)}`),
          ]);

          assert.deepEqual(visitors, [[cookieId('a', suffix), 1], [cookieId('b', suffix), 1], [cookieId('a', suffix), 1]]);
        });

        test('cookie after uid takeover starts visit', async () => {
          // Bob's uid takes the cookie's second visit over by fingerprint and gives it his
          // visitor id. The cookie's next hit then finds only its first visit, three hours old,
          // so it starts a visit rather than join Bob's.
          const { suffix, visitors } = await runCase(mode, (caseSuffix) => [
            hitQuery(0, 'first', `_id=${cookieId('a', caseSuffix)}`),
            hitQuery(3 * 3600, 'second', `_id=${cookieId('a', caseSuffix)}`),
            hitQuery(3 * 3600 + 60, 'bob', `uid=bob${caseSuffix}`),
            hitQuery(3 * 3600 + 120, 'cookie', `_id=${cookieId('a', caseSuffix)}`),
          ]);

          assert.deepEqual(visitors, [[cookieId('a', suffix), 1], [visitorIdOfUser(`bob${suffix}`), 2], [cookieId('a', suffix), 1]]);
        });

        test('changed uid starts new visit', async () => {
          // Without the uid overwriting the visitor id, the cookie finds Alice's visit, which
          // Bob's uid may not continue. A hit without uid continues Bob's visit.
          const { suffix, visits, visitors } = await runCase(mode, (caseSuffix) => [
            hitQuery(0, 'alice', `_id=${cookieId('a', caseSuffix)}&uid=alice${caseSuffix}`),
            hitQuery(60, 'bob', `_id=${cookieId('a', caseSuffix)}&uid=bob${caseSuffix}`),
            hitQuery(120, 'anonymous', `_id=${cookieId('a', caseSuffix)}`),
          ], keptVisitorIdFixture!);

          assert.deepEqual(visits, [[`alice${suffix}`, 1], [`bob${suffix}`, 2]]);
          assert.deepEqual(visitors, [[cookieId('a', suffix), 1], [cookieId('a', suffix), 2]]);
        });

        test('uid 0 keeps the visit', async () => {
          // Matomo 5 compares user ids only when both are non-empty in PHP's sense, and "0" is not.
          const { visits } = await runCase(mode, (caseSuffix) => [
            hitQuery(0, 'alice', `_id=${cookieId('a', caseSuffix)}&uid=alice${caseSuffix}`),
            hitQuery(60, 'zero', `_id=${cookieId('a', caseSuffix)}&uid=0`),
          ], keptVisitorIdFixture!);

          assert.deepEqual(visits, [['0', 2]]);
        });

        test('late hit continues earlier visit', async () => {
          // Hits merged from several servers: the 09:15 hit comes after the visitor's 10:40 visit
          // started, and still continues the 09:00 visit, the latest one that ends before 09:45.
          // The 10:45 hit then continues the 10:40 visit, which is the visitor's latest.
          const { suffix, times } = await runCase(mode, (caseSuffix) => {
            const cookie = `_id=${cookieId('a', caseSuffix)}`;
            return [
              hitQuery(-60 * 60, 'first', cookie),
              hitQuery(-50 * 60, 'second', cookie),
              hitQuery(40 * 60, 'later', cookie),
              hitQuery(-45 * 60, 'late', cookie),
              hitQuery(45 * 60, 'after', cookie),
            ];
          });

          const idvisitor = cookieId('a', suffix);
          assert.deepEqual(times, [
            { idvisitor, first: -60, last: -45, actions: [-60, -50, -45] },
            { idvisitor, first: 40, last: 45, actions: [40, 45] },
          ]);
        });

        test('late new visit keeps latest', async () => {
          // The 10:20 hit starts a visit that ends before the 10:40 one, which stays the visitor's
          // latest, so the 10:25 hit continues the 10:40 visit.
          const { suffix, times } = await runCase(mode, (caseSuffix) => {
            const cookie = `_id=${cookieId('a', caseSuffix)}`;
            return [
              hitQuery(0, 'first', cookie),
              hitQuery(40 * 60, 'later', cookie),
              hitQuery(20 * 60, 'again', `${cookie}&new_visit=1`),
              hitQuery(25 * 60, 'late', cookie),
            ];
          });

          const idvisitor = cookieId('a', suffix);
          assert.deepEqual(times, [
            { idvisitor, first: 0, last: 0, actions: [0] },
            { idvisitor, first: 40, last: 40, actions: [25, 40] },
            { idvisitor, first: 20, last: 20, actions: [20] },
          ]);
        });

        test('long uid continues its visit', async () => {
          // The first two hits find the visit by fingerprint, the third takes it over for the
          // cookie's visitor id, and the fourth finds it by that visitor id.
          const { suffix, visits, visitors } = await runCase(mode, (caseSuffix) => {
            const uid = `uid=${encodeURIComponent(longUserId(caseSuffix).sent)}`;
            return [
              hitQuery(0, 'first', uid),
              hitQuery(60, 'second', uid),
              hitQuery(120, 'cookie', `_id=${cookieId('a', caseSuffix)}&${uid}`),
              hitQuery(180, 'again', `_id=${cookieId('a', caseSuffix)}&${uid}`),
            ];
          }, keptVisitorIdFixture!);

          assert.deepEqual(visits, [[longUserId(suffix).stored, 4]]);
          assert.deepEqual(visitors, [[cookieId('a', suffix), 4]]);
        });
      });
    }
  });
}
