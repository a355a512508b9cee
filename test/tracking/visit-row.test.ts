import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EnrichedHit } from '../../src/tracking/hit.js';
import { TrackingParams } from '../../src/tracking/tracking-params.js';
import { buildVisitDimensions, buildVisitRow } from '../../src/tracking/visit-row.js';
import type { VisitState } from '../../src/tracking/visit-state.js';

const TIME = Date.parse('2026-05-01T10:00:00Z');

/** Builds a hit with only the fields the visit row reads, with a campaign and a location so that no dimension is left empty. */
function campaignHit(): EnrichedHit {
  return {
    siteId: 1, configId: 'c0ffee0000000001', requestedVisitorId: 'a000000000000001', maskedIp: '192.0.2.0', browserLanguage: 'fr-fr',
    time: new Date(TIME),
    params: TrackingParams.fromRecords({ res: '1280x720', cookie: '1', h: '12', m: '5', s: '9' }),
    referrer: {
      type: 6, name: 'spring', keyword: 'shoes', url: 'https://news.example.net/',
      campaign: { name: 'spring', keyword: 'shoes', source: 'news', medium: 'email', content: 'banner', id: '42' },
    },
    location: { country: 'fr', region: 'IDF', city: 'Paris', latitude: 48.85, longitude: 2.35 },
    device: {
      os: 'WIN', osVersion: '11', browserName: 'FF', browserVersion: '125.0', browserEngine: 'Gecko', clientType: 1,
      deviceType: 0, deviceBrand: 'AP', deviceModel: 'Mac',
    },
  } as unknown as EnrichedHit;
}

const PREVIOUS = {
  goalBuyer: 1, visitorCountVisits: 2, visitorSecondsSinceFirst: 600, firstActionTime: TIME - 3_600_000, lastActionTime: TIME - 1_800_000,
} as VisitState;

describe('visit row', () => {
  test('copies every visit dimension', () => {
    const dimensions = buildVisitDimensions(campaignHit(), PREVIOUS);
    const row = buildVisitRow(campaignHit(), PREVIOUS, 'a000000000000001', []);
    for (const [column, value] of Object.entries(dimensions)) {
      assert.ok(column in row, `the row has no ${column} column`);
      assert.deepEqual(row[column as keyof typeof row], value, column);
    }
  });

  test('stores the returning visitor counters', () => {
    const row = buildVisitRow(campaignHit(), PREVIOUS, 'a000000000000001', []);
    assert.equal(row.visitor_returning, 2);
    assert.equal(row.visitor_count_visits, 3);
    assert.equal(row.visitor_seconds_since_first, 4200);
    assert.equal(row.visitor_seconds_since_last, 1800);
    assert.equal(row.visitor_localtime, '12:05:09');
    assert.equal(row.config_resolution, '1280x720');
  });
});
