import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FootfallError } from '../../src/errors.js';
import { parseFloatParameter, readAmountParameter, readPhpNumeric, roundRevenue } from '../../src/tracking/tracking-numbers.js';
import { TrackingParams } from '../../src/tracking/tracking-params.js';

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

describe('decimal tracking parameters', () => {
  test('reads decimal forms', () => {
    const cases: [string, number][] = [
      ['12', 12], ['12.5', 12.5], ['.5', 0.5], ['5.', 5], ['-3.25', -3.25], ['+7', 7], ['1e3', 1000], ['1.5E-2', 0.015], ['123.e-3', 0.123], ['007', 7],
    ];
    for (const [text, expected] of cases) assert.equal(parseFloatParameter(text), expected, text);
  });

  test('rejects non-decimal forms', () => {
    for (const text of ['0x10', '0b101', '0o17', '1_000', ' 5', '5 ', '\t5', 'abc', '.', 'e3', '1e', '1.5.3', 'Infinity', 'NaN', '1e400', '5\n\n']) {
      assert.equal(parseFloatParameter(text), null, JSON.stringify(text));
    }
    assert.equal(parseFloatParameter(''), null);
    assert.equal(parseFloatParameter(undefined), null);
  });

  test('reads number before comma', () => {
    // Matomo checks the text with commas as dots, then PHP's float cast stops at the first comma.
    const cases: [string, number][] = [['12,5', 12], ['1,000', 1], [',5', 0], ['5,', 5], ['1,5e3', 1]];
    for (const [text, expected] of cases) assert.equal(parseFloatParameter(text), expected, text);
    assert.equal(parseFloatParameter('1,5,3'), null);
  });

  test('allows one final line break', () => {
    assert.equal(parseFloatParameter('5\n'), 5);
    assert.equal(parseFloatParameter('2.5\n'), 2.5);
  });

  test('negative zero reads as zero', () => {
    assert.ok(Object.is(parseFloatParameter('-0'), 0));
  });
});

describe('PHP numeric values', () => {
  test('accepts numbers and numeric strings', () => {
    const cases: [unknown, number][] = [
      [5, 5], [2.5, 2.5], ['7', 7], ['-1.5', -1.5], ['.5', 0.5], ['5.', 5], ['1e3', 1000], [' 12', 12], ['12 ', 12], ['\n\t3\r\v\f', 3],
    ];
    for (const [value, expected] of cases) assert.equal(readPhpNumeric(value), expected, JSON.stringify(value));
  });

  test('rejects other values', () => {
    for (const value of ['0x10', '0b1', '1_000', '', ' ', 'abc', '.', '1e', '12,5', '\u00a012', true, false, null, undefined, [3], { price: 3 }, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.equal(readPhpNumeric(value), null, String(value));
    }
  });
});

describe('amount parameters', () => {
  test('accepts amounts up to bound', () => {
    const params = TrackingParams.fromQueryString('revenue=1e15&e_v=-1000000000000000&_pkp=abc');
    assert.equal(readAmountParameter(params, 'revenue'), 1e15);
    assert.equal(readAmountParameter(params, 'e_v'), -1e15);
    assert.equal(readAmountParameter(params, '_pkp'), null);
    assert.equal(readAmountParameter(params, 'ec_tx'), null);
  });

  test('rejects amounts beyond bound', () => {
    for (const text of ['1e308', '1000000000000001', '-2e15']) {
      const params = TrackingParams.fromQueryString(`revenue=${text}`);
      assert.throws(() => readAmountParameter(params, 'revenue'), (error: unknown) => {
        assert.ok(error instanceof FootfallError);
        assert.equal(error.code, 'TRACKING_PARAMETER_INVALID');
        assert.ok(error.message.includes(`'${text}' for 'revenue'`), error.message);
        return true;
      }, text);
    }
  });
});
