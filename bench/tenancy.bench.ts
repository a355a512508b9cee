/**
 * Tenancy benchmark: 1,000 SQLite tenants in a temporary root, served by one `server:run`
 * child process on 127.0.0.1. It measures the server's resident memory after one API request
 * to each tenant, the time of `core:update --all-tenants`, and the latency that tenant
 * resolution adds to a request, each beside a baseline from the same run. Results go to the
 * "Tenancy" section of docs/benchmarks.md.
 *
 * Run with `npm run bench:tenancy`. Every load goes to 127.0.0.1 only and is bounded in
 * request count and time.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readEnvironment } from '../src/config/environment.js';
import { provisionDatabase } from '../src/db/database-provisioner.js';
import { buildRootPaths, buildTenantPaths } from '../src/tenancy/root-paths.js';
import { parseTenantHostName } from '../src/tenancy/tenant-host.js';
import { buildTenantConfig, createTenant, writeFileAtomically } from '../src/tenancy/tenant-provisioner.js';
import { TenantRegistry } from '../src/tenancy/tenant-registry.js';
import { SYSTEM_CLOCK } from '../src/time.js';

/** Tenants in the benchmark root. */
const TENANT_COUNT = Number(process.env.BENCH_TENANTS ?? 1000);
/** Requests per latency scenario and round. The scenarios take turns for several rounds, so drift hits all of them alike. */
const LATENCY_REQUESTS = 2500;
const LATENCY_ROUNDS = 4;
/** Maximum seconds one batch of a scenario may run. */
const LATENCY_MAX_SECONDS = 30;
/** Requests sent to each server before measuring, so connection set-up and JIT warm-up are not counted. */
const WARMUP_REQUESTS = 500;
/** Requests in flight at once during the load; the machine has few cores, so the load stays small. */
const CONCURRENCY = 4;
const PORT_WAIT_MS = 30_000;

const codeRoot = readEnvironment({}).codeRoot;
const consolePath = resolve(codeRoot, 'console');

function tenantHost(index: number): string {
  return `t${String(index).padStart(4, '0')}.bench.example`;
}

/** Creates one tenant the normal way, then copies its SQLite file and config for the others (same salt, so one token serves all). */
async function createTenants(root: string): Promise<string> {
  mkdirSync(resolve(root, 'config'), { recursive: true });
  writeFileSync(resolve(root, 'config', 'common.config.ini.php'), '; <?php exit; ?> DO NOT REMOVE THIS LINE\n[General]\npassword_hash_cost = 4\n');
  const rootPaths = buildRootPaths({ ...readEnvironment({}), root });
  const registry = new TenantRegistry(rootPaths, { recheckMs: 0 });
  const template = parseTenantHostName(tenantHost(0));
  const created = await createTenant(registry, {
    host: template, dbAdapter: 'sqlite', superuserLogin: 'admin', superuserEmail: 'admin@bench.example',
    siteName: 'Bench', siteUrl: 'https://bench.example', clock: SYSTEM_CLOCK,
  }, provisionDatabase);
  await registry.close();

  const templatePaths = buildTenantPaths(rootPaths, template);
  const salt = readFileSync(templatePaths.preferredConfig, 'utf8').match(/^salt = "([0-9a-f]+)"$/m)![1]!;
  for (let index = 1; index < TENANT_COUNT; index += 1) {
    const host = parseTenantHostName(tenantHost(index));
    const paths = buildTenantPaths(rootPaths, host);
    mkdirSync(paths.filesDir, { recursive: true });
    copyFileSync(resolve(templatePaths.filesDir, 'footfall.sqlite'), resolve(paths.filesDir, 'footfall.sqlite'));
    const config = buildTenantConfig(host, { adapter: 'sqlite', sqlite_file: 'footfall.sqlite' });
    config.set('General', 'salt', salt);
    writeFileAtomically(paths.preferredConfig, config.toString());
  }
  return created.tokenAuth;
}

