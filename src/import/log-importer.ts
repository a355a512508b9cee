/**
 * The log import: reads files line by line, parses each line with the file's format, builds
 * the hit a tracker would have sent and feeds the tracking pipeline in batches. Several
 * batches wait on the writer at once, queued in line order, and reading pauses while the
 * maximum is reached. One bad line never stops an import: it is counted as invalid.
 */
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import type { Logger } from 'pino';
import { FootfallError, isFootfallError, quote } from '../errors.js';
import type { Tenant } from '../tenancy/tenant.js';
import { DEFAULT_DEVICE_CACHE_SIZE, DeviceDetection } from '../tracking/device-detection.js';
import { isIpAddress } from '../tracking/parse-hit.js';
import type { CheckOutcome, TrackOutcome, TrackRequestContext, TrackingPipeline } from '../tracking/tracking-pipeline.js';
import type { TrackingParams } from '../tracking/tracking-params.js';
import type { TrackingTokenOwner } from '../tracking/tracking-auth.js';
import { detectLogFormat } from './format-registry.js';
import type { HitBuilder } from './hit-builder.js';
import type { LogEntry } from './log-entry.js';
import type { LineParser, LogFormat } from './log-format.js';
import { DETECTION_LINES, LogFileReadError, MAX_LINE_LENGTH, OVERLONG_LINE, readLogLineBatches, type LogLine } from './log-file-reader.js';

/**
 * Hits per group commit of the tracking writer during an import, in place of
 * `[Tracker] write_batch_max_hits`. No request waits on these commits, so they can be larger
 * and fewer. A commit writes every page its hits changed, and hits of one commit share many
 * index pages: importing 1,000,000 generated lines spent 23 s in 1,000 commits of 1,000 hits
 * and 11 s in 245 commits of 4,096 (2-core VM).
 */
export const IMPORT_WRITE_BATCH_MAX_HITS = 4096;
/**
 * Hits sent to the pipeline at once: one group commit's worth. The writer starts a batch
 * when as many hits wait as its last batch had, so smaller sends would keep its commits at
 * the send size.
 */
export const DEFAULT_IMPORT_BATCH_SIZE = IMPORT_WRITE_BATCH_MAX_HITS;
/**
 * Batches queued on the writer and not yet durable. Reading pauses while this many wait, so
 * memory stays bounded at about `batchSize * maxBatchesInFlight` hits, and one batch waits
 * while the one before it commits.
 */
export const DEFAULT_MAX_BATCHES_IN_FLIGHT = 2;
/**
 * Detection threads of an import: one per core but the one this thread uses, from 2 to 4. A
 * log's first lines and its bots bring bursts of new user agents, which this thread waits for.
 * Two threads ran the dry run of a 300,000-line log with 4,668 user agents about 20% faster
 * than one on a 2-core machine, because the second thread works while this one waits. Each
 * thread loads its own copy of the detector's patterns.
 */
export const IMPORT_DETECTION_THREADS = Math.min(4, Math.max(2, availableParallelism() - 1));

/**
 * Creates the device detector of an import. New user agents are detected on worker threads
 * while this thread builds and writes the lines before them, and each hit waits for its
 * agent's detection without a time limit.
 */
export function createImportDeviceDetection(logger: Logger, threads = IMPORT_DETECTION_THREADS): DeviceDetection {
  return new DeviceDetection(DEFAULT_DEVICE_CACHE_SIZE, { offThread: true, threads, unlimitedWait: true, logger });
}

/** Invalid lines listed by file and number in the result; more are only counted. */
export const MAX_LISTED_INVALID_LINES = 1000;
/**
 * Skip reason of a line whose hit the pipeline rejects with TRACKING_TIME_TOO_OLD, because
 * its time is before its site's log deletion horizon (`[Deletelogs]`).
 */
export const OLDER_THAN_DELETION_HORIZON = 'older_than_deletion_horizon';

