import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { roundRevenue } from '../../src/tracking/tracking-numbers.js';

describe('revenue rounding', () => {
  test('keeps whole numbers', () => {
    for (const value of [0, 5, -3, 1e300, 2 ** 53]) assert.equal(roundRevenue(value), value, String(value));
  });

  test('rounds half away from zero', () => {
    const cases: [number, number][] = [
      [12.345, 12.35], [12.344, 12.34], [-12.345, -12.35], [0.125, 0.13], [99.995, 100], [0.1 + 0.2, 0.3],
    ];
    for (const [value, expected] of cases) assert.equal(roundRevenue(value), expected, String(value));
  });

  test('rounds decimal halves up', () => {
    // These halves are stored just below .5, and PHP's round() first rounds to 15 significant digits.
    const cases: [number, number][] = [[1.005, 1.01], [0.285, 0.29], [2.675, 2.68], [8.325, 8.33], [-1.005, -1.01], [123456789.125, 123456789.13]];
    for (const [value, expected] of cases) assert.equal(roundRevenue(value), expected, String(value));
  });

  test('small negative becomes zero', () => {
    assert.ok(Object.is(roundRevenue(-0.001), 0));
    assert.equal(roundRevenue(1e-7), 0);
  });

  test('keeps amounts beyond precision', () => {
    assert.equal(roundRevenue(4503599627370495.5), 4503599627370495.5);
    assert.equal(roundRevenue(1234567890123.456), 1234567890123.46);
  });
});