/** Writes TENANT_COUNT tenant configs whose SQLite databases do not exist yet, so each is at schema version 0. */
function createTenantsAtVersionZero(root: string): void {
  mkdirSync(resolve(root, 'config'), { recursive: true });
  const rootPaths = buildRootPaths({ ...readEnvironment({}), root });
  for (let index = 0; index < TENANT_COUNT; index += 1) {
    const host = parseTenantHostName(tenantHost(index));
    const config = buildTenantConfig(host, { adapter: 'sqlite', sqlite_file: 'footfall.sqlite' });
    writeFileAtomically(buildTenantPaths(rootPaths, host).preferredConfig, config.toString());
  }
}

/** Runs `./console ARGS` against a root and returns its wall-clock seconds. */
function timeConsole(root: string, args: string[]): number {
  const started = Date.now();
  execFileSync(consolePath, args, { env: { ...process.env, FOOTFALL_ROOT: root, FOOTFALL_LOG_LEVEL: 'warn' }, stdio: 'ignore', timeout: 600_000 });
  return (Date.now() - started) / 1000;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = http.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
    server.on('error', reject);
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function get(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolveRequest, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, headers: { host }, agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => { body += chunk; });
      response.on('end', () => resolveRequest({ status: response.statusCode ?? 0, body }));
    });
    request.setTimeout(10_000, () => request.destroy(new Error(`GET ${path} for ${host} timed out`)));
    request.on('error', reject);
  });
}

async function waitForServer(port: number): Promise<void> {
  const deadline = Date.now() + PORT_WAIT_MS;
  while (Date.now() < deadline) {
    try {
      if ((await get(port, '/healthz', 'localhost')).status === 200) return;
    } catch {
      await new Promise((done) => setTimeout(done, 100));
    }
  }
  throw new Error(`The server did not respond on 127.0.0.1:${port} within ${PORT_WAIT_MS} ms.`);
}

function startServer(root: string, port: number): ChildProcess {
  return spawn(consolePath, ['server:run', `--port=${port}`, '--host=127.0.0.1'], {
    env: { ...process.env, FOOTFALL_ROOT: root, FOOTFALL_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
}

/** Returns the resident set size of a process in MiB, from /proc (Linux only). */
function residentMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)![1]) / 1024;
}

