import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createVisit } from '../support/log-factories.js';
import { createReportFixture, type ReportFixture } from '../support/report-fixture.js';

describe('UserLanguage.getLanguage', () => {
  let fixture: ReportFixture;

  before(async () => {
    fixture = await createReportFixture();
    for (const language of ['fr-ch,fr;q=0.9', 'FR', 'de', null]) {
      await createVisit(fixture.db, { idsite: fixture.siteId, visit_last_action_time: '2024-05-04 10:00:00', location_browser_lang: language });
    }
  });

  after(async () => { await fixture.close(); });

  it('groups visits by the first language of the browser', async () => {
    assert.deepEqual(await fixture.getJson(`method=UserLanguage.getLanguage&idSite=${fixture.siteId}&period=day&date=2024-05-04&showColumns=nb_visits,code,segment`), [
      { label: 'French', nb_visits: 2, code: 'fr', segment: 'languageCode=^fr' },
      { label: 'German', nb_visits: 1, code: 'de', segment: 'languageCode=^de' },
      { label: 'Unknown', nb_visits: 1, segment: 'languageCode==' },
    ]);
  });

  it('segments visits by language code, ignoring case', async () => {
    const result = await fixture.getJson(`method=VisitsSummary.get&idSite=${fixture.siteId}&period=day&date=2024-05-04&showColumns=nb_visits&segment=${encodeURIComponent('languageCode=^fr')}`);
    assert.deepEqual(result, { nb_visits: 2 });
  });
});
