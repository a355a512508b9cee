import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { LineSplitter, MAX_LINE_LENGTH, OVERLONG_LINE, readLogLineBatches, readLogLines, type LogLine } from '../../src/import/log-file-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'footfall-log-reader-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Texts with every kind of line break, at the start, the end and in runs. */
const TEXTS = ['a\r\nb\rc\nd', 'a\r\n', '\r\n\r\n', 'x\r', '\rx', 'one\n\ntwo\r\r\nthree', '', '\n', 'é\r\nü'];

/** Returns the lines node:readline yields for `chunks`, the reference for line breaks. */
async function readlineLines(chunks: string[]): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: Readable.from(chunks), crlfDelay: Infinity })) lines.push(line);
  return lines;
}

/**
 * Returns `count` distinct lines of about 90 characters, so a cut-off line never equals a whole
 * one. Their hashes compress poorly, so bzip2 spreads them over several blocks.
 */
function numberedLines(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `line ${index} ${createHash('sha256').update(String(index)).digest('hex')} end ${index}`);
}

/** Reads a file to its end or its failure, and returns the lines read and the failure. */
async function readUntilFailure(path: string): Promise<{ lines: LogLine[]; error: unknown }> {
  const lines: LogLine[] = [];
  try {
    for await (const batch of readLogLineBatches(path)) lines.push(...batch);
  } catch (error) {
    return { lines, error };
  }
  return { lines, error: undefined };
}

function splitterLines(chunks: string[], maxLength?: number): LogLine[] {
  const splitter = new LineSplitter(maxLength);
  return [...chunks.flatMap((chunk) => splitter.push(chunk)), ...splitter.end()];
}

