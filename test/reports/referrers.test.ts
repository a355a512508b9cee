import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createReportFixture, type ReportFixture, withoutRowMetadata } from '../support/report-fixture.js';

describe('Referrers reports', () => {
  let fixture: ReportFixture;
  const day = () => `idSite=${fixture.siteId}&period=day&date=2024-05-01`;

  before(async () => { fixture = await createReportFixture(); });
  after(async () => { await fixture.close(); });

  it('getReferrerType returns one row per type with subtables', async () => {
    assert.deepEqual(await fixture.getJson(`method=Referrers.getReferrerType&${day()}`), [
      { label: 'Campaigns', nb_uniq_visitors: 1, nb_visits: 1, nb_actions: 1, max_actions: 1, sum_visit_length: 0, bounce_count: 1, nb_visits_converted: 0, segment: 'referrerType==campaign', referrer_type: 6, idsubdatatable: 1 },
      { label: 'Direct Entry', nb_uniq_visitors: 1, nb_visits: 1, nb_actions: 3, max_actions: 3, sum_visit_length: 300, bounce_count: 0, nb_visits_converted: 0, segment: 'referrerType==direct', referrer_type: 1 },
      { label: 'Search Engines', nb_uniq_visitors: 1, nb_visits: 1, nb_actions: 1, max_actions: 1, sum_visit_length: 0, bounce_count: 1, nb_visits_converted: 0, segment: 'referrerType==search', referrer_type: 2, idsubdatatable: 2 },
      { label: 'Websites', nb_uniq_visitors: 1, nb_visits: 1, nb_actions: 2, max_actions: 2, sum_visit_length: 30, bounce_count: 0, nb_visits_converted: 1, segment: 'referrerType==website', referrer_type: 3, idsubdatatable: 3 },
    ]);
  });

  it('get counts visits and distinct referrers by type', async () => {
    assert.deepEqual(await fixture.getJson(`method=Referrers.get&${day()}`), {
      Referrers_visitorsFromSearchEngines: 1, Referrers_visitorsFromSocialNetworks: 0, Referrers_visitorsFromDirectEntry: 1, Referrers_visitorsFromWebsites: 1, Referrers_visitorsFromCampaigns: 1,
      Referrers_distinctSearchEngines: 1, Referrers_distinctSocialNetworks: 0, Referrers_distinctKeywords: 1, Referrers_distinctWebsites: 1, Referrers_distinctWebsitesUrls: 1, Referrers_distinctCampaigns: 1,
      Referrers_visitorsFromSearchEngines_percent: '25%', Referrers_visitorsFromSocialNetworks_percent: '0%', Referrers_visitorsFromDirectEntry_percent: '25%',
      Referrers_visitorsFromWebsites_percent: '25%', Referrers_visitorsFromCampaigns_percent: '25%',
    });
    assert.deepEqual(await fixture.getJson(`method=Referrers.get&idSite=${fixture.siteId}&period=day&date=2024-04-01`), []);
  });

  it('getAll lists referrers of every type', async () => {
    const rows = await fixture.getJson(`method=Referrers.getAll&${day()}`);
    assert.deepEqual(rows.map((row: any) => [row.label, row.referer_type, row.nb_visits]), [
      ['spring', 'Campaigns', 1], ['Direct Entry', 'Direct Entry', 1], ['Google', 'Search Engines', 1], ['news.example.com', 'Websites', 1],
    ]);
    assert.equal(rows[2].segment, 'referrerName==Google');
    assert.equal(rows[2].idsubdatatable, undefined);
  });

  it('getReferrerType serves a subtable by idSubtable', async () => {
    assert.deepEqual(await fixture.getJson(`method=Referrers.getReferrerType&${day()}&idSubtable=2`), [
      { label: 'Google', nb_uniq_visitors: 1, nb_visits: 1, nb_actions: 1, max_actions: 1, sum_visit_length: 0, bounce_count: 1, nb_visits_converted: 0, segment: 'referrerName==Google' },
    ]);
  });

  it('getWebsites returns the referring site and expands its URLs', async () => {
    assert.deepEqual(await fixture.getJson(`method=Referrers.getWebsites&${day()}&expanded=1`), [
      {
        label: 'news.example.com', nb_uniq_visitors: 1, nb_visits: 1, nb_actions: 2, max_actions: 2, sum_visit_length: 30, bounce_count: 0, nb_visits_converted: 1,
        segment: 'referrerName==news.example.com', idsubdatatable: 1,
        subtable: [{ label: 'https://news.example.com/article', nb_uniq_visitors: 1, nb_visits: 1, nb_actions: 2, max_actions: 2, sum_visit_length: 30, bounce_count: 0, nb_visits_converted: 1, url: 'https://news.example.com/article', segment: 'referrerUrl==https%3A%2F%2Fnews.example.com%2Farticle' }],
      },
    ]);
  });

  it('getSearchEngines and getKeywords cross each other', async () => {
    const engines = await fixture.getJson(`method=Referrers.getSearchEngines&${day()}&flat=1`);
    assert.deepEqual(engines.map((row: any) => row.label), ['Google - analytics']);
    const keywords = await fixture.getJson(`method=Referrers.getKeywords&${day()}`);
    assert.deepEqual(keywords, [{ label: 'analytics', nb_uniq_visitors: 1, nb_visits: 1, nb_actions: 1, max_actions: 1, sum_visit_length: 0, bounce_count: 1, nb_visits_converted: 0, segment: 'referrerKeyword==analytics', idsubdatatable: 1 }]);
  });

  it('getCampaigns returns the campaign with its keyword', async () => {
    const campaigns = withoutRowMetadata(await fixture.getJson(`method=Referrers.getCampaigns&${day()}&flat=1&showColumns=nb_visits`));
    assert.deepEqual(campaigns, [{ label: 'spring - email', nb_visits: 1 }]);
  });
});