/** One invalid line of an import: its file's name, its number and why it is invalid. */
export interface InvalidLine {
  file: string;
  line: number;
  /** The field at fault, such as `invalid IP '999.1.1.1'`, or `does not match the common format`. */
  reason: string;
}

/** Counts of one import, as `--json` prints them. */
export interface LogImportResult {
  imported: number;
  /** Lines not imported, by reason: the importer's reasons, the tracking pipeline's drop reasons and `older_than_deletion_horizon`. */
  skipped: Record<string, number>;
  invalid: number;
  /** The first invalid lines as `FILE:LINE`, at most `MAX_LISTED_INVALID_LINES`. */
  invalidLines: string[];
  /** The same lines as `invalidLines`, in the same order, with their reasons. */
  invalidReasons: InvalidLine[];
}

/** A file of which no line matches the format that `--log-format` or `--log-format-regex` sets. */
export interface UnmatchedFile {
  file: string;
  /** Lines of the file that are not blank, headers or comments, all of them invalid. */
  invalid: number;
}

/** The destination of the hits: the pipeline and the tenant. */
export interface LogImportTarget {
  tenant: Tenant;
  pipeline: TrackingPipeline;
  /**
   * True for `--dry-run`: hits run through the pipeline's steps before the write, so its drop
   * reasons are counted, and nothing is stored.
   */
  dryRun?: boolean;
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
  maxBatchesInFlight?: number;
  /** Called after each line with the number of lines read so far. */
  onLine?(lines: number): void;
  /** Stops reading at the next line once aborted; the lines read so far are still written. */
  signal?: AbortSignal;
  /**
   * Lines passed over before the import starts, counted over all files in order, to resume an
   * import that stopped. Their `#` lines are still parsed, so a W3C `#Fields:` header among
   * them still sets the columns of the lines after it.
   */
  skipLines?: number;
}

/** Hits of one file sent to the pipeline together, with their line numbers for the invalid-line list. */
interface HitBatch {
  fileName: string;
  params: TrackingParams[];
  lineNumbers: number[];
}

/** Entries of one chunk of lines, parsed, whose devices are being detected before they are built. */
interface ParsedChunk {
  entries: { entry: LogEntry; lineNumber: number }[];
  devicesDetected: Promise<unknown>;
}

/** Imports access-log files into one tenant. */
export class LogImporter {
  readonly #target: LogImportTarget;
  readonly #builder: HitBuilder;
  readonly #options: LogImporterOptions;
  readonly #result: LogImportResult = { imported: 0, skipped: {}, invalid: 0, invalidLines: [], invalidReasons: [] };
  readonly #unmatchedFiles: UnmatchedFile[] = [];
  /** Lines of the current file that its format read as requests, skipped ones included. */
  #fileMatches = 0;
  /** Lines of the current file that its format found invalid. */
  #fileMismatches = 0;
  #batch: HitBatch = { fileName: '', params: [], lineNumbers: [] };
  /** Batches queued on the writer, oldest first. Each settles once its hits are counted. */
  #inFlight: Promise<void>[] = [];
  #lines = 0;
  #linesPassed = 0;
  /**
   * The chunk parsed last. It is built after the next chunk is parsed and its detections
   * started, so that the device detection thread works on one chunk while this thread builds
   * and queues the one before.
   */
  #parsedAhead: ParsedChunk | undefined;

  constructor(target: LogImportTarget, builder: HitBuilder, options: LogImporterOptions) {
    this.#target = target;
    this.#builder = builder;
    this.#options = options;
  }

  /** The number of lines read and parsed so far, over all files, without those `skipLines` passed over. */
  get lines(): number {
    return this.#lines;
  }

  /**
   * The number of lines passed so far, over all files in order, including those `skipLines`
   * passed over. Passing it as `skipLines` to a new import of the same files resumes there.
   */
  get linesPassed(): number {
    return this.#linesPassed;
  }

