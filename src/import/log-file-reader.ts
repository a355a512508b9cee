/** Reads access-log files line by line: plain, gzip, bzip2 (through the system `bzip2`), or stdin for `-`. */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FootfallError, quote } from '../errors.js';
import { classifyGzipFailure, type GzipFailure } from '../gzip-failure.js';

/** Lines read from the start of a file to detect its format. */
export const DETECTION_LINES = 20;

/** Characters of bzip2's error output kept to name the failure. bzip2 writes a few lines at most. */
const MAX_BZIP2_ERROR_OUTPUT = 4096;

/** Opens a file (or stdin for `-`) as a byte stream, decompressing `.gz` and `.bz2` by name. */
function openStream(path: string): { stream: Readable; done: Promise<void>; close(): void } {
  if (path === '-') return { stream: process.stdin, done: Promise.resolve(), close: () => undefined };
  const file = createReadStream(path);
  const close = (): void => {
    file.destroy();
  };
  if (path.endsWith('.gz')) {
    const gunzip = file.pipe(createGunzip());
    file.on('error', (error) => gunzip.destroy(error));
    return { stream: gunzip, done: Promise.resolve(), close };
  }
  if (!path.endsWith('.bz2')) return { stream: file, done: Promise.resolve(), close };

  // Debian's bzip2 streams the decompression in a child process; no JavaScript bzip2 package is needed.
  const child = spawn('bzip2', ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  file.pipe(child.stdin);
  file.on('error', (error) => child.stdout.destroy(error));
  // bzip2 stops with EPIPE when the reader stops early; that is not a failure of the import.
  child.stdin.on('error', () => undefined);
  let errorOutput = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (errorOutput.length < MAX_BZIP2_ERROR_OUTPUT) errorOutput += text;
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (error) => reject(new LogFileReadError(path, `the bzip2 program failed to start (${error.message}). Install bzip2 or decompress the file first`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new LogFileReadError(path, describeBzip2Failure(errorOutput)))));
  });
  // The failure is raised where the reader awaits `done`. This handler keeps it from counting as
  // unhandled while the reader waits on its consumer, or after the reader stopped early.
  done.catch(() => undefined);
  return {
    stream: child.stdout, done,
    close: () => {
      file.destroy();
      if (child.exitCode === null) child.kill();
    },
  };
}

/** Returns the cause of a bzip2 failure in plain words, from the messages bzip2 1.0 writes to stderr. */
function describeBzip2Failure(errorOutput: string): string {
  if (/ends unexpectedly/i.test(errorOutput)) return 'the bzip2 file ends early';
  if (/is not a bzip2 file/i.test(errorOutput)) return 'not a valid bzip2 file';
  return 'the bzip2 data is corrupt';
}

/** Causes of a gzip failure in plain words, by classifyGzipFailure's result. */
const GZIP_FAILURE_REASONS: Readonly<Record<GzipFailure, string>> = {
  truncated: 'the gzip file ends early',
  not_gzip: 'not a valid gzip file',
  corrupt: 'the gzip data is corrupt',
};

/** A failure to read a log file: it cannot be opened, or its compressed data is invalid. */
export class LogFileReadError extends FootfallError {
  /** The cause in plain words, such as `the gzip file ends early`. */
  readonly reason: string;

  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super('LOG_FILE_UNREADABLE', `Cannot read ${quote(path)}: ${reason}.`, options);
    this.reason = reason;
  }
}

/**
 * Maximum length of a line, in UTF-16 code units as JavaScript counts string length: 1 MiB.
 * An access-log line contains a request line and a few headers, which web servers limit to about
 * 8 KiB each by default (nginx `large_client_header_buffers 4 8k`, Apache `LimitRequestLine`
 * and `LimitRequestFieldSize` 8190 bytes), so a real line stays far below it. The reader drops
 * the text of a longer line up to its line break and yields OVERLONG_LINE in its place, so a
 * file without line breaks never fills the memory.
 */
export const MAX_LINE_LENGTH = 1024 * 1024;

/** The place of a line longer than the maximum, whose text was dropped. */
export const OVERLONG_LINE: unique symbol = Symbol('overlong line');

/** A line as the reader yields it: its text, or OVERLONG_LINE. */
export type LogLine = string | typeof OVERLONG_LINE;

/**
 * Splits decoded text into lines at `\n`, `\r\n` and a lone `\r`, as node:readline does, across
 * chunk boundaries: a `\r` that ends one chunk and a `\n` that starts the next are one break.
 * Each chunk is split once, and the pieces of a line that spans chunks are joined once, at its
 * line break, so the time is linear in the length of the text.
 */
