import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { formatDuration, formatMoney } from '../../src/reports/metric-format.js';
import { createConversion, createVisit } from '../support/log-factories.js';
import { createReportFixture, type ReportFixture } from '../support/report-fixture.js';

describe('report output options', () => {
  let fixture: ReportFixture;
  const day = () => `idSite=${fixture.siteId}&period=day&date=2024-05-01`;

  before(async () => {
    fixture = await createReportFixture();
    const visit = await createVisit(fixture.db, { idsite: fixture.siteId, visit_last_action_time: '2024-05-03 10:00:00', visit_goal_converted: 1 });
    await createConversion(fixture.db, { idsite: fixture.siteId, idvisit: visit, idgoal: 1, server_time: '2024-05-03 10:00:00', revenue: 42.5 });
  });
  after(async () => { await fixture.close(); });

  it('format_metrics=bc formats only percentages', async () => {
    const summary = await fixture.getJson(`method=VisitsSummary.get&${day()}&showColumns=bounce_rate,avg_time_on_site`);
    assert.deepEqual(summary, { bounce_rate: '50%', avg_time_on_site: 83 });
  });

  it('format_metrics=0 returns percentages as ratios', async () => {
    const summary = await fixture.getJson(`method=VisitsSummary.get&${day()}&showColumns=bounce_rate,avg_time_on_site&format_metrics=0`);
    assert.deepEqual(summary, { bounce_rate: 0.5, avg_time_on_site: 83 });
    const goals = await fixture.getJson(`method=Goals.get&idSite=${fixture.siteId}&period=day&date=2024-05-03&showColumns=conversion_rate,conversion_rate_new_visit&format_metrics=0`);
    assert.deepEqual(goals, { conversion_rate: 1, conversion_rate_new_visit: 1 });
  });

  it('format_metrics=1 formats durations and money', async () => {
    const summary = await fixture.getJson(`method=VisitsSummary.get&${day()}&showColumns=bounce_rate,avg_time_on_site,nb_visits&format_metrics=1`);
    assert.deepEqual(summary, { nb_visits: 4, bounce_rate: '50%', avg_time_on_site: '0:01:23' });
    const goals = await fixture.getJson(`method=Goals.get&idSite=${fixture.siteId}&period=day&date=2024-05-03&showColumns=revenue,revenue_new_visit&format_metrics=1`);
    assert.deepEqual(goals, { revenue: '$42.50', revenue_new_visit: '$42.50' });
  });

  it('format_metrics=1 formats goal view money', async () => {
    const rows = await fixture.getJson(`method=Referrers.getReferrerType&idSite=${fixture.siteId}&period=day&date=2024-05-03`
      + '&filter_update_columns_when_show_all_goals=1&idGoal=1&showColumns=goal_1_nb_conversions,goal_1_revenue,goal_1_revenue_per_visit&format_metrics=1');
    assert.equal(rows.length, 1);
    assert.equal(rows[0].goal_1_nb_conversions, 1);
    assert.equal(rows[0].goal_1_revenue, '$42.50');
    assert.equal(rows[0].goal_1_revenue_per_visit, '$42.50');
  });

  it('format_metrics rejects an unknown mode', async () => {
    const response = await fixture.app.inject({
      method: 'GET', headers: { host: fixture.host },
      url: `/index.php?module=API&format=json&token_auth=${fixture.token}&method=VisitsSummary.get&${day()}&format_metrics=2`,
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'PARAMETER_INVALID');
  });

  it('formatDuration and formatMoney match Matomo', () => {
    assert.equal(formatDuration(0), '0:00:00');
    assert.equal(formatDuration(3725), '1:02:05');
    assert.equal(formatMoney(53, 'USD'), '$53');
    assert.equal(formatMoney(1.5, 'EUR'), '€1.50');
  });

  it('showColumns keeps row metadata', async () => {
    const rows = await fixture.getJson(`method=UserCountry.getCountry&${day()}&showColumns=nb_visits&filter_limit=1`);
    assert.deepEqual(rows, [{ label: 'France', nb_visits: 2, code: 'fr', logo: 'plugins/Morpheus/icons/dist/flags/fr.png', segment: 'countryCode==fr', logoHeight: 16 }]);
  });

  it('filter_truncate sums the rest into Others', async () => {
    const rows = await fixture.getJson(`method=UserCountry.getCountry&${day()}&filter_truncate=1&hideColumns=code,logo,segment,logoHeight`);
    assert.deepEqual(rows, [
      { label: 'France', nb_uniq_visitors: 2, nb_visits: 2, nb_actions: 5, max_actions: 3, sum_visit_length: 330, bounce_count: 0, nb_visits_converted: 1 },
      { label: 'Others', nb_uniq_visitors: 2, nb_visits: 2, nb_actions: 2, max_actions: 1, sum_visit_length: 0, bounce_count: 2, nb_visits_converted: 0 },
    ]);
  });

  it('label with > levels picks a subtable row', async () => {
    const rows = await fixture.getJson(`method=Actions.getPageUrls&${day()}&label=${encodeURIComponent('blog>/post1')}&showColumns=nb_hits`);
    assert.deepEqual(rows, [{ label: '/post1', nb_hits: 2, url: 'http://example.org/blog/post1', segment: 'pageUrl==http%253A%252F%252Fexample.org%252Fblog%252Fpost1' }]);
  });
});
