import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_RANGE_DAYS } from '../../src/archiving/period-request.js';
import { parseForceDateRange } from '../../src/cli/commands/core-archive.js';
import { isFootfallError } from '../../src/errors.js';

describe('core:archive --force-date-range', () => {
  it('accepts a range of the maximum length', () => {
    // 2000-01-01 plus MAX_RANGE_DAYS - 1 days, counted with both ends.
    const end = new Date(Date.UTC(2000, 0, 1) + (MAX_RANGE_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
    assert.deepEqual(parseForceDateRange(`2000-01-01,${end}`), ['2000-01-01', end]);
  });

  it('rejects a range one day longer', () => {
    const end = new Date(Date.UTC(2000, 0, 1) + MAX_RANGE_DAYS * 86_400_000).toISOString().slice(0, 10);
    assert.throws(() => parseForceDateRange(`2000-01-01,${end}`), (error) => {
      assert.ok(isFootfallError(error, 'PARAMETER_INVALID'));
      assert.match(error.message, new RegExp(`spans ${MAX_RANGE_DAYS + 1} days, and the limit is ${MAX_RANGE_DAYS}`));
      return true;
    });
  });

  it('rejects a century with its value', () => {
    assert.throws(() => parseForceDateRange('1900-01-01,2026-12-01'), /Invalid --force-date-range '1900-01-01,2026-12-01'/);
  });
});