describe('log file reader', () => {
  test('splitter matches readline at every split', async () => {
    for (const text of TEXTS) {
      for (let cut = 0; cut <= text.length; cut += 1) {
        const chunks = [text.slice(0, cut), text.slice(cut)].filter((chunk) => chunk !== '');
        assert.deepEqual(splitterLines(chunks), await readlineLines(chunks), `${JSON.stringify(text)} cut at ${cut}`);
      }
      const characters = [...text];
      assert.deepEqual(splitterLines(characters), await readlineLines(characters), `${JSON.stringify(text)} one character per chunk`);
    }
  });

  test('splitter drops lines over the maximum', () => {
    const cases: { chunks: string[]; lines: LogLine[] }[] = [
      { chunks: ['0123456789\nabc'], lines: ['0123456789', 'abc'] },
      { chunks: ['0123456789a\nabc\n'], lines: [OVERLONG_LINE, 'abc'] },
      { chunks: ['01234', '56789', '\r\nabc'], lines: ['0123456789', 'abc'] },
      { chunks: ['01234', '56789', 'a', 'bcdef', '\r', '\nabc'], lines: [OVERLONG_LINE, 'abc'] },
      { chunks: ['x\n0123', '4567', '89abc'], lines: ['x', OVERLONG_LINE] },
      { chunks: ['x\n0123456789'], lines: ['x', '0123456789'] },
      { chunks: ['0123456789\r', '0123456789\r', '\n'], lines: ['0123456789', '0123456789'] },
    ];
    for (const { chunks, lines } of cases) assert.deepEqual(splitterLines(chunks, 10), lines, JSON.stringify(chunks));
  });

  test('long line reads as overlong', async () => {
    const path = join(dir, 'long-line.log');
    // Three times the maximum, so the reader gets it in many chunks of 64 KiB.
    writeFileSync(path, `first\n${'a'.repeat(3 * MAX_LINE_LENGTH)}\n${'b'.repeat(MAX_LINE_LENGTH)}\nlast`);
    const lines: LogLine[] = [];
    for await (const line of readLogLines(path)) lines.push(line);
    assert.equal(lines.length, 4);
    assert.equal(lines[0], 'first');
    assert.equal(lines[1], OVERLONG_LINE);
    assert.equal(lines[2], 'b'.repeat(MAX_LINE_LENGTH));
    assert.equal(lines[3], 'last');
  });

  test('batches keep every line in order', async () => {
    const path = join(dir, 'many.log');
    const lines = Array.from({ length: 20_000 }, (_, index) => `line ${index} ${'x'.repeat(index % 50)}`);
    writeFileSync(path, `${lines.join('\r\n')}\r\n`);
    const batches: LogLine[][] = [];
    for await (const batch of readLogLineBatches(path)) batches.push(batch);
    assert.ok(batches.length > 1, `expected several batches, got ${batches.length}`);
    assert.deepEqual(batches.flat(), lines);

    const single: LogLine[] = [];
    for await (const line of readLogLines(path)) single.push(line);
    assert.deepEqual(single, lines);
  });

  test('early stop reads no further', async () => {
    const path = join(dir, 'stop.log');
    writeFileSync(path, Array.from({ length: 50_000 }, (_, index) => `line ${index}`).join('\n'));
    let read = 0;
    for await (const line of readLogLines(path)) {
      read += 1;
      if (line === 'line 9') break;
    }
    assert.equal(read, 10);
  });

  test('truncated gzip yields whole lines', async () => {
    const lines = numberedLines(50_000);
    const compressed = gzipSync(`${lines.join('\n')}\n`);
    const path = join(dir, 'truncated.log.gz');
    writeFileSync(path, compressed.subarray(0, Math.floor(compressed.length / 2)));

    const { lines: read, error } = await readUntilFailure(path);
    assert.ok(read.length > 0, 'no line was read before the failure');
    assert.ok(read.length < lines.length, `read all ${read.length} lines`);
    assert.deepEqual(read, lines.slice(0, read.length));
    assert.equal((error as { code?: string }).code, 'LOG_FILE_UNREADABLE');
    assert.equal((error as Error).message, `Cannot read '${path}': the gzip file ends early.`);
  });

  test('invalid gzip names the cause', async () => {
    const path = join(dir, 'plain.log.gz');
    writeFileSync(path, 'not gzip data\n');
    const { lines, error } = await readUntilFailure(path);
    assert.deepEqual(lines, []);
    assert.equal((error as Error).message, `Cannot read '${path}': not a valid gzip file.`);
  });

  test('damaged gzip names the cause', async () => {
    const compressed = gzipSync(`${numberedLines(50_000).join('\n')}\n`);
    const damaged = Buffer.from(compressed);
    damaged.fill(0xff, Math.floor(compressed.length / 2), Math.floor(compressed.length / 2) + 64);
    const path = join(dir, 'damaged.log.gz');
    writeFileSync(path, damaged);
    const { lines, error } = await readUntilFailure(path);
    assert.ok(lines.length > 0, 'no line was read before the failure');
    assert.equal((error as { code?: string }).code, 'LOG_FILE_UNREADABLE');
    assert.equal((error as Error).message, `Cannot read '${path}': the gzip data is corrupt.`);
  });

  test('damaged gzip header names the cause', async () => {
    const damaged = Buffer.from(gzipSync('line 1\nline 2\n'));
    // Byte 2 is the compression method, and 8 (deflate) is the only one defined.
    damaged[2] = 0x07;
    const path = join(dir, 'method.log.gz');
    writeFileSync(path, damaged);
    const { lines, error } = await readUntilFailure(path);
    assert.deepEqual(lines, []);
    assert.equal((error as Error).message, `Cannot read '${path}': the gzip data is corrupt.`);
  });

  test('truncated bzip2 yields whole lines', async () => {
    const lines = numberedLines(50_000);
    const compressed = execFileSync('bzip2', ['-c'], { input: `${lines.join('\n')}\n`, maxBuffer: 16 * 1024 * 1024 });
    const path = join(dir, 'truncated.log.bz2');
    // bzip2 compresses blocks of 900 kB, so two thirds of the file hold at least one whole block.
    writeFileSync(path, compressed.subarray(0, Math.floor(compressed.length * 2 / 3)));

    const { lines: read, error } = await readUntilFailure(path);
    assert.ok(read.length > 0, 'no line was read before the failure');
    assert.ok(read.length < lines.length, `read all ${read.length} lines`);
    assert.deepEqual(read, lines.slice(0, read.length));
    assert.equal((error as Error).message, `Cannot read '${path}': the bzip2 file ends early.`);
  });

  test('invalid bzip2 names the cause', async () => {
    const path = join(dir, 'plain.log.bz2');
    writeFileSync(path, 'not bzip2 data\n');
    const { lines, error } = await readUntilFailure(path);
    assert.deepEqual(lines, []);
    assert.equal((error as Error).message, `Cannot read '${path}': not a valid bzip2 file.`);
  });

  test('missing file is unreadable', async () => {
    await assert.rejects(async () => {
      for await (const batch of readLogLineBatches(join(dir, 'missing.log'))) assert.fail(`read ${batch.length} lines`);
    }, { code: 'LOG_FILE_UNREADABLE' });
  });
});