export class LineSplitter {
  readonly #maxLength: number;
  /** Pieces of the line that is not ended yet. */
  #pieces: string[] = [];
  #piecesLength = 0;
  /** True while the line that is not ended yet is longer than the maximum, so its pieces are dropped. */
  #overlong = false;
  #skipLeadingLineFeed = false;

  constructor(maxLength = MAX_LINE_LENGTH) {
    this.#maxLength = maxLength;
  }

  /** Returns the lines that `chunk` completes, without their line endings. */
  push(chunk: string): LogLine[] {
    let text = chunk;
    if (this.#skipLeadingLineFeed && text.startsWith('\n')) text = text.slice(1);
    this.#skipLeadingLineFeed = false;
    let endsWithBreak = false;
    if (text.endsWith('\r')) {
      // The line ends here, and a '\n' opening the next chunk belongs to the same break.
      text = text.slice(0, -1);
      endsWithBreak = true;
      this.#skipLeadingLineFeed = true;
    }

    const parts = text.split(LINE_BREAK);
    const open = endsWithBreak ? undefined : parts.pop()!;
    const lines: LogLine[] = new Array<LogLine>(parts.length);
    for (let index = 0; index < parts.length; index += 1) {
      const part = parts[index]!;
      if (index === 0) lines[index] = this.#endLine(part);
      else lines[index] = part.length > this.#maxLength ? OVERLONG_LINE : part;
    }
    if (open !== undefined) this.#addPiece(open);
    return lines;
  }

  /** Returns the last line when the text does not end with a line break. */
  end(): LogLine[] {
    if (this.#piecesLength === 0 && !this.#overlong) return [];
    return [this.#endLine('')];
  }

  /** Returns the line that `last` ends, from the pieces before it, and starts a new line. */
  #endLine(last: string): LogLine {
    let line: LogLine;
    if (this.#overlong || this.#piecesLength + last.length > this.#maxLength) line = OVERLONG_LINE;
    else if (this.#pieces.length === 0) line = last;
    else line = this.#pieces.join('') + last;
    this.#pieces = [];
    this.#piecesLength = 0;
    this.#overlong = false;
    return line;
  }

  #addPiece(piece: string): void {
    if (this.#overlong || piece === '') return;
    this.#piecesLength += piece.length;
    if (this.#piecesLength > this.#maxLength) {
      this.#overlong = true;
      this.#pieces = [];
      return;
    }
    this.#pieces.push(piece);
  }
}

const LINE_BREAK = /\r\n|\r|\n/;

/**
 * Yields the lines of a file without their line endings, one array per chunk read, streaming
 * so the file is never held in memory whole. A line longer than MAX_LINE_LENGTH is yielded as
 * OVERLONG_LINE. A caller awaits once per chunk rather than once
 * per line. Bytes are decoded as UTF-8. Every line yielded before a failure ended with a line
 * break, so a file cut off inside a line never yields that line's first part.
 *
 * NOTE: there is no option for another encoding yet, so a raw Big5 or Latin-1 path
 * reaches the tracker with each invalid byte replaced by U+FFFD.
 *
 * @throws LogFileReadError (LOG_FILE_UNREADABLE) when the file cannot be opened or decompressed,
 *   after the lines read before the failure were yielded.
 */
export async function* readLogLineBatches(path: string): AsyncGenerator<LogLine[]> {
  const { stream, done, close } = openStream(path);
  const splitter = new LineSplitter();
  let failure: Error | undefined;
  stream.on('error', (error) => {
    failure ??= error;
  });
  let finished = false;
  try {
    stream.setEncoding('utf8');
    // The stream is closed below rather than by the iterator, because stdin must stay open.
    for await (const chunk of stream.iterator({ destroyOnReturn: false })) {
      const lines = splitter.push(chunk as string);
      if (lines.length > 0) yield lines;
    }
    // bzip2 reports a file that ends early only by its exit code, after its last output, so the
    // last line is yielded once the exit code shows that the file was whole.
    await done;
    const last = splitter.end();
    if (last.length > 0) yield last;
    finished = true;
  } catch (error) {
    failure ??= error as Error;
  } finally {
    if (!finished && !failure) close();
  }
  if (failure) throw toReadError(path, failure);
}

/** Yields the lines of a file one by one, as `readLogLineBatches` reads them. */
export async function* readLogLines(path: string): AsyncGenerator<LogLine> {
  for await (const lines of readLogLineBatches(path)) yield* lines;
}

function toReadError(path: string, error: Error): FootfallError {
  if (error instanceof FootfallError) return error;
  const failure = path === '-' ? null : classifyGzipFailure(error, path);
  const reason = failure === null ? error.message : GZIP_FAILURE_REASONS[failure];
  return new LogFileReadError(path, reason, { cause: error });
}
