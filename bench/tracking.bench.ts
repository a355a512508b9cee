/**
 * Tracking benchmark: a bare node:http server that returns the GIF, against Footfall's
 * tracking endpoint on SQLite, MariaDB and PostgreSQL, all on 127.0.0.1. Prints hits per
 * second of each, their ratio to the bare server, latency percentiles at half of each
 * engine's maximum rate, and bulk hits per second. Every phase is bounded by a request
 * count and a time limit. `BENCH_ENGINES=sqlite,mysql` picks the engines. The server trusts
 * a tenant lookup for `DEFAULT_RECHECK_MS`, as `server:run` does.
 *
 * The servers run in this process and the requests come from a child process
 * (`TrackingLoadClient`), so the client's work does not run on the servers' event loop.
 *
 * Each server first serves `BENCH_WARM_UP_REQUESTS` requests that are not measured, so that
 * both are measured after V8 has compiled their hot code. Measured from a cold start, 4,000
 * requests gave the bare server 7,800 requests/s and 20,000 gave it 12,500 (2-core VM). The
 * warm-up requests come from other visitors and user agents than the measured ones, so the
 * measured phase still detects 300 new user agents, as a live server keeps meeting new ones.
 *
 * On SQLite, bulk hits per second also get a raw SQLite baseline (bench/raw-sqlite-inserts.ts):
 * the rows of every phase re-inserted into a copy of the tenant's log tables with prepared
 * single-row INSERTs, committed every `[Tracker] write_batch_max_hits` hits (2,000 by default).
 * That setting is the largest batch the writer commits, so the baseline's commits are at
 * least as large as those of the bulk phase, and the baseline is a ceiling.
 */
import { createServer, type Server } from 'node:http';
import { cpus, totalmem } from 'node:os';
import type { DatabaseAdapter } from '../src/db/database-config.js';
import { deleteAllTenants } from '../test/support/console-runner.js';
import { engineSkip } from '../test/support/engines.js';
import { buildTestServer, createTestRoot, createTestTenant, type TestRoot } from '../test/support/test-root.js';
import { parseTenantHost } from '../src/tenancy/tenant-host.js';
import { DEFAULT_RECHECK_MS } from '../src/tenancy/tenant-registry.js';
import { TRANSPARENT_GIF } from '../src/tracking/tracker-response.js';
import { measureRawSqliteInserts, type RawInsertResult } from './raw-sqlite-inserts.js';
import { TrackingLoadClient } from './tracking-load-client.js';
import { PAGE_URL_SHAPES, type LatencyPercentiles, type LoadTarget, type PageUrlShape } from './tracking-load-protocol.js';

/** Requests of each closed-loop phase, and requests in flight at once. */
const SINGLE_REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);
/** Requests each server serves before its measured phases. */
const WARM_UP_REQUESTS = Number(process.env.BENCH_WARM_UP_REQUESTS ?? 2000);
const CONCURRENCY = 32;
/** Requests of the paced phase at half the maximum rate. */
const PACED_REQUESTS = Number(process.env.BENCH_PACED_REQUESTS ?? 2000);
/** Bulk requests and hits in each. */
const BULK_REQUESTS = Number(process.env.BENCH_BULK_REQUESTS ?? 40);
const BULK_HITS = 500;
const BULK_IN_FLIGHT = 4;
/** Number of the first pageview of the bulk phase, above those of the other phases. */
const BULK_FIRST_INDEX = 100_000;
/** No phase runs longer than this. */
const PHASE_LIMIT_MS = 60_000;
/** Page URLs of the pageviews (bench/tracking-load-protocol.ts): `site` by default, `unique` for the writer's worst case. */
const URLS = (process.env.BENCH_TRACKING_URLS ?? 'site') as PageUrlShape;
if (!PAGE_URL_SHAPES.includes(URLS)) throw new Error(`Invalid BENCH_TRACKING_URLS ${JSON.stringify(URLS)}. Use one of: ${PAGE_URL_SHAPES.join(', ')}.`);

/** Sends the unmeasured warm-up requests to a server. */
async function warmUp(client: TrackingLoadClient, target: LoadTarget): Promise<void> {
  await client.run({ kind: 'closed-loop', target, urls: URLS, count: WARM_UP_REQUESTS, connections: CONCURRENCY, limitMs: PHASE_LIMIT_MS, traffic: 'warm-up' });
}

/** Sends `SINGLE_REQUESTS` single pageviews with `CONCURRENCY` in flight and returns requests per second. */
async function closedLoop(client: TrackingLoadClient, target: LoadTarget): Promise<number> {
  const result = await client.run({ kind: 'closed-loop', target, urls: URLS, count: SINGLE_REQUESTS, connections: CONCURRENCY, limitMs: PHASE_LIMIT_MS, traffic: 'measured' });
  return result.requests / result.seconds;
}

/** Sends `PACED_REQUESTS` pageviews at a fixed rate (open loop) and returns latency percentiles in ms. */
async function paced(client: TrackingLoadClient, target: LoadTarget, ratePerSecond: number): Promise<LatencyPercentiles> {
  const result = await client.run({
    kind: 'paced', target, urls: URLS, count: PACED_REQUESTS, ratePerSecond, firstIndex: SINGLE_REQUESTS, connections: CONCURRENCY, limitMs: PHASE_LIMIT_MS,
  });
  return result.latency!;
}

