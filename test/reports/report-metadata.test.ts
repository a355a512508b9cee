import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createGoal } from '../../src/goals/goal-store.js';
import { ALL_REPORTS } from '../../src/reports/index.js';
import { createReportFixture, type ReportFixture } from '../support/report-fixture.js';

describe('API.getReportMetadata', () => {
  let fixture: ReportFixture;

  before(async () => {
    fixture = await createReportFixture();
    await createGoal(fixture.db, fixture.siteId, {
      name: 'Signup', matchAttribute: 'url', pattern: 'signup', patternType: 'contains', caseSensitive: false, revenue: 5, allowMultiple: false, description: '', eventValueAsRevenue: false,
    });
  });
  after(async () => { await fixture.close(); });

  it('lists VisitsSummary.get with metric names and types', async () => {
    const reports = await fixture.getJson(`method=API.getReportMetadata&idSite=${fixture.siteId}&period=day&date=2024-05-01`);
    assert.deepEqual(reports[0], {
      category: 'Visitors', subcategory: 'Overview', name: 'Visits Summary', module: 'VisitsSummary', action: 'get',
      metrics: {
        nb_uniq_visitors: 'Unique visitors', nb_visits: 'Visits', nb_users: 'Users', nb_actions: 'Actions', max_actions: 'Maximum actions in one visit',
        bounce_count: 'Bounces', nb_visits_converted: 'Visits converted', sum_visit_length: 'Total time spent by visitors (in seconds)',
      },
      processedMetrics: { bounce_rate: 'Bounce Rate', nb_actions_per_visit: 'Actions per Visit', avg_time_on_site: 'Avg. Visit Duration (in seconds)' },
      metricsDocumentation: reports[0].metricsDocumentation,
      metricTypes: {
        nb_uniq_visitors: 'number', nb_visits: 'number', nb_users: 'number', nb_actions: 'number', max_actions: 'number', bounce_count: 'number',
        nb_visits_converted: 'number', sum_visit_length: 'duration_s', bounce_rate: 'percent', nb_actions_per_visit: 'number', avg_time_on_site: 'duration_s',
      },
      uniqueId: 'VisitsSummary_get',
    });
    assert.equal(reports[0].metricsDocumentation.bounce_rate, 'The percentage of visits that only had a single pageview. This means that the visitor left the website directly from the entrance page.');
  });

  it('lists a dimension report with its dimension', async () => {
    const reports = await fixture.getJson(`method=API.getReportMetadata&idSite=${fixture.siteId}&hideMetricsDoc=1`);
    const country = reports.find((report: any) => report.uniqueId === 'UserCountry_getCountry');
    assert.deepEqual(Object.keys(country), ['category', 'subcategory', 'name', 'module', 'action', 'dimension', 'metrics', 'metricTypes', 'uniqueId']);
    assert.equal(country.subcategory, 'Locations');
    assert.equal(country.dimension, 'Country');
    assert.equal(country.metrics.nb_visits, 'Visits');
  });

  it('lists Goals.get once per goal with parameters', async () => {
    const reports = await fixture.getJson(`method=API.getReportMetadata&idSite=${fixture.siteId}&hideMetricsDoc=1`);
    const goals = reports.filter((report: any) => report.module === 'Goals' && report.action === 'get');
    assert.deepEqual(goals.map((report: any) => [report.name, report.parameters, report.uniqueId]), [
      ['Goals', undefined, 'Goals_get'],
      ['Goal Signup', { idGoal: '1' }, 'Goals_get_idGoal--1'],
    ]);
  });

  it('leaves out reports that need a row parameter', async () => {
    const reports = await fixture.getJson(`method=API.getReportMetadata&idSite=${fixture.siteId}&hideMetricsDoc=1`);
    const ids = reports.map((report: any) => report.uniqueId);
    assert.equal(ids.includes('Actions_getPageUrl'), false);
    assert.equal(ids.includes('Actions_getPageUrls'), true);
  });

  it('every served report has category, name and metric types', () => {
    for (const definition of ALL_REPORTS) {
      assert.notEqual(definition.metadata.category, '', definition.name);
      assert.notEqual(definition.metadata.name, '', definition.name);
      for (const metric of [...Object.keys(definition.metadata.metrics), ...Object.keys(definition.metadata.processedMetrics)]) {
        assert.ok(definition.metadata.metricTypes[metric], `${definition.name} ${metric}`);
      }
    }
  });
});

