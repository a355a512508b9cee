/**
 * Tracking benchmark: a bare node:http server that returns the GIF, against Footfall's
 * tracking endpoint on SQLite, MariaDB and PostgreSQL, all on 127.0.0.1. Prints hits per
 * second of each, their ratio to the bare server, latency percentiles at half of each
 * engine's maximum rate, and bulk hits per second. Every phase is bounded by a request
 * count and a time limit. `BENCH_ENGINES=sqlite,mysql` picks the engines. The server trusts
 * a tenant lookup for `DEFAULT_RECHECK_MS`, as `server:run` does.
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
import { createServer, request, Agent, type Server } from 'node:http';
import { cpus, totalmem } from 'node:os';
import type { DatabaseAdapter } from '../src/db/database-config.js';
import { deleteAllTenants } from '../test/support/console-runner.js';
import { engineSkip } from '../test/support/engines.js';
import { buildTestServer, createTestRoot, createTestTenant, type TestRoot } from '../test/support/test-root.js';
import { parseTenantHost } from '../src/tenancy/tenant-host.js';
import { DEFAULT_RECHECK_MS } from '../src/tenancy/tenant-registry.js';
import { TRANSPARENT_GIF } from '../src/tracking/tracker-response.js';
import { measureRawSqliteInserts, type RawInsertResult } from './raw-sqlite-inserts.js';

/** Requests of each closed-loop phase, and requests in flight at once. */
const SINGLE_REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);
/** Requests each server serves before its measured phases. */
const WARM_UP_REQUESTS = Number(process.env.BENCH_WARM_UP_REQUESTS ?? 2000);
/** The first visitor number of the warm-up requests, above those of the measured ones. */
const WARM_UP_VISITORS = 100_000;
const CONCURRENCY = 32;
/** Requests of the paced phase at half the maximum rate. */
const PACED_REQUESTS = Number(process.env.BENCH_PACED_REQUESTS ?? 2000);
/** Bulk requests and hits in each. */
const BULK_REQUESTS = Number(process.env.BENCH_BULK_REQUESTS ?? 40);
const BULK_HITS = 500;
const BULK_IN_FLIGHT = 4;
/** No phase runs longer than this. */
const PHASE_LIMIT_MS = 60_000;

/** User agents with `{patch}` where each browser's version number goes. */
const USER_AGENT_TEMPLATES = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.{patch}',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.{patch} Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.{patch} Safari/537.36',
  'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.{patch} Mobile Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.{patch} Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.{patch}',
];

/** 6 browsers × 50 versions: 300 distinct user agents, because real traffic has many. */
const USER_AGENTS = USER_AGENT_TEMPLATES.flatMap((template) =>
  Array.from({ length: 50 }, (_, patch) => template.replace('{patch}', String(patch))));
/** 6 browsers × 10 other versions, for the warm-up requests only. */
const WARM_UP_USER_AGENTS = USER_AGENT_TEMPLATES.flatMap((template) =>
  Array.from({ length: 10 }, (_, patch) => template.replace('{patch}', String(100 + patch))));

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

interface Target {
  port: number;
  host: string;
}

