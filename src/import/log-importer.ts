/**
 * The log import: reads files line by line, parses each line with the file's format, builds
 * the hit a tracker would have sent and feeds the tracking pipeline in batches, waiting until
 * each batch is durable. One bad line never stops an import: it is counted as invalid.
 */
import { basename } from 'node:path';
import { FootfallError, quote } from '../errors.js';
import type { Tenant } from '../tenancy/tenant.js';
import type { TrackRequestContext, TrackingPipeline } from '../tracking/tracking-pipeline.js';
import type { TrackingParams } from '../tracking/tracking-params.js';
import type { TrackingTokenOwner } from '../tracking/tracking-auth.js';
import { detectLogFormat } from './format-registry.js';
import type { HitBuilder } from './hit-builder.js';
import type { LineParser, LogFormat } from './log-format.js';
import { DETECTION_LINES, readLogLines } from './log-file-reader.js';

/** Hits sent to the pipeline at once; the next batch is parsed while this one is written. */
export const DEFAULT_IMPORT_BATCH_SIZE = 500;
/** Invalid lines listed by file and number in the result; more are only counted. */
export const MAX_LISTED_INVALID_LINES = 1000;

/** Counts of one import, as `--json` prints them. */
export interface LogImportResult {
  imported: number;
  /** Lines not imported, by reason: the importer's reasons and the tracking pipeline's drop reasons. */
  skipped: Record<string, number>;
  invalid: number;
  /** The first invalid lines as `FILE:LINE`, at most `MAX_LISTED_INVALID_LINES`. */
  invalidLines: string[];
}

/** The destination of the hits: the pipeline and the tenant, or nothing for `--dry-run`. */
export interface LogImportTarget {
  tenant: Tenant;
  /** Null for a dry run: lines are parsed and counted, and nothing is stored. */
  pipeline: TrackingPipeline | null;
  /** The user the hits are tracked as; a superuser, so `cip` and old `cdt` values are accepted. */
  owner: TrackingTokenOwner;
  now(): Date;
}

/** Settings of how one import reads its files. */
export interface LogImporterOptions {
  /** The format of every file; detected per file from its first lines when undefined. */
  format?: LogFormat;
  timezone: string;
  batchSize?: number;
  /** Called after each line with the number of lines read so far. */
  onLine?(lines: number): void;
  /** Stops reading at the next line once aborted; the lines read so far are still written. */
  signal?: AbortSignal;
}

interface PendingHit {
  params: TrackingParams;
  location: string;
}

/** Imports access-log files into one tenant. */
export class LogImporter {
  readonly #target: LogImportTarget;
  readonly #builder: HitBuilder;
  readonly #options: LogImporterOptions;
  readonly #result: LogImportResult = { imported: 0, skipped: {}, invalid: 0, invalidLines: [] };
  #batch: PendingHit[] = [];
  #inFlight: Promise<void> = Promise.resolve();
  #lines = 0;

  constructor(target: LogImportTarget, builder: HitBuilder, options: LogImporterOptions) {
    this.#target = target;
    this.#builder = builder;
    this.#options = options;
  }

  /** The number of lines read so far, over all files. */
  get lines(): number {
    return this.#lines;
  }

  /**
   * Imports one file (`-` for stdin) and waits until its hits are durable.
   *
   * @throws FootfallError LOG_FORMAT_NOT_DETECTED when no format reads the file's first
   *   lines; LOG_FILE_UNREADABLE when the file cannot be read.
   */
  async importFile(path: string): Promise<void> {
    const name = path === '-' ? 'stdin' : basename(path);
    const lines = readLogLines(path)[Symbol.asyncIterator]();
    const head: string[] = [];
    let next = await lines.next();
    while (!next.done && head.length < DETECTION_LINES) {
      head.push(next.value);
      next = await lines.next();
    }
    try {
      if (head.every((line) => line.trim() === '')) return;
      const parse = this.#createParser(head, path);

      let lineNumber = 0;
      for (const line of head) this.#importLine(parse, line, `${name}:${++lineNumber}`);
      for (; !next.done && this.#options.signal?.aborted !== true; next = await lines.next()) {
        this.#importLine(parse, next.value, `${name}:${++lineNumber}`);
        if (this.#batch.length >= (this.#options.batchSize ?? DEFAULT_IMPORT_BATCH_SIZE)) await this.#sendBatch();
      }
    } finally {
      if (!next.done) await lines.return(undefined);
    }
    await this.#sendBatch();
    await this.#inFlight;
  }

  /** Returns the counts so far. */
  result(): LogImportResult {
    return { ...this.#result, skipped: { ...this.#result.skipped }, invalidLines: [...this.#result.invalidLines] };
  }

  #createParser(head: readonly string[], path: string): LineParser {
    const format = this.#options.format ?? detectLogFormat(head);
    if (!format) {
      throw new FootfallError('LOG_FORMAT_NOT_DETECTED', `No log format reads the first lines of ${quote(path)}. Pass --log-format=NAME, or --log-format-regex with --date-format.`);
    }
    return format.createParser({ timezone: this.#options.timezone });
  }

  #importLine(parse: LineParser, line: string, location: string): void {
    this.#lines += 1;
    this.#options.onLine?.(this.#lines);
    const parsed = parse(line);
    if (parsed.kind === 'ignored') return;
    if (parsed.kind === 'invalid') return this.#countInvalid(location);
    if (parsed.kind === 'skipped') return this.#countSkipped(parsed.reason);

    const built = this.#builder.build(parsed.entry);
    if (built.kind === 'skipped') return this.#countSkipped(built.reason);
    if (!this.#target.pipeline) {
      this.#result.imported += 1;
      return;
    }
    this.#batch.push({ params: built.params, location });
  }

  #countSkipped(reason: string): void {
    this.#result.skipped[reason] = (this.#result.skipped[reason] ?? 0) + 1;
  }

  #countInvalid(location: string): void {
    this.#result.invalid += 1;
    if (this.#result.invalidLines.length < MAX_LISTED_INVALID_LINES) this.#result.invalidLines.push(location);
  }

  /** Queues the current batch once the previous one is durable, so at most one batch waits on the writer. */
  async #sendBatch(): Promise<void> {
    if (this.#batch.length === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    await this.#inFlight;
    this.#inFlight = this.#track(batch);
    // The rejection surfaces at the next await of #inFlight; this keeps it from counting as unhandled meanwhile.
    this.#inFlight.catch(() => undefined);
  }

  async #track(batch: readonly PendingHit[]): Promise<void> {
    const { tenant, pipeline, owner, now } = this.#target;
    const context: TrackRequestContext = { ip: '0.0.0.0', userAgent: '', acceptLanguage: '', now: now(), doNotTrack: false, trustedOwner: owner };
    const outcomes = await pipeline!.trackAll(tenant, batch.map((hit) => hit.params), context);
    outcomes.forEach((outcome, index) => {
      if (outcome instanceof Error) return this.#countInvalid(batch[index]!.location);
      if (outcome.status === 'recorded') this.#result.imported += 1;
      else this.#countSkipped(outcome.reason);
    });
  }
}
