/**
 * Archiving benchmark on SQLite, each measure beside a baseline from the same run:
 *
 * 1. archiving one day of generated logs (actions/s) against a plain SELECT of the same
 *    action rows (rows/s), with `SELECT count(*)` of those rows as a second, index-only baseline;
 * 2. `core:archive --all-tenants` over many sites with few dirty ones against `tenant:list`
 *    over the same tenants;
 * 3. p95 latency of reports served from stored archives through the HTTP API on 127.0.0.1
 *    against `/healthz` on the same server.
 *
 * Run with `npm run bench:archiving`. Sizes: `BENCH_ACTIONS` (visits are a fifth of it),
 * `BENCH_TENANTS`, `BENCH_SITES`. Results go to the "Archiving" section of docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import Sqlite from 'better-sqlite3';
import { runCoreArchive } from '../src/archiving/core-archive.js';
import { createSilentLogger } from '../src/logging.js';
import { createSite } from '../src/sites/site-store.js';
import { buildTenantPaths } from '../src/tenancy/root-paths.js';
import { parseTenantHostName } from '../src/tenancy/tenant-host.js';
import { buildTenantConfig, writeFileAtomically } from '../src/tenancy/tenant-provisioner.js';
import { createTestRoot, createTestTenant, buildTestServer, type TestRoot } from '../test/support/test-root.js';
import { DEFAULT_VISIT_COLUMNS } from '../test/support/log-factories.js';

/** Actions of the generated day. Visits are a fifth of them, so each visit has five actions. */
const ACTIONS = Number(process.env.BENCH_ACTIONS ?? 1_000_000);
const VISITS = Math.max(1, Math.floor(ACTIONS / 5));
const TENANTS = Number(process.env.BENCH_TENANTS ?? 100);
const SITES_PER_TENANT = Number(process.env.BENCH_SITES ?? 100);
/** Share of all sites that get new hits on the archived day. */
const DIRTY_SHARE = 0.01;
/** Requests per latency scenario, sent after WARMUP_REQUESTS uncounted ones. Each scenario stops after LATENCY_MAX_MS. */
const LATENCY_REQUESTS = 500;
const WARMUP_REQUESTS = 20;
const LATENCY_MAX_MS = 30_000;
/** Distinct page URLs (and titles) of the generated day. */
const PAGE_COUNT = 1000;
const DAY = '2024-05-01';

const consolePath = resolve(process.cwd(), 'console');

/** Columns of a generated visit: the tests' default visit with five actions over two minutes. */
const VISIT_COLUMNS: Record<string, string | number | null> = { ...DEFAULT_VISIT_COLUMNS, visit_total_actions: 5, visit_total_interactions: 5, visit_total_time: 120 };
const COUNTRIES = ['fr', 'de', 'us', 'gb', 'jp', 'br', 'in', 'es'];
const BROWSERS = ['FF', 'CH', 'SF', 'ED'];

function sqlitePath(root: TestRoot, host: string): string {
  return resolve(buildTenantPaths(root.rootPaths, parseTenantHostName(host)).filesDir, 'footfall.sqlite');
}

function utcTime(day: string, second: number): string {
  const hours = String(Math.floor(second / 3600)).padStart(2, '0');
  const minutes = String(Math.floor(second / 60) % 60).padStart(2, '0');
  const seconds = String(second % 60).padStart(2, '0');
  return `${day} ${hours}:${minutes}:${seconds}`;
}

/**
 * Writes `visits` visits of five pageviews each to one site on DAY through the tenant's
 * own SQLite file, with one prepared statement per table inside transactions, and marks
 * the day dirty as tracking does.
 */
