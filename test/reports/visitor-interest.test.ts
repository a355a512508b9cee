import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createReportFixture, type ReportFixture } from '../support/report-fixture.js';

describe('VisitorInterest reports', () => {
  let fixture: ReportFixture;
  const get = (method: string, date = '2024-05-01', period = 'day') => fixture.getJson(`method=VisitorInterest.${method}&idSite=${fixture.siteId}&period=${period}&date=${date}`);

  before(async () => { fixture = await createReportFixture(); });
  after(async () => { await fixture.close(); });

  it('counts visits per visit duration bucket', async () => {
    const rows = await get('getNumberOfVisitsPerVisitDuration');
    assert.deepEqual(rows.map((row: any) => [row.label, row.nb_visits]), [
      ['0-10s', 2], ['11-30s', 1], ['31-60s', 0], ['1-2 min', 0], ['2-4 min', 0], ['4-7 min', 1], ['7-10 min', 0], ['10-15 min', 0], ['15-30 min', 0], ['30+ min', 0],
    ]);
    assert.equal(rows[1].segment, 'visitDuration>=11;visitDuration<=30');
    assert.equal(rows[9].segment, 'visitDuration>=1801');
  });

  it('counts visits per pages bucket, also over a week', async () => {
    const expected = [['1 page', 2], ['2 pages', 1], ['3 pages', 1], ['4 pages', 0], ['5 pages', 0], ['6-7 pages', 0], ['8-10 pages', 0], ['11-14 pages', 0], ['15-20 pages', 0], ['21-30 pages', 0], ['31-50 pages', 0], ['51+ pages', 0]];
    assert.deepEqual((await get('getNumberOfVisitsPerPage')).map((row: any) => [row.label, row.nb_visits]), expected);
    assert.deepEqual((await get('getNumberOfVisitsPerPage', '2024-05-01', 'week')).map((row: any) => [row.label, row.nb_visits]), expected);
  });

  it('returns [] without visits', async () => {
    assert.deepEqual(await get('getNumberOfVisitsPerPage', '2024-04-01'), []);
  });
});
