import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatUtcDateTime } from '../src/time.js';

describe('formatUtcDateTime', () => {
  test('formats each second', () => {
    const cases: [number, string][] = [
      [Date.UTC(2026, 11, 5, 10, 0, 0, 0), '2026-12-05 10:00:00'],
      [Date.UTC(2026, 11, 5, 10, 0, 0, 999), '2026-12-05 10:00:00'],
      [Date.UTC(2026, 11, 5, 10, 0, 1, 0), '2026-12-05 10:00:01'],
      [Date.UTC(2026, 11, 5, 10, 0, 0, 500), '2026-12-05 10:00:00'],
      [-1, '1969-12-31 23:59:59'],
      [-1000, '1969-12-31 23:59:59'],
      [-1001, '1969-12-31 23:59:58'],
      [0, '1970-01-01 00:00:00'],
    ];
    for (const [milliseconds, text] of cases) assert.equal(formatUtcDateTime(new Date(milliseconds)), text, String(milliseconds));
  });

  test('rejects an invalid date', () => {
    assert.throws(() => formatUtcDateTime(new Date(Number.NaN)), RangeError);
  });
});
