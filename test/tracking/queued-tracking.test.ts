import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { Settings } from '../../src/config/settings.js';
import type { Database } from '../../src/db/schema.js';
import { createSilentLogger } from '../../src/logging.js';
import { parseTenantHost } from '../../src/tenancy/tenant-host.js';
import { HitQueue } from '../../src/tracking/queue/hit-queue.js';
import { readQueueSettings } from '../../src/tracking/queue/queue-settings.js';
import { QueueWorker } from '../../src/tracking/queue/queue-worker.js';
import { TrackingPipeline } from '../../src/tracking/tracking-pipeline.js';
import { runConsoleJson } from '../support/console-runner.js';
import { deleteKeys, redisSkip, uniqueKeyPrefix } from '../support/redis.js';
import { buildTestServer, createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';
import { countRows, tenantDb } from '../support/tracking.js';

/** Most passes a test waits for a worker to take over a stream whose lock expires. */
const MAX_TAKEOVER_PASSES = 100;

function queueConfig(prefix: string, extra: string[] = []): string {
  return ['', '[QueuedTracking]', `key_prefix = "${prefix}"`, 'queues = 3', 'lock_ms = 1000', 'batch_size = 10', ...extra, ''].join('\n');
}

describe('queued tracking', { skip: await redisSkip() }, () => {
  const prefix = uniqueKeyPrefix();
  let root: TestRoot;
  let app: FastifyInstance;
  let host: string;
  let directHost: string;
  let db: Kysely<Database>;
  let queue: HitQueue;
  let pipeline: TrackingPipeline;

  before(async () => {
    root = createTestRoot();
    appendFileSync(root.rootPaths.commonConfig, queueConfig(prefix));
    host = (await createTestTenant(root, { siteUrl: 'https://example.org' })).host;
    appendFileSync(root.registry.resolve(parseTenantHost(host))!.configFile, '\n[QueuedTracking]\nenabled = 1\n');
    directHost = (await createTestTenant(root, { siteUrl: 'https://example.org' })).host;
    db = tenantDb(root, host);
    app = await buildTestServer(root);
    const defaults = Settings.load({ global: root.rootPaths.globalConfig, common: root.rootPaths.commonConfig, local: null });
    queue = new HitQueue(readQueueSettings(defaults));
    pipeline = new TrackingPipeline(createSilentLogger());
  });

  after(async () => {
    await app?.close();
    await pipeline?.flush();
    await queue?.close();
    await deleteKeys(prefix);
    await root?.cleanup();
  });

  function worker(consumer?: string): QueueWorker {
    return new QueueWorker({ queue, pipeline, registry: root.registry, logger: createSilentLogger(), consumer });
  }

  async function track(params: Record<string, string>, targetHost = host): Promise<number> {
    const query = new URLSearchParams({ idsite: '1', rec: '1', url: 'https://example.org/', ...params });
    const response = await app.inject({ method: 'GET', url: `/matomo.php?${query}`, headers: { host: targetHost } });
    return response.statusCode;
  }

  async function pageUrls(): Promise<string[]> {
    const rows = await db.selectFrom('log_link_visit_action').innerJoin('log_action', 'log_action.idaction', 'log_link_visit_action.idaction_url')
      .select('log_action.name').orderBy('log_link_visit_action.idlink_va').execute();
    return rows.map((row) => row.name);
  }

  test('hit waits in the queue until processed', async () => {
    assert.equal(await track({ _id: '1111111111111111', url: 'https://example.org/first' }), 200);
    assert.equal(await countRows(db, 'log_visit'), 0);
    assert.equal(await queue.countEntries(), 1);

    const counts = await worker().drain(Date.now() + 30_000);
    await pipeline.flush();
    assert.deepEqual(counts, { acknowledged: 1, failed: 0 });
    assert.equal(await countRows(db, 'log_visit'), 1);
    assert.deepEqual(await pageUrls(), ['example.org/first']);
    assert.equal(await queue.countEntries(), 0);
  });

  test('invalid hit is rejected before the queue', async () => {
    assert.equal(await track({ idsite: '99' }), 400);
    assert.equal(await track({ idsite: '1', cdt: 'yesterday-ish' }), 400);
    assert.equal(await track({ idsite: '1', cid: 'zz' }), 400);
    assert.equal(await track({ idsite: '1', idgoal: '7' }), 400, 'the site has no goal 7');
    assert.equal(await queue.countEntries(), 0);
  });

  test('dropped hit skips the goal check', async () => {
    // Without rec=1 the hit is dropped, so neither its unknown nor its malformed idgoal rejects it.
    assert.equal(await track({ rec: '0', idgoal: '7' }), 200);
    assert.equal(await track({ rec: '0', idgoal: 'not-a-goal' }), 200);
    assert.equal(await queue.countEntries(), 2);

    const visitsBefore = await countRows(db, 'log_visit');
    const counts = await worker().drain(Date.now() + 30_000);
    await pipeline.flush();
    assert.deepEqual(counts, { acknowledged: 2, failed: 0 });
    assert.equal(await countRows(db, 'log_visit'), visitsBefore);
    const drops = await db.selectFrom('tracking_drop').select(['reason', 'count']).execute();
    assert.deepEqual(drops.map((row) => [row.reason, Number(row.count)]), [['no_rec', 2]]);
  });

  test('queuedtracking=0 and other tenants track directly', async () => {
    const before = await countRows(db, 'log_link_visit_action');
    assert.equal(await track({ _id: '2222222222222222', url: 'https://example.org/direct', queuedtracking: '0' }), 200);
    assert.equal(await countRows(db, 'log_link_visit_action'), before + 1);
    assert.equal(await track({ _id: '2222222222222222' }, directHost), 200);
    assert.equal(await countRows(tenantDb(root, directHost), 'log_visit'), 1);
    assert.equal(await queue.countEntries(), 0);
  });

  test('one visitor stays in order across workers', async () => {
    await db.deleteFrom('log_link_visit_action').execute();
    const visitor = '3333333333333333';
    const pages = Array.from({ length: 25 }, (_, index) => `https://example.org/page-${index}`);
    for (const url of pages) assert.equal(await track({ _id: visitor, url }), 200);
    // Hits of other visitors fill the other streams.
    for (let index = 0; index < 10; index++) assert.equal(await track({ _id: `44444444444444${String(index).padStart(2, '0')}`, url: 'https://example.org/other' }), 200);

    const first = worker();
    const second = worker();
    await Promise.all([first.drain(Date.now() + 30_000), second.drain(Date.now() + 30_000)]);
    await pipeline.flush();

    const visitorPages = (await pageUrls()).filter((url) => url.startsWith('example.org/page-'));
    assert.deepEqual(visitorPages, pages.map((url) => url.replace('https://', '')));
    assert.equal(await countRows(db, 'log_link_visit_action'), 35);
    assert.equal(await queue.countEntries(), 0);
  });

  test('dead worker hit is written once', async () => {
    await db.deleteFrom('log_link_visit_action').execute();
    assert.equal(await track({ _id: '5555555555555555', url: 'https://example.org/orphan' }), 200);
    const stream = queue.streamOf({ host, params: { _id: '5555555555555555', idsite: '1' }, context: { ip: '', userAgent: '', acceptLanguage: '', now: new Date(), doNotTrack: false } });

    // A worker takes the stream, reads the hit, then dies: it neither writes nor acknowledges it and its lock is left to expire.
    assert.equal(await queue.lockStream(stream, 'dead-worker'), true);
    await queue.ensureGroup(stream);
    const read = await queue.readNew(stream, 'dead-worker');
    assert.equal(read.length, 1);
    assert.equal(read[0]!.hit.params.url, 'https://example.org/orphan');

    const survivor = worker('survivor');
    assert.deepEqual(await survivor.processStream(stream), { acknowledged: 0, failed: 0 });
    let acknowledged = 0;
    for (let pass = 0; pass < MAX_TAKEOVER_PASSES && acknowledged === 0; pass++) {
      await sleep(50);
      acknowledged = (await survivor.processStream(stream)).acknowledged;
    }
    await pipeline.flush();
    assert.equal(acknowledged, 1);
    assert.deepEqual(await pageUrls(), ['example.org/orphan']);

    // Later passes find nothing left: the hit was acknowledged once.
    assert.deepEqual(await survivor.processAll(), { acknowledged: 0, failed: 0 });
    assert.deepEqual(await pageUrls(), ['example.org/orphan']);
    assert.equal(await queue.countEntries(), 0);
  });

  test('bulk request is queued in order', async () => {
    await db.deleteFrom('log_link_visit_action').execute();
    const requests = ['a', 'b', 'c'].map((page) => `?idsite=1&rec=1&_id=6666666666666666&url=${encodeURIComponent(`https://example.org/bulk-${page}`)}`);
    requests.push('?idsite=77&rec=1&url=https%3A%2F%2Fexample.org%2F');
    const response = await app.inject({ method: 'POST', url: '/matomo.php', headers: { host, 'content-type': 'application/json' }, payload: JSON.stringify({ requests }) });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'success', tracked: 3, invalid: 1 });
    assert.equal(await queue.countEntries(), 3);

    await worker().drain(Date.now() + 30_000);
    await pipeline.flush();
    assert.deepEqual(await pageUrls(), ['example.org/bulk-a', 'example.org/bulk-b', 'example.org/bulk-c']);
  });

  test('console command writes the queue', async () => {
    await db.deleteFrom('log_link_visit_action').execute();
    assert.equal(await track({ _id: '7777777777777777', url: 'https://example.org/console' }), 200);
    const result = await runConsoleJson<{ acknowledged: number; failed: number; remaining: number }>(root, ['queuedtracking:process', '--max-seconds=60']);
    assert.deepEqual(result, { acknowledged: 1, failed: 0, remaining: 0 });
    assert.deepEqual(await pageUrls(), ['example.org/console']);
  });
});

