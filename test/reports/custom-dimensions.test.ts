import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createVisit } from '../support/log-factories.js';
import { createReportFixture, type ReportFixture } from '../support/report-fixture.js';

describe('CustomDimensions.getCustomDimension', () => {
  let fixture: ReportFixture;
  const query = (extra: string) => `method=CustomDimensions.getCustomDimension&idSite=${fixture.siteId}&period=day&date=2024-05-04${extra}`;

  before(async () => {
    fixture = await createReportFixture();
    for (const plan of ['gold', 'gold', null]) {
      await createVisit(fixture.db, { idsite: fixture.siteId, visit_last_action_time: '2024-05-04 10:00:00', custom_dimension_2: plan });
    }
  });

  after(async () => { await fixture.close(); });

  it('groups visits by the value of a dimension', async () => {
    assert.deepEqual(await fixture.getJson(query('&idDimension=2&showColumns=nb_visits,segment')), [
      { label: 'gold', nb_visits: 2, segment: 'dimension2==gold' },
      { label: 'Value not defined', nb_visits: 1, segment: 'dimension2==' },
    ]);
  });

  it('segments visits by a dimension', async () => {
    const result = await fixture.getJson(`method=VisitsSummary.get&idSite=${fixture.siteId}&period=day&date=2024-05-04&showColumns=nb_visits&segment=dimension2%3D%3Dgold`);
    assert.deepEqual(result, { nb_visits: 2 });
  });

  it('rejects a missing or unknown idDimension', async () => {
    for (const extra of ['', '&idDimension=9', '&idDimension=x']) {
      const response = await fixture.app.inject({ method: 'GET', headers: { host: fixture.host }, url: `/index.php?module=API&format=json&token_auth=${fixture.token}&${query(extra)}` });
      assert.equal(response.statusCode, 400, extra);
      assert.match(response.json().code, /^PARAMETER_(MISSING|INVALID)$/, extra);
    }
  });
});
