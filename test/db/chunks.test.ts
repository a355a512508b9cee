import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitIntoChunks } from '../../src/db/chunks.js';

describe('splitIntoChunks', () => {
  it('splits in order with a short last chunk', () => {
    assert.deepEqual(splitIntoChunks([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  });

  it('returns no chunk for an empty list', () => {
    assert.deepEqual(splitIntoChunks([], 3), []);
  });
});
