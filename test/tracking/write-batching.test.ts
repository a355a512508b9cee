import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { after, before, describe, mock, test } from 'node:test';
import pino from 'pino';
import { createSilentLogger } from '../../src/logging.js';
import { parseTenantHost } from '../../src/tenancy/tenant-host.js';
import type { Tenant } from '../../src/tenancy/tenant.js';
import { DeviceDetection } from '../../src/tracking/device-detection.js';
import { TrackingParams } from '../../src/tracking/tracking-params.js';
import { TrackingPipeline, type TrackOutcome } from '../../src/tracking/tracking-pipeline.js';
import { createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';
import { countRows, tenantDb } from '../support/tracking.js';

/** Maximum event loop turns a test waits for hits to settle. A SQLite batch settles in far fewer. */
const MAX_TURNS = 200;

/** Resolves once `settled()` is true or after MAX_TURNS turns of the event loop, and returns whether it is true. */
async function settlesWithinTurns(settled: () => boolean): Promise<boolean> {
  for (let turn = 0; turn < MAX_TURNS && !settled(); turn += 1) await new Promise((resolve) => setImmediate(resolve));
  return settled();
}

// The writer's scheduling does not depend on the engine. SQLite runs without timers of its own,
// so mocking setTimeout holds back only the writer's timer.
describe('write batch scheduling', () => {
  let root: TestRoot;
  let tenant: Tenant;
  let pipeline: TrackingPipeline;
  let visitorSequence = 0;

  before(async () => {
    root = createTestRoot();
    const { host } = await createTestTenant(root, { siteUrl: 'https://example.org' });
    tenant = root.registry.resolve(parseTenantHost(host))!;
    appendFileSync(tenant.configFile, '\n[Tracker]\nwrite_batch_ms = 1000\n');
    tenant = root.registry.resolve(parseTenantHost(host))!;
    // Devices are detected and batches written on this thread, so each hit reaches the writer and
    // its commit within the turns counted below.
    pipeline = new TrackingPipeline(createSilentLogger(), new DeviceDetection(), { sqliteWriteThread: false });
  });

  after(async () => {
    mock.timers.reset();
    await pipeline?.flush();
    await root?.cleanup();
  });

  /** Starts tracking `count` pageviews of new visitors and returns their outcomes and a flag that turns true once all settled. */
  function trackPageviews(count: number): { outcomes: Promise<TrackOutcome[]>; settled: () => boolean } {
    let done = false;
    const pending = Array.from({ length: count }, () => {
      visitorSequence += 1;
      const visitorId = visitorSequence.toString(16).padStart(16, '0');
      const params = TrackingParams.fromQueryString(`idsite=1&rec=1&cid=${visitorId}&url=https%3A%2F%2Fexample.org%2Fbatched`);
      return pipeline.track(tenant, params, { ip: '192.0.2.1', userAgent: 'Mozilla/5.0', acceptLanguage: '', now: new Date(), doNotTrack: false });
    });
    const outcomes = Promise.all(pending).finally(() => {
      done = true;
    });
    return { outcomes, settled: () => done };
  }

  test('batch size sets the next early start', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });

    // After a quiet period the first hits wait for write_batch_ms, so later hits can join them.
    const first = trackPageviews(3);
    assert.equal(await settlesWithinTurns(first.settled), false);
    mock.timers.tick(1000);
    assert.equal(await settlesWithinTurns(first.settled), true);
    assert.deepEqual(await first.outcomes, [{ status: 'recorded' }, { status: 'recorded' }, { status: 'recorded' }]);

    // As many hits as the last batch had start the next batch without the timer.
    const second = trackPageviews(3);
    assert.equal(await settlesWithinTurns(second.settled), true);
    assert.deepEqual(await second.outcomes, [{ status: 'recorded' }, { status: 'recorded' }, { status: 'recorded' }]);

    // Fewer hits than the last batch wait for the timer again.
    const third = trackPageviews(2);
    assert.equal(await settlesWithinTurns(third.settled), false);
    mock.timers.tick(1000);
    assert.equal(await settlesWithinTurns(third.settled), true);

    mock.timers.reset();
    assert.equal(await countRows(tenantDb(root, tenant.key), 'log_visit'), 8);
  });

  test('default commit takes 2,000 hits', async () => {
    // The tenant keeps the default write_batch_max_hits, so hits queued together share one commit up to it.
    const logLines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => logLines.push(line) });
    const counted = new TrackingPipeline(logger, new DeviceDetection());
    const paramsList = Array.from({ length: 2100 }, (_, index) => TrackingParams.fromQueryString(
      `idsite=1&rec=1&cid=${(1_000_000 + index).toString(16).padStart(16, '0')}&url=https%3A%2F%2Fexample.org%2Fdefault-commit`,
    ));
    const outcomes = counted.queueAll(tenant, paramsList, { ip: '192.0.2.1', userAgent: 'Mozilla/5.0', acceptLanguage: '', now: new Date(), doNotTrack: false });
    await counted.flush();
    assert.equal((await (await outcomes)()).length, 2100);

    const commits = logLines.map((line) => JSON.parse(line) as { msg: string; hits?: number })
      .filter((entry) => entry.msg === 'tracking batch committed').map((entry) => entry.hits);
    assert.deepEqual(commits, [2000, 100]);
  });
});