  /**
   * Imports one file (`-` for stdin) and waits until its hits are durable. When the file
   * cannot be read to its end, the lines read before the failure are imported first.
   *
   * @throws FootfallError LOG_FORMAT_NOT_DETECTED when no format reads the file's first
   *   lines; LOG_FILE_UNREADABLE when the file cannot be read, with the line where reading
   *   stopped and how many of its lines were imported.
   */
  async importFile(path: string): Promise<void> {
    const name = path === '-' ? 'stdin' : basename(path);
    const importedBefore = this.#result.imported;
    const linesPassedBefore = this.#linesPassed;
    this.#fileMatches = 0;
    this.#fileMismatches = 0;
    const batches = readLogLineBatches(path)[Symbol.asyncIterator]();
    let readFailure: LogFileReadError | undefined;
    /** Returns the next lines, or undefined at the end of the file or once reading failed. */
    const readNext = async (): Promise<LogLine[] | undefined> => {
      try {
        const next = await batches.next();
        return next.done ? undefined : next.value;
      } catch (error) {
        if (!(error instanceof LogFileReadError)) throw error;
        readFailure = error;
        return undefined;
      }
    };

    // The format is detected from DETECTION_LINES lines counted from the first line that is not
    // blank, so a file that opens with many blank lines is still read. The lines read so far
    // are then imported as the first chunk, so their new user agents are detected on the
    // detection thread like those of every later chunk.
    // NOTE: every blank line before the first request is held in `firstLines` until detection.
    const firstLines: LogLine[] = [];
    let firstContent = -1;
    let finished = false;
    while (!finished && (firstContent === -1 || firstLines.length < firstContent + DETECTION_LINES)) {
      const next = await readNext();
      if (next === undefined) {
        finished = true;
        continue;
      }
      const found = firstContent === -1 ? next.findIndex((line) => line === OVERLONG_LINE || line.trim() !== '') : -1;
      if (found !== -1) firstContent = firstLines.length + found;
      firstLines.push(...next);
    }
    const headLength = firstContent === -1 ? firstLines.length : firstContent + DETECTION_LINES;
    // Detection reads an overlong line as a blank one.
    const head = firstLines.slice(0, headLength).map((line) => (line === OVERLONG_LINE ? '' : line));
    let chunk = firstLines;
    this.#batch = { fileName: name, params: [], lineNumbers: [] };
    try {
      if (firstContent === -1) {
        this.#linesPassed += firstLines.length;
      } else {
        // A read failure inside the first lines explains why no format reads them.
        const parse = this.#createParser(head, path, readFailure);

        let lineNumber = 0;
        while (await this.#importLines(parse, chunk, lineNumber) && !finished) {
          lineNumber += chunk.length;
          const next = await readNext();
          finished = next === undefined;
          chunk = next ?? [];
        }
      }
    } finally {
      if (!finished) await batches.return(undefined);
    }
    await this.#buildParsedAhead();
    await this.#sendBatch();
    await this.#drain();
    if (this.#options.format !== undefined && this.#fileMatches === 0 && this.#fileMismatches > 0) {
      this.#unmatchedFiles.push({ file: name, invalid: this.#fileMismatches });
    }
    if (readFailure) {
      throw this.#describeReadFailure(readFailure, path, this.#linesPassed - linesPassedBefore, this.#result.imported - importedBefore);
    }
  }

