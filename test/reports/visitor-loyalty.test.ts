import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createVisit } from '../support/log-factories.js';
import { createReportFixture, type ReportFixture } from '../support/report-fixture.js';

describe('visit count, days since last and weekday reports', () => {
  let fixture: ReportFixture;
  const get = (method: string, period = 'day', date = '2024-05-07') => fixture.getJson(`method=${method}&idSite=${fixture.siteId}&period=${period}&date=${date}`);

  before(async () => {
    fixture = await createReportFixture();
    const { db, siteId } = fixture;
    // 2024-05-07 is a Tuesday: a first visit, a second visit 1.5 days after the first, and a 12th visit 40 days after the 11th.
    await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-05-07 09:00:00' });
    await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-05-07 10:00:00', visitor_returning: 1, visitor_count_visits: 2, visitor_seconds_since_last: 129600 });
    await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-05-07 11:00:00', visitor_returning: 1, visitor_count_visits: 12, visitor_seconds_since_last: 40 * 86400 });
  });
  after(async () => { await fixture.close(); });

  it('getNumberOfVisitsByVisitCount buckets the visit number', async () => {
    const rows = await get('VisitorInterest.getNumberOfVisitsByVisitCount');
    assert.deepEqual(rows.map((row: any) => [row.label, row.nb_visits]), [
      ['1 visit', 1], ['2 visits', 1], ['3 visits', 0], ['4 visits', 0], ['5 visits', 0], ['6 visits', 0], ['7 visits', 0], ['8 visits', 0],
      ['9-14 visits', 1], ['15-25 visits', 0], ['26-50 visits', 0], ['51-100 visits', 0], ['101-200 visits', 0], ['200+ visits', 0],
    ]);
    assert.equal(rows[8].segment, 'visitCount>=9;visitCount<=14');
  });

  it('getNumberOfVisitsByDaysSinceLast skips first visits', async () => {
    const rows = await get('VisitorInterest.getNumberOfVisitsByDaysSinceLast');
    assert.deepEqual(rows.map((row: any) => [row.label, row.nb_visits]), [
      ['0 days', 0], ['1 day', 1], ['2 days', 0], ['3 days', 0], ['4 days', 0], ['5 days', 0], ['6 days', 0], ['7 days', 0],
      ['8-14 days', 0], ['15-30 days', 0], ['31-60 days', 1], ['61-120 days', 0], ['121-364 days', 0], ['365+ days', 0],
    ]);
  });

  it('getByDayOfWeek sums a month by weekday', async () => {
    const rows = await get('VisitTime.getByDayOfWeek', 'month', '2024-05-01');
    assert.deepEqual(rows.map((row: any) => [row.label, row.nb_visits, row.day_of_week]), [
      ['Monday', 0, 1], ['Tuesday', 3, 2], ['Wednesday', 4, 3], ['Thursday', 0, 4], ['Friday', 0, 5], ['Saturday', 0, 6], ['Sunday', 0, 7],
    ]);
    assert.deepEqual(await get('VisitTime.getByDayOfWeek', 'day', '2024-04-01'), []);
  });
});
