/**
 * Log import benchmark: generates a combined access log, times reading and splitting it
 * alone, then times `log:import` of the same file into one SQLite tenant. Prints lines per
 * second of both and their ratio. The import stops after `BENCH_IMPORT_LIMIT_MS`.
 *
 * It also times `log:import --dry-run` of the same file, which runs every step before the
 * tracking writer and stores nothing: the import's cost without the writer's.
 *
 * The second baseline re-inserts the rows the import stored into a copy of the tenant's log
 * tables, with raw SQLite INSERTs in transactions of `IMPORT_WRITE_BATCH_MAX_HITS` hits, the
 * importer's commit size (bench/raw-sqlite-inserts.ts). It prints the hits per second of both,
 * so the import can be compared with what SQLite alone reaches on the same rows. This
 * baseline also stops after `BENCH_IMPORT_LIMIT_MS`.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { HitBuilder } from '../src/import/hit-builder.js';
import { readLogLines } from '../src/import/log-file-reader.js';
import { IMPORT_WRITE_BATCH_MAX_HITS, LogImporter } from '../src/import/log-importer.js';
import { buildFixedSiteResolver } from '../src/import/site-resolver.js';
import { createSilentLogger } from '../src/logging.js';
import { parseTenantHost } from '../src/tenancy/tenant-host.js';
import { DeviceDetection } from '../src/tracking/device-detection.js';
import { TrackingPipeline } from '../src/tracking/tracking-pipeline.js';
import { createTestRoot, createTestTenant } from '../test/support/test-root.js';
import { measureRawSqliteInserts, type RawInsertResult } from './raw-sqlite-inserts.js';

/** Lines of the generated log. */
const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
/** The import stops reading after this many milliseconds; the lines read by then are counted. */
const IMPORT_LIMIT_MS = Number(process.env.BENCH_IMPORT_LIMIT_MS ?? 300_000);

const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0',
];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Formats a time as Apache does, in UTC: `05/Nov/2026:10:00:00 +0000`. */
function apacheTime(time: Date): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${pad(time.getUTCDate())}/${MONTHS[time.getUTCMonth()]}/${time.getUTCFullYear()}:${pad(time.getUTCHours())}:${pad(time.getUTCMinutes())}:${pad(time.getUTCSeconds())} +0000`;
}

/** Writes `count` combined lines: 20,000 visitors on 997 pages over one day ending an hour ago. */
async function generateLog(path: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  const start = Date.now() - 25 * 3_600_000;
  for (let index = 0; index < count; index += 1) {
    const visitor = index % 20_000;
    const ip = `10.${(visitor >> 16) & 255}.${(visitor >> 8) & 255}.${visitor & 255}`;
    const time = apacheTime(new Date(start + Math.floor((index / count) * 86_400_000)));
    const line = `${ip} - - [${time}] "GET /page/${index % 997}?id=${index} HTTP/1.1" 200 ${1000 + (index % 5000)} "https://search.example.net/?q=${index % 97}" "${USER_AGENTS[visitor % USER_AGENTS.length]}"\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Reads the file and splits each line at spaces, the least any import must do; returns lines per second. */
async function measureReadAndSplit(path: string): Promise<number> {
  const started = performance.now();
  let lines = 0;
  let fields = 0;
  for await (const line of readLogLines(path)) {
    lines += 1;
    fields += line.split(' ').length;
  }
  const seconds = (performance.now() - started) / 1000;
  if (fields === 0) throw new Error('The generated log is empty.');
  return lines / seconds;
}

/** Rates of one import, and for a real import the raw SQLite baseline of the rows it stored. */
interface ImportMeasure {
  linesPerSecond: number;
  /** Hits the import recorded per second. */
  hitsPerSecond: number;
  lines: number;
  imported: number;
  raw?: RawInsertResult;
}

async function measureImport(path: string, dryRun: boolean): Promise<ImportMeasure> {
  const root = createTestRoot();
  try {
    const { host } = await createTestTenant(root, { timezone: 'UTC', siteUrl: 'https://www.example.com' });
    const tenant = root.registry.resolve(parseTenantHost(host))!;
    const devices = new DeviceDetection();
    const pipeline = new TrackingPipeline(createSilentLogger(), devices, { writeBatchMaxHits: IMPORT_WRITE_BATCH_MAX_HITS });
    const builder = new HitBuilder(
      { enableStatic: false, enableBots: false, enableHttpErrors: false, enableHttpRedirects: false, replayTracking: false, excludePaths: [] },
      await buildFixedSiteResolver(tenant.db(), 1, tenant.host), devices,
    );
    const importer = new LogImporter(
      { tenant, pipeline, dryRun, owner: { login: 'admin', superuser: true, roles: new Map() }, now: () => new Date() },
      builder, { timezone: 'UTC', signal: AbortSignal.timeout(IMPORT_LIMIT_MS) },
    );
    const started = performance.now();
    await importer.importFile(path);
    await pipeline.flush();
    const seconds = (performance.now() - started) / 1000;
    const imported = importer.result().imported;
    const raw = dryRun ? undefined : measureRawSqliteInserts(tenant.databaseConfig, { hitsPerCommit: IMPORT_WRITE_BATCH_MAX_HITS, limitMs: IMPORT_LIMIT_MS });
    return { linesPerSecond: importer.lines / seconds, hitsPerSecond: imported / seconds, lines: importer.lines, imported, raw };
  } finally {
    await root.cleanup();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'footfall-import-bench-'));
try {
  const path = join(dir, 'access.log');
  await generateLog(path, LINES);
  const readRate = await measureReadAndSplit(path);
  const dryRun = await measureImport(path, true);
  const imported = await measureImport(path, false);
  const raw = imported.raw!;
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
  console.log(`read and split: ${Math.round(readRate)} lines/s (${LINES} lines)`);
  console.log(`raw SQLite inserts of the same rows (${IMPORT_WRITE_BATCH_MAX_HITS} hits per commit): ${Math.round(raw.hitsPerSecond)} hits/s (${raw.hits} of ${raw.sourceHits} hits, ${raw.commits} commits)`);
  console.log(`log:import: ${Math.round(imported.linesPerSecond)} lines/s (${imported.lines} lines read, ${imported.imported} imported)`);
  console.log(`ratio: ${((imported.linesPerSecond / readRate) * 100).toFixed(1)}% of read and split`);
  console.log(`ratio: ${((imported.hitsPerSecond / raw.hitsPerSecond) * 100).toFixed(1)}% of raw SQLite inserts (${Math.round(imported.hitsPerSecond)} hits/s recorded)`);
  console.log(`log:import --dry-run: ${Math.round(dryRun.linesPerSecond)} lines/s (${dryRun.lines} lines read, ${dryRun.imported} accepted), ${((dryRun.linesPerSecond / readRate) * 100).toFixed(1)}% of read and split`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
