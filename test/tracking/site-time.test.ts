import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatSiteDate, formatSiteDateTime, siteDayOf } from '../../src/tracking/site-time.js';

/** Instants with their wall-clock time in a zone, around offsets that are not whole hours or that change. */
const CASES: { zone: string; utc: string; local: string }[] = [
  { zone: 'Asia/Kathmandu', utc: '2024-05-01T18:14:59Z', local: '2024-05-01 23:59:59' },
  { zone: 'Asia/Kathmandu', utc: '2024-05-01T18:15:00Z', local: '2024-05-02 00:00:00' },
  // Paris moves from UTC+1 to UTC+2 at 01:00 UTC on 31 March 2024.
  { zone: 'Europe/Paris', utc: '2024-03-31T00:59:59Z', local: '2024-03-31 01:59:59' },
  { zone: 'Europe/Paris', utc: '2024-03-31T01:00:00Z', local: '2024-03-31 03:00:00' },
  // New York moves from UTC-4 back to UTC-5 at 06:00 UTC on 3 November 2024.
  { zone: 'America/New_York', utc: '2024-11-03T05:59:59Z', local: '2024-11-03 01:59:59' },
  { zone: 'America/New_York', utc: '2024-11-03T06:00:00Z', local: '2024-11-03 01:00:00' },
  // Lord Howe Island changes by 30 minutes: UTC+11 to UTC+10:30 at 15:00 UTC on 6 April 2024.
  { zone: 'Australia/Lord_Howe', utc: '2024-04-06T14:59:59Z', local: '2024-04-07 01:59:59' },
  { zone: 'Australia/Lord_Howe', utc: '2024-04-06T15:00:00Z', local: '2024-04-07 01:30:00' },
  // Liberia's offset had seconds until 1972, so such instants take the slow path.
  { zone: 'Africa/Monrovia', utc: '1971-06-01T12:00:00Z', local: '1971-06-01 11:15:30' },
  { zone: 'UTC+5.5', utc: '2024-05-01T18:29:59Z', local: '2024-05-01 23:59:59' },
];

describe('site time formatting', () => {
  test('formats zone edges and offset changes', () => {
    for (const { zone, utc, local } of CASES) {
      assert.equal(formatSiteDateTime(new Date(utc), zone), local, `${zone} at ${utc}`);
    }
  });

  test('repeated minute keeps each zone apart', () => {
    const instant = new Date('2024-07-01T22:30:10Z');
    assert.equal(formatSiteDate(instant, 'Europe/Paris'), '2024-07-02');
    assert.equal(formatSiteDate(instant, 'America/New_York'), '2024-07-01');
    assert.equal(formatSiteDateTime(new Date('2024-07-01T22:30:59Z'), 'Europe/Paris'), '2024-07-02 00:30:59');
    assert.equal(formatSiteDateTime(new Date('2024-07-01T22:30:59Z'), 'America/New_York'), '2024-07-01 18:30:59');
  });

  test('matches Intl over a year', () => {
    const intl = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    });
    // A step of 7,919 s (a prime) spreads the instants over every hour of the day and both DST changes.
    for (let time = Date.UTC(2024, 0, 1); time < Date.UTC(2025, 0, 1); time += 7919_000) {
      const instant = new Date(time);
      assert.equal(formatSiteDateTime(instant, 'Europe/Paris'), intl.format(instant), instant.toISOString());
    }
  });

  test('interleaved zones match Intl around changes', () => {
    const zones = ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'UTC', 'UTC-3.5'];
    const reference = new Map(zones.map((zone) => [zone, zone.startsWith('UTC') ? null : new Intl.DateTimeFormat('sv-SE', {
      timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    })]));
    const expected = (zone: string, time: number): string => {
      const formatter = reference.get(zone);
      if (formatter) return formatter.format(new Date(time));
      const offsetMs = zone === 'UTC' ? 0 : -3.5 * 3_600_000;
      return new Date(time + offsetMs).toISOString().slice(0, 19).replace('T', ' ');
    };
    // Two-day windows around the changes of the CASES above, so each zone's cached hour
    // or day is tested against instants of other zones and on both sides of each change.
    const windows = [Date.UTC(2024, 2, 30), Date.UTC(2024, 3, 5), Date.UTC(2024, 10, 2)];
    for (const start of windows) {
      // 127 s (a prime) lands on every minute and second offset, and near every change.
      for (let time = start; time < start + 2 * 86_400_000; time += 127_000) {
        for (const zone of zones) {
          const local = expected(zone, time);
          assert.equal(formatSiteDateTime(new Date(time), zone), local, `${zone} at ${new Date(time).toISOString()}`);
          assert.equal(siteDayOf(time, zone), local.slice(0, 10), `day in ${zone} at ${new Date(time).toISOString()}`);
        }
      }
    }
  });

  test('day alternates between days and zones', () => {
    const paris = Date.UTC(2024, 6, 1, 22, 30);
    assert.equal(siteDayOf(paris, 'Europe/Paris'), '2024-07-02');
    assert.equal(siteDayOf(paris - 86_400_000, 'Europe/Paris'), '2024-07-01');
    assert.equal(siteDayOf(paris, 'Europe/Paris'), '2024-07-02');
    assert.equal(siteDayOf(paris, 'America/New_York'), '2024-07-01');
    assert.equal(siteDayOf(paris, 'Europe/Paris'), '2024-07-02');
    // Kathmandu's local midnight falls at 18:15 UTC, inside a UTC hour.
    assert.equal(siteDayOf(Date.UTC(2024, 4, 1, 18, 14, 59), 'Asia/Kathmandu'), '2024-05-01');
    assert.equal(siteDayOf(Date.UTC(2024, 4, 1, 18, 15), 'Asia/Kathmandu'), '2024-05-02');
    assert.equal(siteDayOf(Date.UTC(2024, 4, 1, 18, 14, 59), 'Asia/Kathmandu'), '2024-05-01');
  });
});
