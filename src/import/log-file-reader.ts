/** Reads access-log files line by line: plain, gzip, bzip2 (through the system `bzip2`), or stdin for `-`. */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FootfallError, quote } from '../errors.js';

/** Lines read from the start of a file to detect its format. */
export const DETECTION_LINES = 20;

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
  const child = spawn('bzip2', ['-dc'], { stdio: ['pipe', 'pipe', 'ignore'] });
  file.pipe(child.stdin);
  file.on('error', (error) => child.stdout.destroy(error));
  // bzip2 stops with EPIPE when the reader stops early; that is not a failure of the import.
  child.stdin.on('error', () => undefined);
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (error) => reject(new FootfallError('LOG_FILE_UNREADABLE', `Cannot read ${quote(path)}: the bzip2 program failed to start (${error.message}). Install bzip2 or decompress the file first.`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new FootfallError('LOG_FILE_UNREADABLE', `Cannot read ${quote(path)}: bzip2 exited with code ${code}, so the file is not valid bzip2.`))));
  });
  return {
    stream: child.stdout, done,
    close: () => {
      file.destroy();
      if (child.exitCode === null) child.kill();
    },
  };
}

/**
 * Splits decoded text into lines at `\n`, `\r\n` and a lone `\r`, as node:readline does, across
 * chunk boundaries: a `\r` that ends one chunk and a `\n` that starts the next are one break.
 */
export class LineSplitter {
  #carry = '';
  #skipLeadingLineFeed = false;

  /** Returns the lines that `chunk` completes, without their line endings. */
  push(chunk: string): string[] {
    let text = chunk;
    if (this.#skipLeadingLineFeed && text.startsWith('\n')) text = text.slice(1);
    this.#skipLeadingLineFeed = false;
    text = this.#carry + text;
    if (text.endsWith('\r')) {
      // The line ends here, and a '\n' opening the next chunk belongs to the same break.
      this.#carry = '';
      this.#skipLeadingLineFeed = true;
      return text.slice(0, -1).split(LINE_BREAK);
    }
    const lines = text.split(LINE_BREAK);
    this.#carry = lines.pop()!;
    return lines;
  }

  /** Returns the last line when the text does not end with a line break. */
  end(): string[] {
    const last = this.#carry;
    this.#carry = '';
    return last === '' ? [] : [last];
  }
}

const LINE_BREAK = /\r\n|\r|\n/;

/**
 * Yields the lines of a file without their line endings, one array per chunk read, streaming
 * so the file is never held in memory whole. A caller awaits once per chunk rather than once
 * per line. Bytes are decoded as UTF-8.
 *
 * NOTE: there is no option for another encoding yet, so a raw Big5 or Latin-1 path
 * reaches the tracker with each invalid byte replaced by U+FFFD.
 *
 * @throws FootfallError LOG_FILE_UNREADABLE when the file cannot be opened or decompressed.
 */
export async function* readLogLineBatches(path: string): AsyncGenerator<string[]> {
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
    const last = splitter.end();
    if (last.length > 0) yield last;
    finished = true;
  } catch (error) {
    failure ??= error as Error;
  } finally {
    if (!finished && !failure) close();
  }
  if (failure) throw toReadError(path, failure);
  await done;
}

/** Yields the lines of a file one by one, as `readLogLineBatches` reads them. */
export async function* readLogLines(path: string): AsyncGenerator<string> {
  for await (const lines of readLogLineBatches(path)) yield* lines;
}

function toReadError(path: string, error: Error): FootfallError {
  if (error instanceof FootfallError) return error;
  return new FootfallError('LOG_FILE_UNREADABLE', `Cannot read ${quote(path)}: ${error.message}.`);
}
