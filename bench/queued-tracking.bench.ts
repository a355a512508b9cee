/**
 * Queued tracking benchmark on SQLite and the Redis server at 127.0.0.1:6379. It sends single
 * pageviews to Footfall's tracking endpoint for a tenant that writes them directly, then as
 * many for a tenant that queues them in Redis, then times one worker writing the queue.
 * It prints hits per second of each and their ratio to direct writes, all measured in this
 * run. Every phase is bounded by a request count and a time limit. `BENCH_REQUESTS` changes the count.
 */
import { appendFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { Settings } from '../src/config/settings.js';
import { createSilentLogger } from '../src/logging.js';
import { parseTenantHost } from '../src/tenancy/tenant-host.js';
import { HitQueue } from '../src/tracking/queue/hit-queue.js';
import { readQueueSettings } from '../src/tracking/queue/queue-settings.js';
import { QueueWorker } from '../src/tracking/queue/queue-worker.js';
import { TrackingPipeline } from '../src/tracking/tracking-pipeline.js';
import { deleteKeys, redisSkip, uniqueKeyPrefix } from '../test/support/redis.js';
import { buildTestServer, createTestRoot, createTestTenant } from '../test/support/test-root.js';

/** Pageviews of each phase, and requests in flight at once. */
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const CONCURRENCY = 32;
/** No phase runs longer than this. */
const PHASE_LIMIT_MS = 60_000;

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function send(port: number, host: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, path, agent, headers: { host, 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0' } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

function pageviewPath(index: number): string {
  const visitor = (index % 500).toString(16).padStart(16, '0');
  return `/matomo.php?idsite=1&rec=1&_id=${visitor}&url=${encodeURIComponent(`https://example.org/page-${index % 997}?n=${index}`)}`;
}

/** Sends `count` pageviews over CONCURRENCY connections and returns hits per second. */
async function closedLoop(port: number, host: string, count: number): Promise<number> {
  const started = Date.now();
  let next = 0;
  let failures = 0;
  const loop = async (): Promise<void> => {
    while (next < count && Date.now() - started < PHASE_LIMIT_MS) {
      const status = await send(port, host, pageviewPath(next++));
      if (status !== 200) failures += 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  if (failures > 0) throw new Error(`${failures} tracking requests failed`);
  return next / ((Date.now() - started) / 1000);
}

async function main(): Promise<void> {
  const skip = await redisSkip();
  if (skip) throw new Error(skip);
  const prefix = uniqueKeyPrefix();
  const root = createTestRoot();
  appendFileSync(root.rootPaths.commonConfig, `\n[QueuedTracking]\nkey_prefix = "${prefix}"\nqueues = 4\n`);
  const directHost = (await createTestTenant(root, { siteUrl: 'https://example.org' })).host;
  const queuedHost = (await createTestTenant(root, { siteUrl: 'https://example.org' })).host;
  appendFileSync(root.registry.resolve(parseTenantHost(queuedHost))!.configFile, '\n[QueuedTracking]\nenabled = 1\n');
  const app = await buildTestServer(root);
  const defaults = Settings.load({ global: root.rootPaths.globalConfig, common: root.rootPaths.commonConfig, local: null });
  const queue = new HitQueue(readQueueSettings(defaults));
  const pipeline = new TrackingPipeline(createSilentLogger());
  try {
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const port = Number(new URL(address).port);
    const directRate = await closedLoop(port, directHost, REQUESTS);
    const queuedRate = await closedLoop(port, queuedHost, REQUESTS);

    const started = Date.now();
    const worker = new QueueWorker({ queue, pipeline, registry: root.registry, logger: createSilentLogger() });
    const counts = await worker.drain(started + PHASE_LIMIT_MS);
    await pipeline.flush();
    const workerRate = counts.acknowledged / ((Date.now() - started) / 1000);

    console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
    console.log(`requests per phase: ${REQUESTS}, connections: ${CONCURRENCY}`);
    console.log(`direct SQLite writes:  ${directRate.toFixed(0)} hits/s`);
    console.log(`queued in Redis:       ${queuedRate.toFixed(0)} hits/s (${(queuedRate / directRate).toFixed(2)} × direct)`);
    console.log(`worker writing queue:  ${workerRate.toFixed(0)} hits/s (${(workerRate / directRate).toFixed(2)} × direct), ${counts.acknowledged} hits, ${counts.failed} failed`);
  } finally {
    await app.close();
    await pipeline.flush();
    await queue.close();
    await deleteKeys(prefix);
    await root.cleanup();
    agent.destroy();
  }
}

await main();