describe('queued tracking without Redis', () => {
  let root: TestRoot;
  let app: FastifyInstance;
  let host: string;

  before(async () => {
    root = createTestRoot();
    // Port 1 on the loopback address has no server, so every Redis command fails.
    appendFileSync(root.rootPaths.commonConfig, queueConfig(uniqueKeyPrefix(), ['port = 1']));
    host = (await createTestTenant(root, { siteUrl: 'https://example.org' })).host;
    appendFileSync(root.registry.resolve(parseTenantHost(host))!.configFile, '\n[QueuedTracking]\nenabled = 1\n');
    app = await buildTestServer(root);
  });

  after(async () => {
    await app?.close();
    await root?.cleanup();
  });

  test('hit is answered 503', async () => {
    const response = await app.inject({ method: 'GET', url: '/matomo.php?idsite=1&rec=1&url=https%3A%2F%2Fexample.org%2F', headers: { host } });
    assert.equal(response.statusCode, 503);
    assert.match(String(response.headers['x-footfall-error']), /^TRACKING_QUEUE_UNAVAILABLE/);
    assert.equal(await countRows(tenantDb(root, host), 'log_visit'), 0);
  });

  test('bulk request is answered 503', async () => {
    const payload = JSON.stringify({ requests: ['?idsite=1&rec=1&url=https%3A%2F%2Fexample.org%2F'] });
    const response = await app.inject({ method: 'POST', url: '/matomo.php', headers: { host, 'content-type': 'application/json' }, payload });
    assert.equal(response.statusCode, 503);
    assert.deepEqual(response.json(), { status: 'error', tracked: 0, invalid: 0, code: 'TRACKING_QUEUE_UNAVAILABLE' });
  });
});

