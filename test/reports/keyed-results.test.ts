import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSite } from '../../src/sites/site-store.js';
import { createVisit } from '../support/log-factories.js';
import { createReportFixture, type ReportFixture, withoutRowMetadata } from '../support/report-fixture.js';

describe('keyed report results', () => {
  let fixture: ReportFixture;
  let secondSiteId: number;

  before(async () => {
    fixture = await createReportFixture();
    secondSiteId = await createSite(fixture.db, { name: 'Second', urls: ['https://second.example'], timezone: 'Asia/Kathmandu' }, { timezone: 'UTC', currency: 'USD', creatorLogin: 'admin' });
    // 2024-05-01 20:00 UTC is 2024-05-02 01:45 in Kathmandu.
    await createVisit(fixture.db, { idsite: secondSiteId, visit_last_action_time: '2024-05-01 20:00:00', visit_total_actions: 2 });
  });

  after(async () => { await fixture.close(); });

  it('keys sites and then periods in JSON', async () => {
    const result = await fixture.getJson(`method=VisitsSummary.get&idSite=${fixture.siteId},${secondSiteId}&period=day&date=2024-05-01,2024-05-02&showColumns=nb_visits`);
    assert.deepEqual(Object.keys(result), [String(fixture.siteId), String(secondSiteId)]);
    assert.equal(result[fixture.siteId]['2024-05-01'].nb_visits, 4);
    assert.deepEqual(result[fixture.siteId]['2024-05-02'], []);
    assert.deepEqual(result[secondSiteId]['2024-05-01'], []);
    assert.equal(result[secondSiteId]['2024-05-02'].nb_visits, 1);
  });

  it('keys every viewable site for idSite=all', async () => {
    const result = withoutRowMetadata(await fixture.getJson('method=UserCountry.getCountry&idSite=all&period=day&date=2024-05-02&showColumns=nb_visits'));
    assert.deepEqual(result, { [fixture.siteId]: [], [secondSiteId]: [{ label: 'France', nb_visits: 1 }] });
  });

  it('renders sites and periods as nested results in XML', async () => {
    const response = await fixture.app.inject({
      method: 'GET', headers: { host: fixture.host },
      url: `/index.php?module=API&token_auth=${fixture.token}&method=VisitsSummary.get&idSite=${fixture.siteId},${secondSiteId}&period=month&date=last1&showColumns=nb_visits`,
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.body, [
      '<?xml version="1.0" encoding="utf-8" ?>',
      '<results>',
      `\t<result idSite="${fixture.siteId}">`,
      '\t\t<result date="2024-05">',
      '\t\t\t<nb_visits>4</nb_visits>',
      '\t\t</result>',
      '\t</result>',
      `\t<result idSite="${secondSiteId}">`,
      '\t\t<result date="2024-05">',
      '\t\t\t<nb_visits>1</nb_visits>',
      '\t\t</result>',
      '\t</result>',
      '</results>',
    ].join('\n'));
  });

  it('renders a period with data as its metrics in XML', async () => {
    const response = await fixture.app.inject({
      method: 'GET', headers: { host: fixture.host },
      url: `/index.php?module=API&token_auth=${fixture.token}&method=Actions.get&idSite=${fixture.siteId}&period=day&date=2024-04-30,2024-05-01`,
    });
    assert.equal(response.body, [
      '<?xml version="1.0" encoding="utf-8" ?>',
      '<results>',
      '\t<result date="2024-04-30" />',
      '\t<result date="2024-05-01">',
      '\t\t<nb_pageviews>6</nb_pageviews>',
      '\t\t<nb_uniq_pageviews>6</nb_uniq_pageviews>',
      '\t\t<nb_downloads>1</nb_downloads>',
      '\t\t<nb_uniq_downloads>1</nb_uniq_downloads>',
      '\t\t<nb_outlinks>0</nb_outlinks>',
      '\t\t<nb_uniq_outlinks>0</nb_uniq_outlinks>',
      '\t\t<nb_searches>0</nb_searches>',
      '\t\t<nb_keywords>0</nb_keywords>',
      '\t</result>',
      '</results>',
    ].join('\n'));
  });
});
