import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addDays } from '../../src/archiving/period.js';
import { createVisit } from '../support/log-factories.js';
import { createReportFixture, type ReportFixture, withoutRowMetadata } from '../support/report-fixture.js';

const SUMMED = ['nb_visits', 'nb_actions', 'nb_visits_converted', 'bounce_count', 'sum_visit_length'] as const;

describe('period sums', () => {
  let fixture: ReportFixture;
  const get = (method: string, period: string, date: string, extra = '') => fixture.getJson(`method=${method}&idSite=${fixture.siteId}&period=${period}&date=${date}${extra}`);

  before(async () => {
    fixture = await createReportFixture();
    // Visits on other days of the week of 2024-04-29, one on the Sunday that ends it and one just after.
    await createVisit(fixture.db, { idsite: fixture.siteId, idvisitor: 'aaaaaaaaaaaaaaaa', visit_last_action_time: '2024-04-29 08:00:00', visit_total_actions: 5, visit_total_time: 70, location_country: 'de' });
    await createVisit(fixture.db, { idsite: fixture.siteId, idvisitor: '1111111111111111', visit_last_action_time: '2024-05-05 23:59:59', visit_total_actions: 9, visit_total_time: 10, visit_goal_converted: 1 });
    await createVisit(fixture.db, { idsite: fixture.siteId, idvisitor: '2222222222222222', visit_last_action_time: '2024-05-06 00:00:00' });
  });

  after(async () => { await fixture.close(); });

  it('sums a week from its seven days', async () => {
    const week = await get('VisitsSummary.get', 'week', '2024-05-01');
    const days = await get('VisitsSummary.get', 'day', '2024-04-29,2024-05-05');
    assert.deepEqual(Object.keys(days), Array.from({ length: 7 }, (_, index) => addDays('2024-04-29', index)));
    for (const metric of SUMMED) {
      const total = Object.values(days).reduce((sum: number, day: any) => sum + (Array.isArray(day) ? 0 : day[metric]), 0);
      assert.equal(week[metric], total, metric);
    }
    assert.equal(week.max_actions, 9);
    assert.equal(week.nb_visits, 6);
  });

  it('counts unique visitors of a week once, not per day', async () => {
    const week = await get('VisitsSummary.get', 'week', '2024-05-01');
    assert.equal(week.nb_uniq_visitors, 5);
  });

  it('sums report rows of a month from its days', async () => {
    const month = withoutRowMetadata(await get('UserCountry.getCountry', 'month', '2024-05-01', '&showColumns=nb_visits,sum_daily_nb_uniq_visitors'));
    assert.deepEqual(month, [
      { label: 'France', nb_visits: 4, sum_daily_nb_uniq_visitors: 4 },
      { label: 'Germany', nb_visits: 1, sum_daily_nb_uniq_visitors: 1 },
      { label: 'Unknown', nb_visits: 1, sum_daily_nb_uniq_visitors: 1 },
    ]);
  });

  it('sums a range across a month boundary from days and the week', async () => {
    const range = await get('VisitsSummary.get', 'range', '2024-04-29,2024-05-06', '&showColumns=nb_visits,max_actions');
    assert.deepEqual(range, { nb_visits: 7, max_actions: 9 });
  });
});