describe('queued tracking in-server worker', { skip: await redisSkip() }, () => {
  const prefix = uniqueKeyPrefix();
  let root: TestRoot;
  let app: FastifyInstance;
  let host: string;

  before(async () => {
    root = createTestRoot();
    appendFileSync(root.rootPaths.commonConfig, queueConfig(prefix, ['in_server_worker = 1', 'in_server_worker_interval_ms = 20']));
    host = (await createTestTenant(root, { siteUrl: 'https://example.org' })).host;
    appendFileSync(root.registry.resolve(parseTenantHost(host))!.configFile, '\n[QueuedTracking]\nenabled = 1\n');
    app = await buildTestServer(root);
  });

  after(async () => {
    await app?.close();
    await deleteKeys(prefix);
    await root?.cleanup();
  });

  test('server writes queued hits itself', async () => {
    const response = await app.inject({ method: 'GET', url: '/matomo.php?idsite=1&rec=1&_id=8888888888888888&url=https%3A%2F%2Fexample.org%2F', headers: { host } });
    assert.equal(response.statusCode, 200);
    const db = tenantDb(root, host);
    let visits = 0;
    for (let pass = 0; pass < MAX_TAKEOVER_PASSES && visits === 0; pass++) {
      await sleep(50);
      visits = await countRows(db, 'log_visit');
    }
    assert.equal(visits, 1);
  });
});