describe('API.getProcessedReport', () => {
  let fixture: ReportFixture;
  const processed = (query: string) => fixture.getJson(`method=API.getProcessedReport&idSite=${fixture.siteId}&period=day&date=2024-05-01&hideMetricsDoc=1&${query}`);

  before(async () => { fixture = await createReportFixture(); });
  after(async () => { await fixture.close(); });

  it('splits a table report into data, row metadata and totals', async () => {
    const report = await processed('apiModule=UserCountry&apiAction=getCountry');
    assert.equal(report.website, `Site of ${fixture.host}`);
    assert.equal(report.prettyDate, 'Wednesday, May 1, 2024');
    assert.equal(report.metadata.uniqueId, 'UserCountry_getCountry');
    assert.deepEqual(report.columns, {
      label: 'Country', nb_uniq_visitors: 'Unique visitors', nb_visits: 'Visits', nb_actions: 'Actions', max_actions: 'Maximum actions in one visit',
      sum_visit_length: 'Total time spent by visitors (in seconds)', bounce_count: 'Bounces', nb_visits_converted: 'Visits converted',
    });
    assert.deepEqual(report.reportData[0], { label: 'France', nb_uniq_visitors: 2, nb_visits: 2, nb_actions: 5, max_actions: 3, sum_visit_length: 330, bounce_count: 0, nb_visits_converted: 1 });
    assert.deepEqual(report.reportMetadata[0], { code: 'fr', logo: 'plugins/Morpheus/icons/dist/flags/fr.png', segment: 'countryCode==fr', logoHeight: 16 });
    assert.equal(report.reportData.length, 3);
    assert.deepEqual(report.reportTotal, { nb_uniq_visitors: 4, nb_visits: 4, nb_actions: 7, max_actions: 3, sum_visit_length: 330, bounce_count: 2, nb_visits_converted: 1 });
  });

  it('serves a metrics report as one object', async () => {
    const report = await processed('apiModule=VisitsSummary&apiAction=get');
    assert.equal(report.reportData.nb_visits, 4);
    assert.equal(report.reportData.bounce_rate, '50%');
    assert.deepEqual(report.reportMetadata, []);
    assert.deepEqual(report.reportTotal, []);
  });

  it('applies generic filters to the data', async () => {
    const report = await processed('apiModule=UserCountry&apiAction=getCountry&filter_limit=1');
    assert.deepEqual(report.reportData.map((row: any) => row.label), ['France']);
  });

  it('keys data by period for lastN dates', async () => {
    const report = await fixture.getJson(`method=API.getProcessedReport&idSite=${fixture.siteId}&period=day&date=2024-04-30,2024-05-01&apiModule=VisitsSummary&apiAction=get&hideMetricsDoc=1`);
    assert.deepEqual(Object.keys(report.reportData), ['2024-04-30', '2024-05-01']);
    assert.deepEqual(report.reportData['2024-04-30'], []);
    assert.equal(report.prettyDate, 'Tuesday, April 30, 2024 – Wednesday, May 1, 2024');
  });

  it('rejects an unknown report', async () => {
    const response = await fixture.app.inject({
      method: 'GET', headers: { host: fixture.host },
      url: `/index.php?module=API&format=json&token_auth=${fixture.token}&method=API.getProcessedReport&idSite=${fixture.siteId}&period=day&date=2024-05-01&apiModule=Nope&apiAction=get`,
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'PARAMETER_INVALID');
  });
});
