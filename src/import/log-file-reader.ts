/** Reads access-log files line by line: plain, gzip, bzip2 (through the system `bzip2`), or stdin for `-`. */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
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
 * Yields the lines of a file without their line endings, streaming so the file is never held
 * in memory whole. Bytes are decoded as UTF-8.
 *
 * NOTE: there is no option for another encoding yet, so a raw Big5 or Latin-1 path
 * reaches the tracker with each invalid byte replaced by U+FFFD.
 *
 * @throws FootfallError LOG_FILE_UNREADABLE when the file cannot be opened or decompressed.
 */
export async function* readLogLines(path: string): AsyncGenerator<string> {
  const { stream, done, close } = openStream(path);
  let failure: Error | undefined;
  stream.on('error', (error) => {
    failure = error;
  });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let finished = false;
  try {
    for await (const line of lines) yield line;
    finished = true;
  } catch (error) {
    failure ??= error as Error;
  } finally {
    if (!finished && !failure) close();
  }
  if (failure) throw toReadError(path, failure);
  await done;
}

function toReadError(path: string, error: Error): FootfallError {
  if (error instanceof FootfallError) return error;
  return new FootfallError('LOG_FILE_UNREADABLE', `Cannot read ${quote(path)}: ${error.message}.`);
}