function generateDay(file: string, prefix: string, siteId: number, visits: number, pageCount: number): void {
  const sqlite = new Sqlite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = OFF');
  const insertAction = sqlite.prepare(`INSERT INTO ${prefix}log_action (name, hash, type, url_prefix) VALUES (?, ?, ?, ?)`);
  const urlIds: number[] = [];
  const titleIds: number[] = [];
  sqlite.transaction(() => {
    for (let page = 0; page < pageCount; page += 1) {
      urlIds.push(Number(insertAction.run(`bench.example/page/${page}`, page, 1, 2).lastInsertRowid));
      titleIds.push(Number(insertAction.run(`Page ${page}`, page, 4, null).lastInsertRowid));
    }
  })();

  const visitNames = ['idsite', 'visit_first_action_time', 'visit_last_action_time', ...Object.keys(VISIT_COLUMNS)];
  const insertVisit = sqlite.prepare(`INSERT INTO ${prefix}log_visit (${visitNames.join(', ')}) VALUES (${visitNames.map((name) => `@${name}`).join(', ')})`);
  const insertLink = sqlite.prepare(
    `INSERT INTO ${prefix}log_link_visit_action (idsite, idvisitor, idvisit, server_time, idaction_url, idaction_name, time_spent) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const visit: Record<string, string | number | null> = { ...VISIT_COLUMNS, idsite: siteId };
  const BATCH = 10_000;
  for (let start = 0; start < visits; start += BATCH) {
    sqlite.transaction(() => {
      for (let index = start; index < Math.min(visits, start + BATCH); index += 1) {
        const first = Math.floor((index / visits) * 86_000);
        visit.visit_first_action_time = utcTime(DAY, first);
        visit.visit_last_action_time = utcTime(DAY, first + 120);
        visit.location_country = COUNTRIES[index % COUNTRIES.length]!;
        visit.config_browser_name = BROWSERS[index % BROWSERS.length]!;
        visit.visitor_returning = index % 3 === 0 ? 1 : 0;
        const page = index % pageCount;
        visit.visit_entry_idaction_url = urlIds[page]!;
        visit.visit_exit_idaction_url = urlIds[(page + 4) % pageCount]!;
        const idvisit = Number(insertVisit.run(visit).lastInsertRowid);
        for (let step = 0; step < 5; step += 1) {
          const action = (page + step) % pageCount;
          insertLink.run(siteId, VISIT_COLUMNS.idvisitor, idvisit, utcTime(DAY, first + step * 30), urlIds[action]!, titleIds[action]!, 30);
        }
      }
    })();
  }
  sqlite.prepare(`INSERT INTO ${prefix}archive_invalidations (idsite, date, ts_invalidated) VALUES (?, ?, '2024-05-02 00:00:00')`).run(siteId, DAY);
  sqlite.close();
}

/** Reads every action row of the day with a plain SELECT and returns rows per second. */
function measureSelect(file: string, prefix: string, siteId: number): { rows: number; perSecond: number } {
  const sqlite = new Sqlite(file, { readonly: true });
  const statement = sqlite.prepare(`SELECT * FROM ${prefix}log_link_visit_action WHERE idsite = ? AND server_time >= ? AND server_time < ?`);
  const started = performance.now();
  let rows = 0;
  for (const row of statement.iterate(siteId, `${DAY} 00:00:00`, '2024-05-02 00:00:00')) if (row) rows += 1;
  const seconds = (performance.now() - started) / 1000;
  sqlite.close();
  return { rows, perSecond: rows / seconds };
}

/** Counts the day's action rows with `SELECT count(*)`, which reads the index only, and returns rows per second. */
function measureCount(file: string, prefix: string, siteId: number): { rows: number; perSecond: number } {
  const sqlite = new Sqlite(file, { readonly: true });
  const statement = sqlite.prepare(`SELECT count(*) FROM ${prefix}log_link_visit_action WHERE idsite = ? AND server_time >= ? AND server_time < ?`).pluck();
  const started = performance.now();
  const rows = Number(statement.get(siteId, `${DAY} 00:00:00`, '2024-05-02 00:00:00'));
  const seconds = (performance.now() - started) / 1000;
  sqlite.close();
  return { rows, perSecond: rows / seconds };
}

function get(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolveRequest, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, headers: { host } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => { body += chunk; });
      response.on('end', () => resolveRequest({ status: response.statusCode ?? 0, body }));
    });
    request.setTimeout(10_000, () => request.destroy(new Error(`GET ${path} timed out after 10 s`)));
    request.on('error', reject);
  });
}

/** Sends the requests one after the other and returns the p95 and p50 latency in milliseconds. */
async function measureLatency(port: number, path: string, host: string): Promise<{ p50: number; p95: number; count: number }> {
  for (let index = 0; index < WARMUP_REQUESTS; index += 1) {
    const response = await get(port, path, host);
    if (response.status !== 200 || response.body.includes('"result":"error"')) throw new Error(`GET ${path} failed: ${response.status} ${response.body.slice(0, 200)}`);
  }
  const times: number[] = [];
  const deadline = Date.now() + LATENCY_MAX_MS;
  while (times.length < LATENCY_REQUESTS && Date.now() < deadline) {
    const started = performance.now();
    await get(port, path, host);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (share: number): number => times[Math.min(times.length - 1, Math.floor(share * times.length))]!;
  return { p50: at(0.5), p95: at(0.95), count: times.length };
}

/** Scenarios 1 and 3: one tenant with one generated day. */
async function benchOneDay(): Promise<void> {
  const root = createTestRoot();
  try {
    const created = await createTestTenant(root, { timezone: 'UTC' });
    const tenant = root.registry.require(created.host);
    const file = sqlitePath(root, created.host);
    const prefix = tenant.settings.string('database', 'tables_prefix');

    const generateStarted = performance.now();
    generateDay(file, prefix, created.idSite, VISITS, PAGE_COUNT);
    console.log(`generated ${VISITS} visits and ${VISITS * 5} actions in ${((performance.now() - generateStarted) / 1000).toFixed(1)} s`);

    const select = measureSelect(file, prefix, created.idSite);
    const count = measureCount(file, prefix, created.idSite);
    const context = { db: tenant.db(), settings: tenant.settings, clock: () => new Date('2024-05-02T01:00:00Z'), logger: createSilentLogger(), tenant: tenant.key };
    const archiveStarted = performance.now();
    const result = await runCoreArchive(context, { periods: ['day'] });
    const archiveSeconds = (performance.now() - archiveStarted) / 1000;
    if (result.archives !== 1) throw new Error(`Expected one day archive, got ${JSON.stringify(result)}`);
    const actionsPerSecond = select.rows / archiveSeconds;
    console.log(`plain SELECT of the day's actions: ${Math.round(select.perSecond)} rows/s (${select.rows} rows)`);
    console.log(`SELECT count(*) of the day's actions: ${Math.round(count.perSecond)} rows/s (${count.rows} rows)`);
    console.log(`day archive: ${Math.round(actionsPerSecond)} actions/s (${archiveSeconds.toFixed(2)} s), ratio ${(actionsPerSecond / select.perSecond).toFixed(3)} to the plain SELECT and ${(actionsPerSecond / count.perSecond).toFixed(4)} to count(*), goal >= 250000`);

    // Stores the week, month and year archives, so the API serves them without computing.
    await tenant.db().insertInto('archive_invalidations').values({ idsite: created.idSite, date: DAY, ts_invalidated: '2024-05-02 00:00:00' }).execute();
    await runCoreArchive(context, { periods: ['week', 'month', 'year'] });

    const app = await buildTestServer(root);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    try {
      const api = `/index.php?module=API&format=json&idSite=${created.idSite}&token_auth=${created.tokenAuth}`;
      const health = await measureLatency(port, '/healthz', created.host);
      const year = await measureLatency(port, `${api}&method=VisitsSummary.get&period=year&date=${DAY}`, created.host);
      const month = await measureLatency(port, `${api}&method=Actions.getPageUrls&period=month&date=${DAY}`, created.host);
      console.log(`/healthz: p50 ${health.p50.toFixed(2)} ms, p95 ${health.p95.toFixed(2)} ms (${health.count} requests)`);
      console.log(`VisitsSummary.get year: p50 ${year.p50.toFixed(2)} ms, p95 ${year.p95.toFixed(2)} ms (${year.count} requests), p95 ratio ${(year.p95 / health.p95).toFixed(1)}, goal < 20 ms`);
      console.log(`Actions.getPageUrls month: p50 ${month.p50.toFixed(2)} ms, p95 ${month.p95.toFixed(2)} ms (${month.count} requests), p95 ratio ${(month.p95 / health.p95).toFixed(1)}, goal < 50 ms`);
    } finally {
      await app.close();
    }
  } finally {
    await root.cleanup();
  }
}

