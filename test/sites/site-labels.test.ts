import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeCurrency, describeTimezone } from '../../src/sites/site-labels.js';

describe('describeTimezone', () => {
  const cases: Array<[string, string]> = [
    ['Europe/Paris', 'France'],
    ['Asia/Tokyo', 'Japan'],
    ['America/New_York', 'United States - New York'],
    ['America/Los_Angeles', 'United States - Los Angeles'],
    ['UTC', 'UTC'],
    ['UTC+5.5', 'UTC+5:30'],
    ['UTC+5.75', 'UTC+5:45'],
    ['UTC-3', 'UTC-3'],
    ['Etc/GMT+2', 'GMT+2'],
  ];
  for (const [timezone, name] of cases) {
    test(`names ${timezone} ${name}`, () => {
      assert.equal(describeTimezone(timezone), name);
    });
  }
});

describe('describeCurrency', () => {
  test('names known currencies', () => {
    assert.equal(describeCurrency('EUR'), 'Euro');
    assert.equal(describeCurrency('USD'), 'US Dollar');
    assert.equal(describeCurrency('JPY'), 'Japanese Yen');
  });

  test('keeps an unknown code', () => {
    assert.equal(describeCurrency('XYZ'), 'XYZ');
  });
});