/** Sends `count` GETs with CONCURRENCY in flight, stopping early at the time limit, and returns each one's milliseconds. */
async function measureLatency(
  port: number, path: string, hostOf: (index: number) => string, expectedBody: string | null, count = LATENCY_REQUESTS,
): Promise<number[]> {
  const durations: number[] = [];
  const deadline = Date.now() + LATENCY_MAX_SECONDS * 1000;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count && Date.now() < deadline) {
      const index = next++;
      const started = process.hrtime.bigint();
      const response = await get(port, path, hostOf(index));
      durations.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (response.status !== 200 || (expectedBody !== null && response.body !== expectedBody)) {
        throw new Error(`GET ${path} for ${hostOf(index)} returned status ${response.status}: ${response.body.slice(0, 200)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return durations;
}

/** Warms every scenario up, then runs them in turns for LATENCY_ROUNDS rounds and returns each one's durations. */
async function runScenarios<K extends string>(scenarios: Record<K, () => Promise<number[]>>): Promise<Record<K, number[]>> {
  const names = Object.keys(scenarios) as K[];
  const durations = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>;
  for (const name of names) {
    for (let sent = 0; sent < WARMUP_REQUESTS; sent += LATENCY_REQUESTS) await scenarios[name]();
  }
  for (let round = 0; round < LATENCY_ROUNDS; round += 1) {
    for (const name of names) durations[name].push(...(await scenarios[name]()));
  }
  return durations;
}

interface LatencySummary {
  requests: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
}

function summarise(durations: number[]): LatencySummary {
  const sorted = [...durations].sort((a, b) => a - b);
  const at = (share: number): number => sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]!;
  return { requests: sorted.length, meanMs: sorted.reduce((sum, value) => sum + value, 0) / sorted.length, p50Ms: at(0.5), p99Ms: at(0.99) };
}

/** Starts a bare node:http server that sends `body` for every request, as the baseline route. */
async function startBareServer(body: string, contentType: string): Promise<http.Server> {
  const server = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    response.end(body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return server;
}

function describeMachine(): string[] {
  const memory = execFileSync('free', ['-h'], { encoding: 'utf8' }).split('\n').find((line) => line.startsWith('Mem:'))?.trim() ?? 'unknown';
  return [
    `- CPU: ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores (nproc), ${cpus()[0]?.model ?? 'unknown model'}`,
    `- Memory (free -h): \`${memory.replace(/\s+/g, ' ')}\``,
    `- Node.js ${process.version}, ${process.platform} ${process.arch}`,
  ];
}

const format = (value: number): string => value.toFixed(2);

function writeReport(lines: string[]): void {
  const file = resolve(codeRoot, 'docs', 'benchmarks.md');
  const section = ['## Tenancy', '', ...lines, ''].join('\n');
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\nMeasured speed and memory of Footfall, with the machine each number comes from.\n\n';
  const start = existing.indexOf('## Tenancy\n');
  const end = start < 0 ? -1 : existing.indexOf('\n## ', start + 1);
  const updated = start < 0 ? `${existing.trimEnd()}\n\n${section}` : `${existing.slice(0, start)}${section}${end < 0 ? '' : existing.slice(end + 1)}`;
  mkdirSync(resolve(codeRoot, 'docs'), { recursive: true });
  writeFileSync(file, updated.endsWith('\n') ? updated : `${updated}\n`);
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'footfall-bench-'));
  const emptyRoot = mkdtempSync(join(tmpdir(), 'footfall-bench-empty-'));
  let server: ChildProcess | undefined;
  try {
    const setupStarted = Date.now();
    const token = await createTenants(root);
    process.stderr.write(`bench: ${TENANT_COUNT} tenants created in ${((Date.now() - setupStarted) / 1000).toFixed(1)} s\n`);

    const updateSeconds = timeConsole(root, ['core:update', '--all-tenants']);
    const listSeconds = timeConsole(root, ['tenant:list', '--json']);
    createTenantsAtVersionZero(emptyRoot);
    const migrateSeconds = timeConsole(emptyRoot, ['core:update', '--all-tenants']);
    rmSync(emptyRoot, { recursive: true, force: true });
    process.stderr.write(`bench: core:update --all-tenants took ${updateSeconds.toFixed(1)} s (current), ${migrateSeconds.toFixed(1)} s (from version 0)\n`);

    const port = await freePort();
    server = startServer(root, port);
    await waitForServer(port);
    const idleMiB = residentMiB(server.pid!);
    const apiPath = `/index.php?module=API&method=API.getMatomoVersion&format=json&token_auth=${token}`;
    const apiDurations = await measureLatency(port, apiPath, tenantHost, '{"value":"5.1.0"}', TENANT_COUNT);
    if (apiDurations.length < TENANT_COUNT) throw new Error(`Only ${apiDurations.length} of ${TENANT_COUNT} tenants were requested within ${LATENCY_MAX_SECONDS} s.`);
    const afterApiMiB = residentMiB(server.pid!);
    process.stderr.write(`bench: resident memory ${idleMiB.toFixed(0)} MiB idle, ${afterApiMiB.toFixed(0)} MiB after one API request per tenant\n`);

    const homeBody = (await get(port, '/', tenantHost(1))).body;
    const healthBody = (await get(port, '/healthz', 'localhost')).body;
    const bareHome = await startBareServer(homeBody, 'text/plain; charset=utf-8');
    const bareHealth = await startBareServer(healthBody, 'application/json; charset=utf-8');
    const barePort = (bareServer: http.Server): number => (bareServer.address() as AddressInfo).port;
    const scenarios = {
      bareHome: () => measureLatency(barePort(bareHome), '/', tenantHost, homeBody),
      bareHealth: () => measureLatency(barePort(bareHealth), '/healthz', () => 'localhost', healthBody),
      health: () => measureLatency(port, '/healthz', () => 'localhost', healthBody),
      home: () => measureLatency(port, '/', (index) => tenantHost(index % TENANT_COUNT), null),
    };
    const durations = await runScenarios(scenarios);
    const results = {
      bareHome: summarise(durations.bareHome), bareHealth: summarise(durations.bareHealth),
      health: summarise(durations.health), home: summarise(durations.home),
    };
    bareHome.close();
    bareHealth.close();
    const addedMs = results.home.meanMs - results.health.meanMs;

    writeReport([
      `Measured by \`npm run bench:tenancy\` (bench/tenancy.bench.ts) on ${new Date().toISOString().slice(0, 10)}, ${TENANT_COUNT} SQLite tenants in a temporary root,`,
      `one \`server:run\` child process on 127.0.0.1, ${CONCURRENCY} requests in flight from a client in another process on the same machine.`,
      'The tenants are copies of one created tenant (same salt), so one token reaches them all; `max_open_tenant_databases` is the default 200.',
      '',
      '| measure | result | baseline in the same run | ratio | goal |',
      '| --- | --- | --- | --- | --- |',
      `| resident memory after one \`API.getMatomoVersion\` request to each tenant | ${afterApiMiB.toFixed(0)} MiB | ${idleMiB.toFixed(0)} MiB (same server, idle, before any tenant request) | ${format(afterApiMiB / idleMiB)} | < 500 MB |`,
      `| \`core:update --all-tenants\`, every schema current | ${updateSeconds.toFixed(1)} s | ${listSeconds.toFixed(1)} s (\`tenant:list\`, which reads every schema version too) | ${format(updateSeconds / listSeconds)} | < 60 s |`,
      `| \`core:update --all-tenants\`, every tenant at version 0 (whole schema created) | ${migrateSeconds.toFixed(1)} s | ${listSeconds.toFixed(1)} s (\`tenant:list\` above) | ${format(migrateSeconds / listSeconds)} | < 60 s |`,
      `| mean latency of \`/\` with tenant resolution (Host cycling over all tenants) | ${format(results.home.meanMs)} ms (p50 ${format(results.home.p50Ms)}, p99 ${format(results.home.p99Ms)}) | ${format(results.bareHome.meanMs)} ms (bare \`node:http\` answering the same bytes) | ${format(results.home.meanMs / results.bareHome.meanMs)} | |`,
      `| mean latency of \`/healthz\` (no tenant resolution) | ${format(results.health.meanMs)} ms (p50 ${format(results.health.p50Ms)}, p99 ${format(results.health.p99Ms)}) | ${format(results.bareHealth.meanMs)} ms (bare \`node:http\` answering the same bytes) | ${format(results.health.meanMs / results.bareHealth.meanMs)} | |`,
      `| latency tenant resolution adds (\`/\` minus \`/healthz\`, both on Footfall) | ${format(addedMs)} ms | ${format(results.bareHome.meanMs)} ms (bare route) | ${format(addedMs / results.bareHome.meanMs)} | |`,
      '',
      `Requests per latency scenario: ${results.home.requests} (${LATENCY_ROUNDS} rounds of at most ${LATENCY_REQUESTS}, each at most ${LATENCY_MAX_SECONDS} s, after a warm-up that is not counted).`,
      'Each number comes from one run. Other processes may share the machine, so repeat runs differ, most of all the sub-millisecond latencies; compare ratios from the same run.',
      '',
      'Machine:',
      '',
      ...describeMachine(),
    ]);
    process.stderr.write(`bench: results written to docs/benchmarks.md\n${JSON.stringify({ idleMiB, afterApiMiB, updateSeconds, migrateSeconds, listSeconds, results }, null, 2)}\n`);
  } finally {
    if (server) await stopServer(server);
    agent.destroy();
    rmSync(root, { recursive: true, force: true });
    rmSync(emptyRoot, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