  /**
   * Returns the error of a file that could not be read to its end. Once lines were read, it
   * names the last line read and how many of the file's lines were imported.
   */
  #describeReadFailure(failure: LogFileReadError, path: string, fileLines: number, fileImported: number): FootfallError {
    if (fileLines === 0) return failure;
    const imported = this.#target.dryRun ? 'would be imported' : 'were imported';
    return new FootfallError(
      'LOG_FILE_UNREADABLE',
      `Cannot read ${quote(path)} after line ${fileLines}: ${failure.reason}. ${fileImported} of its first ${fileLines} lines ${imported}.`,
      { cause: failure },
    );
  }

  /**
   * Imports lines numbered from `lineNumber + 1`, sending each full batch. Returns false when
   * the import was aborted before one of them, so the caller reads no more.
   */
  async #importLines(parse: LineParser, lines: readonly LogLine[], lineNumber: number): Promise<boolean> {
    const entries: ParsedChunk['entries'] = [];
    const skipLines = this.#options.skipLines ?? 0;
    for (let index = 0; index < lines.length && this.#options.signal?.aborted !== true; index += 1) {
      const line = lines[index]!;
      this.#linesPassed += 1;
      if (this.#linesPassed <= skipLines) {
        if (line !== OVERLONG_LINE && line.startsWith('#')) parse(line);
        continue;
      }
      const entry = this.#parseLine(parse, line, lineNumber + index + 1);
      if (entry !== undefined) entries.push({ entry, lineNumber: lineNumber + index + 1 });
    }
    const previous = this.#parsedAhead;
    this.#parsedAhead = { entries, devicesDetected: this.#builder.prepareDevices(entries.map(({ entry }) => entry)) };
    if (previous !== undefined) await this.#buildChunk(previous);
    return this.#options.signal?.aborted !== true;
  }

  /** Builds the chunk parsed last, if any. */
  async #buildParsedAhead(): Promise<void> {
    const chunk = this.#parsedAhead;
    this.#parsedAhead = undefined;
    if (chunk !== undefined) await this.#buildChunk(chunk);
  }

  /** Builds the hits of a parsed chunk once its devices are detected, sending each full batch. */
  async #buildChunk(chunk: ParsedChunk): Promise<void> {
    const batchSize = this.#options.batchSize ?? DEFAULT_IMPORT_BATCH_SIZE;
    await chunk.devicesDetected;
    for (const { entry, lineNumber } of chunk.entries) {
      this.#buildEntry(entry, lineNumber);
      if (this.#batch.params.length >= batchSize) await this.#sendBatch();
    }
  }

  /** Returns the counts so far. */
  result(): LogImportResult {
    return {
      ...this.#result, skipped: { ...this.#result.skipped },
      invalidLines: [...this.#result.invalidLines], invalidReasons: this.#result.invalidReasons.map((invalid) => ({ ...invalid })),
    };
  }

  /**
   * Returns the files read so far of which no line matches the format that the options set.
   * A format detected from a file's first lines matches at least its first request line.
   */
  unmatchedFiles(): UnmatchedFile[] {
    return this.#unmatchedFiles.map((unmatched) => ({ ...unmatched }));
  }

  #createParser(head: readonly string[], path: string, readFailure: LogFileReadError | undefined): LineParser {
    const format = this.#options.format ?? detectLogFormat(head);
    if (!format) {
      if (readFailure) throw readFailure;
      throw new FootfallError('LOG_FORMAT_NOT_DETECTED', `No log format reads the first lines of ${quote(path)}. Pass --log-format=NAME, or --log-format-regex with --date-format.`);
    }
    return format.createParser({ timezone: this.#options.timezone });
  }

  /** Counts a line and parses it. Returns its entry, or undefined when the line was counted as ignored, invalid or skipped. */
  #parseLine(parse: LineParser, line: LogLine, lineNumber: number): LogEntry | undefined {
    this.#lines += 1;
    this.#options.onLine?.(this.#lines);
    if (line === OVERLONG_LINE) {
      this.#countInvalid(this.#batch.fileName, lineNumber, OVERLONG_REASON);
      return undefined;
    }
    const parsed = parse(line);
    if (parsed.kind === 'ignored') return undefined;
    if (parsed.kind === 'invalid') {
      this.#fileMismatches += 1;
      this.#countInvalid(this.#batch.fileName, lineNumber, parsed.reason);
      return undefined;
    }
    this.#fileMatches += 1;
    if (parsed.kind === 'skipped') {
      this.#countSkipped(parsed.reason);
      return undefined;
    }
    // Formats take any text in the address field, so a line with a bad address still matches
    // its format, and is rejected here. Tracking would store it with the address 0.0.0.0.
    const ip = parsed.entry.ip;
    if (ip !== undefined && !isIpAddress(ip)) {
      this.#countInvalid(this.#batch.fileName, lineNumber, `invalid IP ${quote(ip)}`);
      return undefined;
    }
    return parsed.entry;
  }

  /** Builds the hit of an entry into the current batch, or counts why it is skipped. */
  #buildEntry(entry: LogEntry, lineNumber: number): void {
    const built = this.#builder.build(entry);
    if (built.kind === 'skipped') return this.#countSkipped(built.reason);
    this.#batch.params.push(built.params);
    this.#batch.lineNumbers.push(lineNumber);
  }

  #countSkipped(reason: string): void {
    this.#result.skipped[reason] = (this.#result.skipped[reason] ?? 0) + 1;
  }

  #countInvalid(fileName: string, lineNumber: number, reason: string): void {
    this.#result.invalid += 1;
    if (this.#result.invalidLines.length >= MAX_LISTED_INVALID_LINES) return;
    this.#result.invalidLines.push(`${fileName}:${lineNumber}`);
    this.#result.invalidReasons.push({ file: fileName, line: lineNumber, reason });
  }

  /**
   * Queues the current batch on the writer, after waiting for the oldest batches while the
   * maximum number waits. Queuing is awaited, so the hits of one visitor reach the writer in
   * line order even though their batches commit later.
   */
  async #sendBatch(): Promise<void> {
    const batch = this.#batch;
    if (batch.params.length === 0) return;
    this.#batch = { fileName: batch.fileName, params: [], lineNumbers: [] };
    const { tenant, pipeline, owner, now } = this.#target;
    const context: TrackRequestContext = { ip: '0.0.0.0', userAgent: '', acceptLanguage: '', now: now(), doNotTrack: false, trustedOwner: owner };

    if (this.#target.dryRun) {
      this.#countOutcomes(batch, await pipeline.checkAll(tenant, batch.params, context));
      return;
    }
    const maxInFlight = this.#options.maxBatchesInFlight ?? DEFAULT_MAX_BATCHES_IN_FLIGHT;
    while (this.#inFlight.length >= maxInFlight) await this.#inFlight.shift();
    const outcomes = await pipeline.queueAll(tenant, batch.params, context);
    const counted = outcomes().then((results) => this.#countOutcomes(batch, results));
    // A rejection surfaces when the batch is awaited; this keeps it from counting as unhandled meanwhile.
    counted.catch(() => undefined);
    this.#inFlight.push(counted);
  }

  /** Waits until every queued batch is durable and counted, and raises the first failure. */
  async #drain(): Promise<void> {
    while (this.#inFlight.length > 0) await this.#inFlight.shift();
  }

  #countOutcomes(batch: HitBatch, outcomes: readonly (TrackOutcome | CheckOutcome | Error)[]): void {
    outcomes.forEach((outcome, index) => {
      if (isFootfallError(outcome, 'TRACKING_TIME_TOO_OLD')) return this.#countSkipped(OLDER_THAN_DELETION_HORIZON);
      if (outcome instanceof Error) return this.#countInvalid(batch.fileName, batch.lineNumbers[index]!, describeRejection(outcome));
      if (outcome.status === 'dropped') this.#countSkipped(outcome.reason);
      else this.#result.imported += 1;
    });
  }
}

/** The reason of a line longer than the reader's maximum. */
const OVERLONG_REASON = `longer than ${MAX_LINE_LENGTH} characters`;

/**
 * Returns why the tracking pipeline rejected a hit: the error code, and the parameter when the
 * message names one. The message itself is left out, because it may quote a URL.
 */
function describeRejection(error: Error): string {
  if (!isFootfallError(error)) return 'rejected by tracking';
  const parameter = /\bfor '([\w[\]]+)'/.exec(error.message)?.[1];
  return `rejected by tracking (${error.code}${parameter === undefined ? '' : ` for '${parameter}'`})`;
}