function timeConsole(dir: string, args: string[]): number {
  const started = performance.now();
  execFileSync(consolePath, args, { env: { ...process.env, FOOTFALL_ROOT: dir, FOOTFALL_LOG_LEVEL: 'warn' }, stdio: 'ignore', timeout: 600_000 });
  return (performance.now() - started) / 1000;
}

/** Scenario 2: TENANTS copies of one tenant with SITES_PER_TENANT sites, DIRTY_SHARE of the sites with hits on DAY. */
async function benchManySites(): Promise<void> {
  const root = createTestRoot();
  try {
    const template = await createTestTenant(root, { host: 'a0000.bench.example', timezone: 'UTC' });
    const templateTenant = root.registry.require(template.host);
    const db = templateTenant.db();
    const prefix = templateTenant.settings.string('database', 'tables_prefix');
    for (let index = 1; index < SITES_PER_TENANT; index += 1) {
      await createSite(db, { name: `Site ${index}`, urls: [`https://s${index}.bench.example`] }, { timezone: 'UTC', currency: 'USD', creatorLogin: 'admin' });
    }
    await root.registry.close();
    const templateFile = sqlitePath(root, template.host);

    const totalSites = TENANTS * SITES_PER_TENANT;
    const dirtySites = Math.max(1, Math.round(totalSites * DIRTY_SHARE));
    const dirtyPerTenant = Math.ceil(dirtySites / TENANTS);
    for (let index = 0; index < TENANTS; index += 1) {
      const host = `a${String(index).padStart(4, '0')}.bench.example`;
      const paths = buildTenantPaths(root.rootPaths, parseTenantHostName(host));
      if (index > 0) {
        mkdirSync(paths.filesDir, { recursive: true });
        copyFileSync(templateFile, resolve(paths.filesDir, 'footfall.sqlite'));
        writeFileAtomically(paths.preferredConfig, buildTenantConfig(parseTenantHostName(host), { adapter: 'sqlite', sqlite_file: 'footfall.sqlite' }).toString());
      }
    }
    // Hits are written after every copy is made, so each tenant gets only its own dirty sites.
    for (let index = 0; index < TENANTS; index += 1) {
      const paths = buildTenantPaths(root.rootPaths, parseTenantHostName(`a${String(index).padStart(4, '0')}.bench.example`));
      const dirtyHere = Math.min(dirtyPerTenant, dirtySites - index * dirtyPerTenant);
      for (let site = 1; site <= dirtyHere; site += 1) generateDay(resolve(paths.filesDir, 'footfall.sqlite'), prefix, site, 20, 10);
    }

    const list = timeConsole(root.dir, ['tenant:list']);
    const archive = timeConsole(root.dir, ['core:archive', '--all-tenants']);
    console.log(`${TENANTS} tenants x ${SITES_PER_TENANT} sites, ${dirtySites} dirty: core:archive --all-tenants ${archive.toFixed(1)} s, tenant:list ${list.toFixed(1)} s, ratio ${(archive / list).toFixed(2)}, goal < 60 s`);
  } finally {
    await root.cleanup();
  }
}

console.log(`Node ${process.version}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${cpus()[0]?.model ?? 'unknown CPU'}`);
console.log(`sizes: ${ACTIONS} actions in ${VISITS} visits; ${TENANTS} tenants x ${SITES_PER_TENANT} sites`);
await benchOneDay();
await benchManySites();
