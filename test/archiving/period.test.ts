import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Period } from '../../src/archiving/period.js';
import { parsePeriodRequest } from '../../src/archiving/period-request.js';
import { parseSiteTimezone } from '../../src/archiving/site-timezone.js';
import { isFootfallError } from '../../src/errors.js';

const ALL_PERIODS = ['day', 'week', 'month', 'year', 'range'];
const NOW = new Date('2024-05-15T10:00:00Z');

function labels(period: string, date: string, timezone = 'UTC', now = NOW): string[] {
  return parsePeriodRequest(period, date, parseSiteTimezone(timezone), now, ALL_PERIODS).periods.map((item) => item.label);
}

describe('Period', () => {
  it('labels each kind as Matomo keys it', () => {
    assert.equal(Period.containing('day', '2024-05-01').label, '2024-05-01');
    assert.equal(Period.containing('week', '2024-05-01').label, '2024-04-29,2024-05-05');
    assert.equal(Period.containing('month', '2024-05-17').label, '2024-05');
    assert.equal(Period.containing('year', '2024-05-17').label, '2024');
    assert.equal(Period.range('2024-05-01', '2024-05-10').label, '2024-05-01,2024-05-10');
  });

  it('starts weeks on Monday and ends them on Sunday', () => {
    const sunday = Period.containing('week', '2024-05-05');
    assert.equal(sunday.startDate, '2024-04-29');
    assert.equal(sunday.endDate, '2024-05-05');
    assert.equal(Period.containing('week', '2024-05-06').startDate, '2024-05-06');
  });

  it('bounds a day in Kathmandu at UTC+5:45', () => {
    const bounds = Period.containing('day', '2024-05-01').utcBounds(parseSiteTimezone('Asia/Kathmandu'));
    assert.deepEqual(bounds, { start: '2024-04-30 18:15:00', end: '2024-05-01 18:15:00' });
  });

  it('bounds a day with a Matomo offset of UTC+5.5', () => {
    const bounds = Period.containing('day', '2024-05-01').utcBounds(parseSiteTimezone('UTC+5.5'));
    assert.deepEqual(bounds, { start: '2024-04-30 18:30:00', end: '2024-05-01 18:30:00' });
  });

  it('bounds a day with a negative Matomo offset', () => {
    const bounds = Period.containing('day', '2024-05-01').utcBounds(parseSiteTimezone('UTC-3'));
    assert.deepEqual(bounds, { start: '2024-05-01 03:00:00', end: '2024-05-02 03:00:00' });
  });

  it('gives the spring-forward day in Paris 23 hours', () => {
    const bounds = Period.containing('day', '2024-03-31').utcBounds(parseSiteTimezone('Europe/Paris'));
    assert.deepEqual(bounds, { start: '2024-03-30 23:00:00', end: '2024-03-31 22:00:00' });
  });

  it('gives the fall-back day in New York 25 hours', () => {
    const bounds = Period.containing('day', '2024-11-03').utcBounds(parseSiteTimezone('America/New_York'));
    assert.deepEqual(bounds, { start: '2024-11-03 04:00:00', end: '2024-11-04 05:00:00' });
  });

  it('bounds a month across a DST change', () => {
    const bounds = Period.containing('month', '2024-03-10').utcBounds(parseSiteTimezone('Europe/Paris'));
    assert.deepEqual(bounds, { start: '2024-02-29 23:00:00', end: '2024-03-31 22:00:00' });
  });

  it('splits a range into the largest periods that fit', () => {
    const parts = Period.range('2023-12-30', '2024-03-12').subperiods().map((period) => `${period.kind}:${period.label}`);
    assert.deepEqual(parts, [
      'day:2023-12-30', 'day:2023-12-31', 'month:2024-01', 'month:2024-02',
      'day:2024-03-01', 'day:2024-03-02', 'day:2024-03-03', 'week:2024-03-04,2024-03-10', 'day:2024-03-11', 'day:2024-03-12',
    ]);
  });

  it('sums a year from its twelve months', () => {
    const months = Period.containing('year', '2024-06-01').subperiods();
    assert.equal(months.length, 12);
    assert.equal(months[0]!.label, '2024-01');
    assert.equal(months[11]!.label, '2024-12');
  });
});

