import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { LineSplitter, readLogLineBatches, readLogLines } from '../../src/import/log-file-reader.js';

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

function splitterLines(chunks: string[]): string[] {
  const splitter = new LineSplitter();
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

  test('batches keep every line in order', async () => {
    const path = join(dir, 'many.log');
    const lines = Array.from({ length: 20_000 }, (_, index) => `line ${index} ${'x'.repeat(index % 50)}`);
    writeFileSync(path, `${lines.join('\r\n')}\r\n`);
    const batches: string[][] = [];
    for await (const batch of readLogLineBatches(path)) batches.push(batch);
    assert.ok(batches.length > 1, `expected several batches, got ${batches.length}`);
    assert.deepEqual(batches.flat(), lines);

    const single: string[] = [];
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

  test('missing file is unreadable', async () => {
    await assert.rejects(async () => {
      for await (const batch of readLogLineBatches(join(dir, 'missing.log'))) assert.fail(`read ${batch.length} lines`);
    }, { code: 'LOG_FILE_UNREADABLE' });
  });
});
