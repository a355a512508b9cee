import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAction, createVisit, ensureLogAction } from '../support/log-factories.js';
import { createReportFixture, type ReportFixture } from '../support/report-fixture.js';

describe('site search reports', () => {
  let fixture: ReportFixture;
  const get = (method: string, period = 'day') => fixture.getJson(`method=Actions.${method}&idSite=${fixture.siteId}&period=${period}&date=2024-05-06`);

  before(async () => {
    fixture = await createReportFixture();
    const { db, siteId } = fixture;
    const shoes = await ensureLogAction(db, 'shoes', 8);
    const socks = await ensureLogAction(db, 'socks', 8);
    const first = await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-05-06 10:00:00' });
    await createAction(db, { idsite: siteId, idvisit: first, server_time: '2024-05-06 10:00:00', idaction_name: shoes, search_cat: 'Products', search_count: 0 });
    await createAction(db, { idsite: siteId, idvisit: first, server_time: '2024-05-06 10:01:00', idaction_name: shoes, search_cat: 'Products', search_count: 0 });
    await createAction(db, { idsite: siteId, idvisit: first, server_time: '2024-05-06 10:02:00', idaction_name: socks, search_cat: null, search_count: 4 });
    const second = await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-05-06 11:00:00' });
    await createAction(db, { idsite: siteId, idvisit: second, server_time: '2024-05-06 11:00:00', idaction_name: socks, search_cat: 'Blog', search_count: 0 });
  });
  after(async () => { await fixture.close(); });

  it('getSiteSearchNoResultKeywords keeps searches without results', async () => {
    assert.deepEqual(await get('getSiteSearchNoResultKeywords'), [
      { label: 'shoes', nb_visits: 1, nb_hits: 2, segment: 'siteSearchKeyword==shoes' },
      { label: 'socks', nb_visits: 1, nb_hits: 1, segment: 'siteSearchKeyword==socks' },
    ]);
  });

  it('getSiteSearchCategories groups searches by category', async () => {
    assert.deepEqual(await get('getSiteSearchCategories', 'week'), [
      { label: 'Products', nb_visits: 1, nb_hits: 2 },
      { label: 'Blog', nb_visits: 1, nb_hits: 1 },
    ]);
  });
});