function send(target: Target, path: string, userAgent: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request({
      host: '127.0.0.1', port: target.port, path, agent, method: body === undefined ? 'GET' : 'POST',
      headers: { host: target.host, 'user-agent': userAgent, ...(body === undefined ? {} : { 'content-type': 'text/plain' }) },
    }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function pageviewPath(index: number, firstVisitor = 0): string {
  const visitor = (firstVisitor + (index % 500)).toString(16).padStart(16, '0');
  return `/matomo.php?idsite=1&rec=1&cid=${visitor}&url=${encodeURIComponent(`https://example.org/page/${index % 997}?ref=${index}`)}&action_name=Page%20${index % 997}`;
}

/** Sends `count` requests with `CONCURRENCY` in flight and returns requests per second. */
async function closedLoop(target: Target, count: number, pathOf: (index: number) => string, userAgents = USER_AGENTS): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count && performance.now() - started < PHASE_LIMIT_MS) {
      const index = next++;
      const status = await send(target, pathOf(index), userAgents[index % userAgents.length]!);
      if (status >= 300) throw new Error(`status ${status} for request ${index}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return next / ((performance.now() - started) / 1000);
}

/** Sends the unmeasured warm-up requests to a server. */
async function warmUp(target: Target): Promise<void> {
  await closedLoop(target, WARM_UP_REQUESTS, (index) => pageviewPath(index, WARM_UP_VISITORS), WARM_UP_USER_AGENTS);
}

/** Sends `count` requests at a fixed rate (open loop) and returns latency percentiles in ms. */
async function paced(target: Target, count: number, ratePerSecond: number): Promise<{ p50: number; p99: number }> {
  const latencies: number[] = [];
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let index = 0; index < count && performance.now() - started < PHASE_LIMIT_MS; index += 1) {
    const due = started + (index * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const sent = performance.now();
    pending.push(send(target, pageviewPath(SINGLE_REQUESTS + index), USER_AGENTS[index % USER_AGENTS.length]!).then(() => {
      latencies.push(performance.now() - sent);
    }));
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  const percentile = (share: number): number => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * share))]!;
  return { p50: percentile(0.5), p99: percentile(0.99) };
}

async function bulk(target: Target): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < BULK_REQUESTS && performance.now() - started < PHASE_LIMIT_MS) {
      const batch = next++;
      const requests = Array.from({ length: BULK_HITS }, (_, hit) => pageviewPath(batch * BULK_HITS + hit + 100_000).replace('/matomo.php', ''));
      const status = await send(target, '/matomo.php', USER_AGENTS[batch % USER_AGENTS.length]!, JSON.stringify({ requests }));
      if (status !== 200) throw new Error(`bulk status ${status}`);
    }
  };
  await Promise.all(Array.from({ length: BULK_IN_FLIGHT }, worker));
  return (next * BULK_HITS) / ((performance.now() - started) / 1000);
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

interface EngineResult {
  adapter: DatabaseAdapter;
  singleRate: number;
  latency: { p50: number; p99: number };
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

async function measureEngine(adapter: DatabaseAdapter): Promise<EngineResult> {
  const root = createTestRoot({ recheckMs: DEFAULT_RECHECK_MS });
  try {
    const { host } = await createTestTenant(root, { adapter, siteUrl: 'https://example.org' });
    const app = await buildTestServer(root);
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const target = { port: Number(new URL(address).port), host };
    await warmUp(target);
    const singleRate = await closedLoop(target, SINGLE_REQUESTS, pageviewPath);
    const latency = await paced(target, PACED_REQUESTS, singleRate / 2);
    const bulkRate = await bulk(target);
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

async function main(): Promise<void> {
  const bare = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'image/gif', 'cache-control': 'no-store' });
    response.end(TRANSPARENT_GIF);
  });
  const bareTarget = { port: await listen(bare), host: 'bare.example' };
  await warmUp(bareTarget);
  const bareRate = await closedLoop(bareTarget, SINGLE_REQUESTS, pageviewPath);
  bare.close();

  const lines = [
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    `bare node:http GIF: ${bareRate.toFixed(0)} requests/s (${SINGLE_REQUESTS} requests after ${WARM_UP_REQUESTS} warm-up requests, ${CONCURRENCY} connections)`,
  ];
  const engines = (process.env.BENCH_ENGINES ?? 'sqlite,mysql,pgsql').split(',') as DatabaseAdapter[];
  for (const adapter of engines) {
    const skip = await engineSkip(adapter);
    if (skip) {
      lines.push(`${adapter}: skipped, ${skip}`);
      continue;
    }
    lines.push(...formatEngineLines(await measureEngine(adapter), bareRate));
  }
  agent.destroy();
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