describe('parsePeriodRequest', () => {
  it('reads date keywords in the site time zone', () => {
    const lateUtc = new Date('2024-05-15T20:00:00Z');
    assert.deepEqual(labels('day', 'today', 'UTC', lateUtc), ['2024-05-15']);
    assert.deepEqual(labels('day', 'today', 'Asia/Kathmandu', lateUtc), ['2024-05-16']);
    assert.deepEqual(labels('day', 'now', 'Asia/Kathmandu', lateUtc), ['2024-05-16']);
    assert.deepEqual(labels('day', 'yesterday', 'America/Los_Angeles', new Date('2024-05-15T03:00:00Z')), ['2024-05-13']);
  });

  it('reads lastWeek, lastMonth and lastYear relative to today', () => {
    assert.deepEqual(labels('day', 'lastWeek'), ['2024-05-08']);
    assert.deepEqual(labels('month', 'lastMonth'), ['2024-04']);
    assert.deepEqual(labels('year', 'lastYear'), ['2023']);
  });

  it('gives lastN periods up to and including the current one', () => {
    const request = parsePeriodRequest('week', 'last3', parseSiteTimezone('UTC'), NOW, ALL_PERIODS);
    assert.equal(request.multiple, true);
    assert.deepEqual(request.periods.map((period) => period.label), ['2024-04-29,2024-05-05', '2024-05-06,2024-05-12', '2024-05-13,2024-05-19']);
  });

  it('gives previousN periods before the current one', () => {
    assert.deepEqual(labels('month', 'previous2'), ['2024-03', '2024-04']);
  });

  it('gives one range for lastN and previousN with period=range', () => {
    assert.deepEqual(labels('range', 'last7'), ['2024-05-09,2024-05-15']);
    assert.deepEqual(labels('range', 'previous7'), ['2024-05-08,2024-05-14']);
  });

  it('gives each period between two dates, keyword ends included', () => {
    assert.deepEqual(labels('day', '2024-05-13,today'), ['2024-05-13', '2024-05-14', '2024-05-15']);
    assert.deepEqual(labels('range', 'lastMonth,yesterday'), ['2024-04-15,2024-05-14']);
  });

  it('marks a single date as one result', () => {
    assert.equal(parsePeriodRequest('day', '2024-05-01', parseSiteTimezone('UTC'), NOW, ALL_PERIODS).multiple, false);
  });

  it('rejects a period that is not enabled', () => {
    assert.throws(() => parsePeriodRequest('year', 'today', parseSiteTimezone('UTC'), NOW, ['day', 'week']),
      (error) => isFootfallError(error, 'PERIOD_INVALID') && error.message === "Invalid period 'year'. Use day or week.");
    assert.throws(() => parsePeriodRequest('qtr', 'today', parseSiteTimezone('UTC'), NOW, ALL_PERIODS),
      (error) => isFootfallError(error, 'PERIOD_INVALID') && error.message === "Invalid period 'qtr'. Use day, week, month, year or range.");
  });

  it('rejects impossible and malformed dates', () => {
    for (const date of ['2024-02-30', 'tomorrow', '2024-5-1', 'last0', '2024-05-02,2024-05-01', 'a,b,c']) {
      assert.throws(() => parsePeriodRequest('day', date, parseSiteTimezone('UTC'), NOW, ALL_PERIODS), (error) => isFootfallError(error, 'DATE_INVALID'), date);
    }
  });

  it('rejects one date with period=range', () => {
    assert.throws(() => parsePeriodRequest('range', '2024-05-01', parseSiteTimezone('UTC'), NOW, ALL_PERIODS), (error) => isFootfallError(error, 'DATE_INVALID'));
  });
});
