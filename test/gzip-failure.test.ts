import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { classifyGzipFailure } from '../src/gzip-failure.js';

const dir = mkdtempSync(join(tmpdir(), 'footfall-gzip-failure-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `data` to a file, gunzips it and returns the file and the zlib error. */
function failGunzip(name: string, data: Buffer): { file: string; error: unknown } {
  const file = join(dir, name);
  writeFileSync(file, data);
  try {
    gunzipSync(data);
  } catch (error) {
    return { file, error };
  }
  throw new Error(`${name} decompressed without an error`);
}

const COMPRESSED = gzipSync(Array.from({ length: 2000 }, (_, index) => `line ${index} ${index * 7919}`).join('\n'));

describe('classifyGzipFailure', () => {
  test('cut file is truncated', () => {
    const { file, error } = failGunzip('cut.gz', COMPRESSED.subarray(0, COMPRESSED.length / 2));
    assert.equal((error as { code?: string }).code, 'Z_BUF_ERROR');
    assert.equal(classifyGzipFailure(error, file), 'truncated');
  });

  test('plain text is not gzip', () => {
    const { file, error } = failGunzip('plain.gz', Buffer.from('not gzip data\n'));
    assert.equal((error as { code?: string }).code, 'Z_DATA_ERROR');
    assert.equal(classifyGzipFailure(error, file), 'not_gzip');
  });

  test('damaged data is corrupt', () => {
    const damaged = Buffer.from(COMPRESSED);
    damaged.fill(0xff, 20, 60);
    const { file, error } = failGunzip('damaged.gz', damaged);
    assert.equal((error as { code?: string }).code, 'Z_DATA_ERROR');
    assert.equal(classifyGzipFailure(error, file), 'corrupt');
  });

  test('damaged header is corrupt', () => {
    const damaged = Buffer.from(COMPRESSED);
    // Byte 2 is the compression method, and 8 (deflate) is the only one defined.
    damaged[2] = 0x07;
    const { file, error } = failGunzip('method.gz', damaged);
    assert.equal((error as { code?: string }).code, 'Z_DATA_ERROR');
    assert.equal(classifyGzipFailure(error, file), 'corrupt');
  });

  test('missing file counts as corrupt', () => {
    const { error } = failGunzip('gone.gz', Buffer.from('not gzip data\n'));
    assert.equal(classifyGzipFailure(error, join(dir, 'absent.gz')), 'corrupt');
  });

  test('other errors are not classified', () => {
    const file = join(dir, 'other.gz');
    writeFileSync(file, COMPRESSED);
    assert.equal(classifyGzipFailure(new Error('EACCES: permission denied'), file), null);
    assert.equal(classifyGzipFailure(Object.assign(new Error('out of memory'), { code: 'Z_MEM_ERROR' }), file), null);
    assert.equal(classifyGzipFailure(null, file), null);
    assert.equal(classifyGzipFailure('Z_DATA_ERROR', file), null);
  });
});