/** Sends `BULK_REQUESTS` bulk requests with `BULK_IN_FLIGHT` in flight and returns hits per second. */
async function bulk(client: TrackingLoadClient, target: LoadTarget): Promise<number> {
  const result = await client.run({
    kind: 'bulk', target, urls: URLS, count: BULK_REQUESTS, hitsPerRequest: BULK_HITS, firstIndex: BULK_FIRST_INDEX, connections: BULK_IN_FLIGHT, limitMs: PHASE_LIMIT_MS,
  });
  return (result.requests * BULK_HITS) / result.seconds;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

interface EngineResult {
  adapter: DatabaseAdapter;
  singleRate: number;
  latency: LatencyPercentiles;
  bulkRate: number;
  /** SQLite only: raw inserts of the tenant's rows, committed every `hitsPerCommit` hits. */
  raw?: RawInsertResult & { hitsPerCommit: number };
}

/** Re-inserts the rows of a SQLite tenant's file with raw SQLite INSERTs, in commits of the writer's largest batch. */
function measureRawBaseline(root: TestRoot, host: string): RawInsertResult & { hitsPerCommit: number } {
  const tenant = root.registry.resolve(parseTenantHost(host))!;
  const hitsPerCommit = tenant.settings.int('Tracker', 'write_batch_max_hits');
  return { ...measureRawSqliteInserts(tenant.databaseConfig, { hitsPerCommit, limitMs: PHASE_LIMIT_MS }), hitsPerCommit };
}

async function measureEngine(client: TrackingLoadClient, adapter: DatabaseAdapter): Promise<EngineResult> {
  const root = createTestRoot({ recheckMs: DEFAULT_RECHECK_MS });
  try {
    const { host } = await createTestTenant(root, { adapter, siteUrl: 'https://example.org' });
    // The server warms up its threads as server:run does.
    const app = await buildTestServer(root, undefined, { warmUp: true });
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const target = { port: Number(new URL(address).port), host };
    await warmUp(client, target);
    const singleRate = await closedLoop(client, target);
    const latency = await paced(client, target, singleRate / 2);
    const bulkRate = await bulk(client, target);
    await app.close();
    const raw = adapter === 'sqlite' ? measureRawBaseline(root, host) : undefined;
    return { adapter, singleRate, latency, bulkRate, raw };
  } finally {
    await deleteAllTenants(root);
  }
}

/** Formats the output lines of one engine, with ratios to the bare server's `bareRate` requests per second. */
function formatEngineLines(result: EngineResult, bareRate: number): string[] {
  const { adapter, raw } = result;
  const lines = [
    `${adapter} single pageviews: ${result.singleRate.toFixed(0)} hits/s, ${(result.singleRate / bareRate).toFixed(2)} x bare`,
    `${adapter} at half max rate (${(result.singleRate / 2).toFixed(0)}/s, ${PACED_REQUESTS} requests): p50 ${result.latency.p50.toFixed(1)} ms, p99 ${result.latency.p99.toFixed(1)} ms`,
  ];
  const bulkLine = `${adapter} bulk (${BULK_REQUESTS} x ${BULK_HITS} hits, ${BULK_IN_FLIGHT} connections): ${result.bulkRate.toFixed(0)} hits/s`;
  if (raw === undefined) return [...lines, bulkLine];

  return [
    ...lines,
    `${adapter} raw SQLite inserts of the same rows (${raw.hitsPerCommit} hits per commit, the writer's write_batch_max_hits): ${raw.hitsPerSecond.toFixed(0)} hits/s (${raw.hits} of ${raw.sourceHits} hits of all phases, ${raw.commits} commits)`,
    `${bulkLine}, ${(result.bulkRate / raw.hitsPerSecond).toFixed(2)} x raw SQLite inserts`,
  ];
}

/** Measures the bare server's requests per second, after its warm-up. */
async function measureBare(client: TrackingLoadClient): Promise<number> {
  const bare = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'image/gif', 'cache-control': 'no-store' });
    response.end(TRANSPARENT_GIF);
  });
  try {
    const target = { port: await listen(bare), host: 'bare.example' };
    await warmUp(client, target);
    return await closedLoop(client, target);
  } finally {
    bare.close();
  }
}

/** Measures the bare server and then every engine of `BENCH_ENGINES`, and returns the output lines. */
async function measureAll(client: TrackingLoadClient): Promise<string[]> {
  const bareRate = await measureBare(client);
  const lines = [
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    `bare node:http GIF: ${bareRate.toFixed(0)} requests/s (${SINGLE_REQUESTS} requests after ${WARM_UP_REQUESTS} warm-up requests, ${CONCURRENCY} connections)`,
    `page URLs: ${URLS}`,
  ];
  const engines = (process.env.BENCH_ENGINES ?? 'sqlite,mysql,pgsql').split(',') as DatabaseAdapter[];
  for (const adapter of engines) {
    const skip = await engineSkip(adapter);
    if (skip) {
      lines.push(`${adapter}: skipped, ${skip}`);
      continue;
    }
    lines.push(...formatEngineLines(await measureEngine(client, adapter), bareRate));
  }
  return lines;
}

async function main(): Promise<void> {
  const client = await TrackingLoadClient.start();
  try {
    const lines = await measureAll(client);
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await client.close();
  }
}

await main();
