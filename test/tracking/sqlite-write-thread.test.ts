import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { sql } from 'kysely';
import pino from 'pino';
import { openSqlite } from '../../src/db/connect.js';
import { createSilentLogger } from '../../src/logging.js';
import { formatUtcDateTime } from '../../src/time.js';
import { parseTenantHost } from '../../src/tenancy/tenant-host.js';
import type { Tenant } from '../../src/tenancy/tenant.js';
import { DeviceDetection } from '../../src/tracking/device-detection.js';
import { TrackingParams } from '../../src/tracking/tracking-params.js';
import { TrackingPipeline, type TrackOutcome } from '../../src/tracking/tracking-pipeline.js';
import { WRITE_THREAD_EXIT_ENV, type WriteThreadExit } from '../support/exiting-write-worker.js';
import { createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';
import { countRows } from '../support/tracking.js';

/** Hits per batch: small, so that one call to trackAll makes several batches, recorded while the one before is written. */
const HITS_PER_BATCH = 8;
/** Path part of the page URL whose action row the test trigger rejects. */
const REJECTED_PATH = 'reject-this-hit';

function pageview(visitor: number, path: string): TrackingParams {
  const visitorId = visitor.toString(16).padStart(16, '0');
  return TrackingParams.fromQueryString(`idsite=1&rec=1&cid=${visitorId}&url=${encodeURIComponent(`https://example.org/${path}`)}`);
}

/**
 * Takes the tenant file's write lock on another connection and releases it after 500 ms, so
 * that batches sent meanwhile wait for it. Resolves once the lock is released.
 */
function holdWriteLock(tenant: Tenant): Promise<void> {
  const other = openSqlite(tenant.databaseConfig);
  other.exec('begin immediate');
  return new Promise<void>((resolve) => setTimeout(() => {
    other.exec('commit');
    other.close();
    resolve();
  }, 500));
}

function context(now: Date) {
  return { ip: '192.0.2.1', userAgent: 'Mozilla/5.0', acceptLanguage: '', now, doNotTrack: false };
}

/** Returns the visit count and the total actions of each visitor, by visitor number. */
async function visitsByVisitor(tenant: Tenant): Promise<Map<number, { visits: number; actions: number }>> {
  const rows = await tenant.db().selectFrom('log_visit').select(['idvisitor', 'visit_total_actions']).execute();
  const visits = new Map<number, { visits: number; actions: number }>();
  for (const row of rows) {
    const visitor = Number.parseInt(row.idvisitor, 16);
    const entry = visits.get(visitor) ?? { visits: 0, actions: 0 };
    entry.visits += 1;
    entry.actions += Number(row.visit_total_actions);
    visits.set(visitor, entry);
  }
  return visits;
}

describe('SQLite write thread', () => {
  let root: TestRoot;
  let tenant: Tenant;
  let pipeline: TrackingPipeline;

  before(async () => {
    root = createTestRoot();
    const { host } = await createTestTenant(root, { siteUrl: 'https://example.org' });
    tenant = root.registry.resolve(parseTenantHost(host))!;
    await sql`create trigger reject_marked_hits before insert on ${sql.table('log_link_visit_action')}
      when exists (select 1 from ${sql.table('log_action')} where idaction = new.idaction_url and name like ${sql.lit(`%${REJECTED_PATH}%`)})
      begin select raise(abort, 'rejected by the test trigger'); end`.execute(tenant.db());
    pipeline = new TrackingPipeline(createSilentLogger(), new DeviceDetection(), { writeBatchMaxHits: HITS_PER_BATCH, sqliteWriteThreadMinHits: 1 });
  });

  after(async () => {
    await pipeline?.close();
    await root?.cleanup();
  });

  test('overlapping batches keep visit totals', async () => {
    const now = new Date();
    const first = Array.from({ length: 40 }, (_, index) => pageview(index + 1, `first-${index}`));
    assert.deepEqual(new Set((await pipeline.trackAll(tenant, first, context(now))).map((outcome) => JSON.stringify(outcome))), new Set(['{"status":"recorded"}']));
    // Each visitor's second and third pageviews land in later batches, recorded while earlier ones are written.
    const later = Array.from({ length: 80 }, (_, index) => pageview((index % 40) + 1, `later-${index}`));
    const outcomes = await pipeline.trackAll(tenant, later, context(new Date(now.getTime() + 1000)));
    assert.equal(outcomes.filter((outcome) => (outcome as TrackOutcome).status === 'recorded').length, 80);
    const visits = await visitsByVisitor(tenant);
    assert.equal(visits.size, 40);
    for (const [visitor, entry] of visits) assert.deepEqual(entry, { visits: 1, actions: 3 }, `visitor ${visitor}`);
    assert.equal(await countRows(tenant.db(), 'log_link_visit_action'), 120);
  });

  test('another writer forces a retry', async () => {
    // A second process writes a visit with the next free id, so the ids this writer counted on are taken.
    const other = openSqlite(tenant.databaseConfig);
    const visitTable = `${tenant.databaseConfig.tablesPrefix}log_visit`;
    try {
      const { idvisit } = other.prepare(`select max(idvisit) as idvisit from ${visitTable}`).get() as { idvisit: number };
      other.exec(`create temp table copied as select * from ${visitTable} where idvisit = ${idvisit}`);
      other.exec(`update copied set idvisit = ${idvisit + 1}`);
      other.exec(`insert into ${visitTable} select * from copied`);
    } finally {
      other.close();
    }
    const outcomes = await pipeline.trackAll(tenant, Array.from({ length: 20 }, (_, index) => pageview(100 + index, 'after-other-writer')), context(new Date()));
    assert.equal(outcomes.filter((outcome) => (outcome as TrackOutcome).status === 'recorded').length, 20);
    assert.equal(await countRows(tenant.db(), 'log_visit'), 40 + 1 + 20);
    assert.equal(await countRows(tenant.db(), 'log_link_visit_action'), 120 + 20);
  });

  test('failed batch rewrites later batches', async () => {
    const before = await countRows(tenant.db(), 'log_link_visit_action');
    const now = new Date();
    const hits = Array.from({ length: 40 }, (_, index) => pageview(200 + (index % 20), index === 3 ? REJECTED_PATH : `retry-${index}`));
    const outcomes = await pipeline.trackAll(tenant, hits, context(now));
    const failed = outcomes.flatMap((outcome, index) => (outcome instanceof Error ? [index] : []));
    assert.deepEqual(failed, [3]);
    assert.equal(await countRows(tenant.db(), 'log_link_visit_action'), before + 39);
    const visits = await visitsByVisitor(tenant);
    for (let visitor = 200; visitor < 220; visitor += 1) {
      assert.deepEqual(visits.get(visitor), { visits: 1, actions: visitor === 203 ? 1 : 2 }, `visitor ${visitor}`);
    }
  });

  test('invalidation time follows the commit', async () => {
    const day = '2026-05-03';
    const hits = Array.from({ length: HITS_PER_BATCH }, (_, index) => pageview(400 + index, `invalidated-${index}`));
    const other = openSqlite(tenant.databaseConfig);
    other.exec('begin immediate');
    const tracked = pipeline.trackAll(tenant, hits, context(new Date(`${day}T12:00:00Z`)));
    // The batch is recorded at once and then waits for the write lock, so an archive computed
    // meanwhile reads the day's logs without its hits. A report request computes the archive
    // again only if the day's invalidation is not older than the start of that computation.
    await delay(1100);
    const archiveStartedAt = formatUtcDateTime(new Date());
    await delay(1100);
    other.exec('commit');
    other.close();
    const outcomes = await tracked;
    assert.equal(outcomes.filter((outcome) => (outcome as TrackOutcome).status === 'recorded').length, hits.length);

    const row = await tenant.db().selectFrom('archive_invalidations').select('ts_invalidated')
      .where('idsite', '=', 1).where('date', '=', day).executeTakeFirst();
    assert.ok(row !== undefined);
    assert.ok(row.ts_invalidated > archiveStartedAt, `invalidated at ${row.ts_invalidated}, archiving started at ${archiveStartedAt}`);
  });

  test('visitor id taken in flight', async () => {
    // Batches of two. The second gives the first batch's visit of `_id` a to `_id` b, and waits
    // for the write lock, so the third is recorded while the second is not written yet. The
    // third batch's first hit waits for that write, because its uid makes it query `log_visit`.
    // Its second hit, of `_id` a, must not continue the visit from the row read ahead before
    // the write, which still had visitor id a.
    const twoPerBatch = new TrackingPipeline(createSilentLogger(), new DeviceDetection(), { writeBatchMaxHits: 2, sqliteWriteThreadMinHits: 1 });
    // Each user agent gives its hits a fingerprint of their own.
    const agents = {
      taken: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
      fillerOne: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
      fillerTwo: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
      waiting: 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
      returning: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    };
    const hit = (query: string, agent: keyof typeof agents, path: string, time: string) => TrackingParams.fromQueryString(
      `idsite=1&rec=1&${query}&ua=${encodeURIComponent(agents[agent])}&cdt=${encodeURIComponent(`2026-05-01 ${time}`)}&url=${encodeURIComponent(`https://example.org/${path}`)}`);
    const hits = [
      hit('_id=a0000000000000aa', 'taken', 'taken-first', '09:00:00'), hit('_id=f0000000000000f1', 'fillerOne', 'taken-filler-1', '09:00:00'),
      hit('_id=b0000000000000bb', 'taken', 'taken-over', '09:01:00'), hit('_id=f0000000000000f2', 'fillerTwo', 'taken-filler-2', '09:01:00'),
      hit('uid=taken-carol', 'waiting', 'taken-waiting', '09:02:00'), hit('_id=a0000000000000aa', 'returning', 'taken-return', '09:03:00'),
    ];
    const now = new Date('2026-05-01T12:00:00Z');
    try {
      const written = await twoPerBatch.trackAll(tenant, hits.slice(0, 2), context(now));
      assert.equal(written.filter((outcome) => (outcome as TrackOutcome).status === 'recorded').length, 2);
      const released = holdWriteLock(tenant);
      const outcomes = await twoPerBatch.trackAll(tenant, hits.slice(2), context(now));
      await released;
      assert.equal(outcomes.filter((outcome) => (outcome as TrackOutcome).status === 'recorded').length, 4);
    } finally {
      await twoPerBatch.close();
    }

    const rows = await tenant.db().selectFrom('log_link_visit_action as link').innerJoin('log_action as url', 'url.idaction', 'link.idaction_url')
      .innerJoin('log_visit as visit', 'visit.idvisit', 'link.idvisit')
      .select(['url.name', 'visit.idvisitor', 'visit.visit_total_actions']).where('url.name', 'like', '%/taken-%').execute();
    const visitOf = new Map(rows.map((row) => [row.name.replace(/^.*\//, ''), `${row.idvisitor}:${row.visit_total_actions}`]));
    assert.equal(visitOf.get('taken-first'), 'b0000000000000bb:2');
    assert.equal(visitOf.get('taken-over'), 'b0000000000000bb:2');
    assert.equal(visitOf.get('taken-return'), 'a0000000000000aa:1');
  });

  test('older hit joins unwritten visit', async () => {
    // Hits without a visitor id, so their visit is found by config id alone.
    const now = new Date('2026-05-01T12:00:00Z');
    const configHit = (path: string, time: string) => TrackingParams.fromQueryString(
      `idsite=1&rec=1&ua=StaleReadAgent&cdt=${encodeURIComponent(`2026-05-01 ${time}`)}&url=${encodeURIComponent(`https://example.org/${path}`)}`);
    const fillers = (batch: string) => Array.from({ length: HITS_PER_BATCH - 2 }, (_, index) => pageview(300 + index, `stale-filler-${batch}-${index}`));
    // The first batch starts a visit at 09:00 and, an hour later, a second one. The second batch
    // holds a hit of 09:10, which belongs to the first visit, and is recorded while the first
    // batch waits for the write lock, so the first visit is not in the database yet.
    const hits = [
      configHit('stale-first', '09:00:00'), configHit('stale-second', '10:00:00'), ...fillers('a'),
      configHit('stale-older', '09:10:00'), pageview(320, 'stale-filler-b'), ...fillers('b'),
    ];
    const released = holdWriteLock(tenant);
    const outcomes = await pipeline.trackAll(tenant, hits, context(now));
    await released;
    assert.equal(outcomes.filter((outcome) => (outcome as TrackOutcome).status === 'recorded').length, hits.length);

    const rows = await tenant.db().selectFrom('log_link_visit_action as link').innerJoin('log_action as url', 'url.idaction', 'link.idaction_url')
      .innerJoin('log_visit as visit', 'visit.idvisit', 'link.idvisit')
      .select(['url.name', 'link.idvisit', 'visit.visit_total_actions']).where('url.name', 'like', '%/stale-%').where('url.name', 'not like', '%filler%').execute();
    const visitOf = new Map(rows.map((row) => [row.name.replace(/^.*\//, ''), Number(row.idvisit)]));
    assert.equal(visitOf.get('stale-older'), visitOf.get('stale-first'));
    assert.notEqual(visitOf.get('stale-second'), visitOf.get('stale-first'));
    const first = rows.find((row) => row.name.endsWith('/stale-first'));
    assert.equal(Number(first?.visit_total_actions), 2);
  });
});

describe('SQLite write thread that ends', () => {
  let root: TestRoot;
  let tenant: Tenant;
  let pipeline: TrackingPipeline;
  const logLines: { msg: string; stored?: boolean }[] = [];
  const exitBefore = process.env[WRITE_THREAD_EXIT_ENV];

  before(async () => {
    root = createTestRoot();
    const { host } = await createTestTenant(root, { siteUrl: 'https://example.org' });
    tenant = root.registry.resolve(parseTenantHost(host))!;
    const logger = pino({ level: 'warn' }, { write: (line: string) => logLines.push(JSON.parse(line) as (typeof logLines)[number]) });
    pipeline = new TrackingPipeline(logger, new DeviceDetection(), {
      writeBatchMaxHits: HITS_PER_BATCH, sqliteWriteThreadMinHits: 1,
      sqliteWriteWorkerUrl: new URL('../support/exiting-write-worker.js', import.meta.url),
    });
  });

  after(async () => {
    await pipeline?.close();
    await root?.cleanup();
    if (exitBefore === undefined) delete process.env[WRITE_THREAD_EXIT_ENV];
    else process.env[WRITE_THREAD_EXIT_ENV] = exitBefore;
  });

  /** Returns the sum of the tenant's drop counts of `reason` over every site and day. */
  async function countDrops(reason: string): Promise<number> {
    const rows = await tenant.db().selectFrom('tracking_drop').select('count').where('reason', '=', reason).execute();
    return rows.reduce((sum, row) => sum + Number(row.count), 0);
  }

  /**
   * Tracks a pageview of each of 40 visitors from `firstVisitor` and a drop, then two more
   * pageviews of each, with the thread ending before or after every batch's COMMIT as `exit`
   * sets. Checks that each hit and the drop are stored once, and returns the `stored` field of
   * each log line of an ended thread.
   */
  async function trackWhileThreadEnds(exit: WriteThreadExit, firstVisitor: number): Promise<(boolean | undefined)[]> {
    process.env[WRITE_THREAD_EXIT_ENV] = exit;
    logLines.length = 0;
    const actionsBefore = await countRows(tenant.db(), 'log_link_visit_action');
    const dropsBefore = await countDrops('no_rec');
    const now = new Date();
    const withoutRec = TrackingParams.fromQueryString(`idsite=1&url=${encodeURIComponent(`https://example.org/${exit}-not-recorded`)}`);
    const first = [withoutRec, ...Array.from({ length: 40 }, (_, index) => pageview(firstVisitor + index, `${exit}-first-${index}`))];
    const firstOutcomes = await pipeline.trackAll(tenant, first, context(now));
    assert.deepEqual(firstOutcomes[0], { status: 'dropped', reason: 'no_rec' });
    assert.deepEqual(new Set(firstOutcomes.slice(1).map((outcome) => JSON.stringify(outcome))), new Set(['{"status":"recorded"}']));
    // Each later batch is recorded while the one before it is on the thread that ends.
    const later = Array.from({ length: 80 }, (_, index) => pageview(firstVisitor + (index % 40), `${exit}-later-${index}`));
    const laterOutcomes = await pipeline.trackAll(tenant, later, context(new Date(now.getTime() + 1000)));
    assert.deepEqual(new Set(laterOutcomes.map((outcome) => JSON.stringify(outcome))), new Set(['{"status":"recorded"}']));

    assert.equal(await countRows(tenant.db(), 'log_link_visit_action'), actionsBefore + 120);
    const visits = await visitsByVisitor(tenant);
    for (let visitor = firstVisitor; visitor < firstVisitor + 40; visitor += 1) {
      assert.deepEqual(visits.get(visitor), { visits: 1, actions: 3 }, `visitor ${visitor}`);
    }
    const urls = await tenant.db().selectFrom('log_action').select('name').where('name', 'like', `%/${exit}-%`).execute();
    assert.equal(urls.length, 120);
    assert.equal(await countDrops('no_rec'), dropsBefore + 1);
    return logLines.filter((line) => line.msg === 'write thread ended during a tracking batch').map((line) => line.stored);
  }

  test('exit after commit stores once', async () => {
    const stored = await trackWhileThreadEnds('after-commit', 500);
    assert.ok(stored.length >= 2, `the thread ended ${stored.length} times`);
    assert.deepEqual(new Set(stored), new Set([true]));
  });

  test('exit before commit writes again', async () => {
    const stored = await trackWhileThreadEnds('before-commit', 600);
    assert.ok(stored.length >= 2, `the thread ended ${stored.length} times`);
    assert.deepEqual(new Set(stored), new Set([false]));
  });
});
