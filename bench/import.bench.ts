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
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { HitBuilder } from '../src/import/hit-builder.js';
import { OVERLONG_LINE, readLogLines } from '../src/import/log-file-reader.js';
import { createImportDeviceDetection, IMPORT_WRITE_BATCH_MAX_HITS, LogImporter } from '../src/import/log-importer.js';
import { buildFixedSiteResolver } from '../src/import/site-resolver.js';
import { createSilentLogger } from '../src/logging.js';
import { parseTenantHost } from '../src/tenancy/tenant-host.js';
import { TrackingPipeline } from '../src/tracking/tracking-pipeline.js';
import { createTestRoot, createTestTenant } from '../test/support/test-root.js';
import { ACCESS_LOG_SHAPES, DEFAULT_VISIT_USER_AGENTS, generateAccessLog, type AccessLogShape } from './access-log-generator.js';
import { measureRawSqliteInserts, type RawInsertResult } from './raw-sqlite-inserts.js';

/** Lines of the generated log. */
const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
/** The import stops reading after this many milliseconds; the lines read by then are counted. */
const IMPORT_LIMIT_MS = Number(process.env.BENCH_IMPORT_LIMIT_MS ?? 300_000);
/** Shape of the generated log (bench/access-log-generator.ts): `visits` by default, `all-day` for the writer's worst case. */
const SHAPE = (process.env.BENCH_LOG_SHAPE ?? 'visits') as AccessLogShape;
if (!ACCESS_LOG_SHAPES.includes(SHAPE)) throw new Error(`Invalid BENCH_LOG_SHAPE ${JSON.stringify(SHAPE)}. Use one of: ${ACCESS_LOG_SHAPES.join(', ')}.`);
/** Distinct user agents of the `visits` shape; each new one costs a device detection. */
const USER_AGENTS = Number(process.env.BENCH_USER_AGENTS ?? DEFAULT_VISIT_USER_AGENTS);
if (!Number.isInteger(USER_AGENTS) || USER_AGENTS < 1) throw new Error(`Invalid BENCH_USER_AGENTS ${JSON.stringify(process.env.BENCH_USER_AGENTS)}. Use a positive integer.`);

/** Reads the file and splits each line at spaces, the least any import must do; returns lines per second. */
async function measureReadAndSplit(path: string): Promise<number> {
  const started = performance.now();
  let lines = 0;
  let fields = 0;
  for await (const line of readLogLines(path)) {
    lines += 1;
    fields += line === OVERLONG_LINE ? 1 : line.split(' ').length;
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
  // The detector and pipeline are built as log:import builds them, with device detection on a worker thread.
  const devices = createImportDeviceDetection(createSilentLogger());
  const pipeline = new TrackingPipeline(createSilentLogger(), devices, { writeBatchMaxHits: IMPORT_WRITE_BATCH_MAX_HITS });
  void pipeline.warmUp();
  try {
    const { host } = await createTestTenant(root, { timezone: 'UTC', siteUrl: 'https://www.example.com' });
    const tenant = root.registry.resolve(parseTenantHost(host))!;
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
    await pipeline.close();
    await root.cleanup();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'footfall-import-bench-'));
try {
  const path = join(dir, 'access.log');
  await generateAccessLog(path, LINES, SHAPE, USER_AGENTS);
  const readRate = await measureReadAndSplit(path);
  const dryRun = await measureImport(path, true);
  const imported = await measureImport(path, false);
  const raw = imported.raw!;
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
  console.log(`log shape: ${SHAPE}${SHAPE === 'visits' ? `, ${USER_AGENTS} user agents` : ''}`);
  console.log(`read and split: ${Math.round(readRate)} lines/s (${LINES} lines)`);
  console.log(`raw SQLite inserts of the same rows (${IMPORT_WRITE_BATCH_MAX_HITS} hits per commit): ${Math.round(raw.hitsPerSecond)} hits/s (${raw.hits} of ${raw.sourceHits} hits, ${raw.commits} commits)`);
  console.log(`log:import: ${Math.round(imported.linesPerSecond)} lines/s (${imported.lines} lines read, ${imported.imported} imported)`);
  console.log(`ratio: ${((imported.linesPerSecond / readRate) * 100).toFixed(1)}% of read and split`);
  console.log(`ratio: ${((imported.hitsPerSecond / raw.hitsPerSecond) * 100).toFixed(1)}% of raw SQLite inserts (${Math.round(imported.hitsPerSecond)} hits/s recorded)`);
  console.log(`log:import --dry-run: ${Math.round(dryRun.linesPerSecond)} lines/s (${dryRun.lines} lines read, ${dryRun.imported} accepted), ${((dryRun.linesPerSecond / readRate) * 100).toFixed(1)}% of read and split`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
