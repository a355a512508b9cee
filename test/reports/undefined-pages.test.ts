import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { createAction, createVisit, ensureLogAction } from '../support/log-factories.js';
import { createReportFixture, type ReportFixture, withoutRowMetadata } from '../support/report-fixture.js';

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0';

/** Sums `nb_hits` over a flat report. */
function sumHits(rows: { nb_hits?: number }[]): number {
  return rows.reduce((total, row) => total + (row.nb_hits ?? 0), 0);
}

/**
 * Visits of pageviews without a title or URL, on top of the fixture's titled visits of 2024-05-01.
 * - A 2024-05-02: enters on /a without a title (20 s), then views / as "Home" and leaves there.
 * - B 2024-05-02: views "App screen" without a URL (7 s), then leaves on a download without a title.
 * - C 2024-05-02: a pageview with neither URL nor title (5 s), an event and an outlink, then
 *   leaves on /a without a title. Its entry has neither, so it counts on no entry row.
 * - D 2024-05-03: a bounce on / without a title.
 */
async function addUndefinedPages(fixture: ReportFixture): Promise<void> {
  const { db, siteId } = fixture;
  const pageA = await ensureLogAction(db, 'http://example.org/a', 1);
  const home = await ensureLogAction(db, 'http://example.org/', 1);
  const homeTitle = await ensureLogAction(db, 'Home', 4);
  const appScreen = await ensureLogAction(db, 'App screen', 4);
  const file = await ensureLogAction(db, 'http://example.org/file.pdf', 3);

  const a = await createVisit(db, {
    idsite: siteId, idvisitor: 'a1a1a1a1a1a1a1a1', visit_last_action_time: '2024-05-02 10:01:00', visit_total_actions: 2, visit_total_time: 60,
    visit_entry_idaction_url: pageA, visit_exit_idaction_url: home, visit_exit_idaction_name: homeTitle,
  });
  await createAction(db, { idsite: siteId, idvisit: a, idvisitor: 'a1a1a1a1a1a1a1a1', server_time: '2024-05-02 10:00:00', url: 'http://example.org/a', time_spent: 20 });
  await createAction(db, { idsite: siteId, idvisit: a, idvisitor: 'a1a1a1a1a1a1a1a1', server_time: '2024-05-02 10:01:00', url: 'http://example.org/', title: 'Home' });

  const b = await createVisit(db, {
    idsite: siteId, idvisitor: 'b1b1b1b1b1b1b1b1', visit_last_action_time: '2024-05-02 11:00:30', visit_total_actions: 2, visit_total_time: 30,
    visit_entry_idaction_name: appScreen, visit_exit_idaction_url: file,
  });
  await createAction(db, { idsite: siteId, idvisit: b, idvisitor: 'b1b1b1b1b1b1b1b1', server_time: '2024-05-02 11:00:00', title: 'App screen', time_spent: 7 });
  await createAction(db, { idsite: siteId, idvisit: b, idvisitor: 'b1b1b1b1b1b1b1b1', server_time: '2024-05-02 11:00:30', url: 'http://example.org/file.pdf', urlType: 3 });

  const c = await createVisit(db, {
    idsite: siteId, idvisitor: 'c1c1c1c1c1c1c1c1', visit_last_action_time: '2024-05-02 12:03:00', visit_total_actions: 4, visit_total_time: 180,
    visit_exit_idaction_url: pageA,
  });
  await createAction(db, { idsite: siteId, idvisit: c, idvisitor: 'c1c1c1c1c1c1c1c1', server_time: '2024-05-02 12:00:00', time_spent: 5 });
  await createAction(db, { idsite: siteId, idvisit: c, idvisitor: 'c1c1c1c1c1c1c1c1', server_time: '2024-05-02 12:01:00', eventCategory: 'Video', eventAction: 'Play' });
  await createAction(db, { idsite: siteId, idvisit: c, idvisitor: 'c1c1c1c1c1c1c1c1', server_time: '2024-05-02 12:02:00', url: 'https://other.example.com/', urlType: 2 });
  await createAction(db, { idsite: siteId, idvisit: c, idvisitor: 'c1c1c1c1c1c1c1c1', server_time: '2024-05-02 12:03:00', url: 'http://example.org/a' });

  const d = await createVisit(db, {
    idsite: siteId, idvisitor: 'd1d1d1d1d1d1d1d1', visit_last_action_time: '2024-05-03 09:00:00', visit_entry_idaction_url: home, visit_exit_idaction_url: home,
  });
  await createAction(db, { idsite: siteId, idvisit: d, idvisitor: 'd1d1d1d1d1d1d1d1', server_time: '2024-05-03 09:00:00', url: 'http://example.org/' });
}

for (const adapter of ALL_ENGINES) {
  describe(`pages without title or URL on ${adapter}`, async () => {
    const skip = await engineSkip(adapter);
    let fixture: ReportFixture;
    const api = (method: string, period: string, date: string, extra = '') => fixture.getJson(`method=${method}&idSite=${fixture.siteId}&period=${period}&date=${date}${extra}`);

    before(async () => {
      if (skip) return;
      fixture = await createReportFixture({ adapter });
      await addUndefinedPages(fixture);
    });

    after(async () => {
      if (!skip) await fixture.close();
    });

    it('page titles count untitled pageviews', { skip }, async () => {
      assert.deepEqual(await api('Actions.getPageTitles', 'day', '2024-05-02'), [
        {
          label: 'Page Name not defined', nb_visits: 2, nb_uniq_visitors: 2, nb_hits: 3, sum_time_spent: 25,
          entry_nb_visits: 1, entry_nb_actions: 2, entry_sum_visit_length: 60, entry_bounce_count: 0, exit_nb_visits: 1,
          avg_time_on_page: 8, bounce_rate: '0%', exit_rate: '50%', segment: 'pageTitle==',
        },
        {
          label: 'App screen', nb_visits: 1, nb_uniq_visitors: 1, nb_hits: 1, sum_time_spent: 7,
          entry_nb_visits: 1, entry_nb_actions: 2, entry_sum_visit_length: 30, entry_bounce_count: 0,
          avg_time_on_page: 7, bounce_rate: '0%', exit_rate: '0%', segment: 'pageTitle==App%2520screen',
        },
        {
          label: 'Home', nb_visits: 1, nb_uniq_visitors: 1, nb_hits: 1, sum_time_spent: 0, exit_nb_visits: 1,
          avg_time_on_page: 0, bounce_rate: '0%', exit_rate: '100%', segment: 'pageTitle==Home',
        },
      ]);
    });

    it('page URLs count pageviews without URL', { skip }, async () => {
      assert.deepEqual(await api('Actions.getPageUrls', 'day', '2024-05-02'), [
        {
          label: '/a', nb_visits: 2, nb_uniq_visitors: 2, nb_hits: 2, sum_time_spent: 20,
          entry_nb_visits: 1, entry_nb_actions: 2, entry_sum_visit_length: 60, entry_bounce_count: 0, exit_nb_visits: 1,
          avg_time_on_page: 10, bounce_rate: '0%', exit_rate: '50%', url: 'http://example.org/a', segment: 'pageUrl==http%253A%252F%252Fexample.org%252Fa',
        },
        {
          label: 'Page URL not defined', nb_visits: 2, nb_uniq_visitors: 2, nb_hits: 2, sum_time_spent: 12,
          entry_nb_visits: 1, entry_nb_actions: 2, entry_sum_visit_length: 30, entry_bounce_count: 0,
          avg_time_on_page: 6, bounce_rate: '0%', exit_rate: '0%', url: '', segment: 'pageUrl==',
        },
        {
          label: '/index', nb_visits: 1, nb_uniq_visitors: 1, nb_hits: 1, sum_time_spent: 0, exit_nb_visits: 1,
          avg_time_on_page: 0, bounce_rate: '0%', exit_rate: '100%', url: 'http://example.org/', segment: 'pageUrl==http%253A%252F%252Fexample.org%252F',
        },
      ]);
    });

    it('report totals equal nb_pageviews', { skip }, async () => {
      for (const [period, date] of [['day', '2024-05-01'], ['day', '2024-05-02'], ['day', '2024-05-03'], ['week', '2024-05-02'], ['month', '2024-05-02']]) {
        const actions = await api('Actions.get', period!, date!);
        const titles = await api('Actions.getPageTitles', period!, date!, '&flat=1');
        const urls = await api('Actions.getPageUrls', period!, date!, '&flat=1');
        assert.equal(sumHits(titles), actions.nb_pageviews, `titles of ${period} ${date}`);
        assert.equal(sumHits(urls), actions.nb_pageviews, `URLs of ${period} ${date}`);
      }
      const day = await api('Actions.get', 'day', '2024-05-02');
      assert.deepEqual(day, {
        nb_pageviews: 5, nb_uniq_pageviews: 5, nb_downloads: 1, nb_uniq_downloads: 1, nb_outlinks: 1, nb_uniq_outlinks: 1, nb_searches: 0, nb_keywords: 0,
      });
    });

    it('entry and exit reports keep the rows', { skip }, async () => {
      const columns = '&flat=1&showColumns=entry_nb_visits,exit_nb_visits';
      assert.deepEqual(withoutRowMetadata(await api('Actions.getEntryPageTitles', 'day', '2024-05-02', columns)), [
        { label: 'Page Name not defined', entry_nb_visits: 1, exit_nb_visits: 1 },
        { label: 'App screen', entry_nb_visits: 1 },
      ]);
      assert.deepEqual(withoutRowMetadata(await api('Actions.getExitPageTitles', 'day', '2024-05-02', columns)), [
        { label: 'Page Name not defined', entry_nb_visits: 1, exit_nb_visits: 1 },
        { label: 'Home', exit_nb_visits: 1 },
      ]);
      assert.deepEqual(withoutRowMetadata(await api('Actions.getEntryPageUrls', 'day', '2024-05-02', columns)), [
        { label: '/a', entry_nb_visits: 1, exit_nb_visits: 1 },
        { label: 'Page URL not defined', entry_nb_visits: 1 },
      ]);
      assert.deepEqual(withoutRowMetadata(await api('Actions.getExitPageUrls', 'day', '2024-05-02', columns)), [
        { label: '/a', entry_nb_visits: 1, exit_nb_visits: 1 },
        { label: '/', exit_nb_visits: 1 },
      ]);
    });

    it('flat page URLs keep the label', { skip }, async () => {
      const rows = await api('Actions.getPageUrls', 'day', '2024-05-02', '&flat=1&showColumns=nb_hits');
      assert.deepEqual(rows.map((row: any) => [row.label, row.nb_hits]), [['/a', 2], ['Page URL not defined', 2], ['/', 1]]);
    });

    it('week and month sum the rows', { skip }, async () => {
      const columns = '&flat=1&showColumns=nb_hits,nb_visits,sum_daily_nb_uniq_visitors,entry_nb_visits,entry_bounce_count,exit_nb_visits';
      for (const period of ['week', 'month']) {
        const titles = withoutRowMetadata(await api('Actions.getPageTitles', period, '2024-05-02', `${columns}&label=${encodeURIComponent('Page Name not defined')}`));
        assert.deepEqual(titles, [
          { label: 'Page Name not defined', nb_visits: 3, nb_hits: 4, sum_daily_nb_uniq_visitors: 3, entry_nb_visits: 2, entry_bounce_count: 1, exit_nb_visits: 2 },
        ], `titles of the ${period}`);
        const urls = withoutRowMetadata(await api('Actions.getPageUrls', period, '2024-05-02', `${columns}&label=${encodeURIComponent('Page URL not defined')}`));
        assert.deepEqual(urls, [
          { label: 'Page URL not defined', nb_visits: 2, nb_hits: 2, sum_daily_nb_uniq_visitors: 2, entry_nb_visits: 1, entry_bounce_count: 0 },
        ], `URLs of the ${period}`);
      }
    });

    it('row segments select the rows', { skip }, async () => {
      const segmented = (method: string, segment: string, columns: string) => api(method, 'day', '2024-05-02', `&segment=${encodeURIComponent(segment)}&showColumns=${columns}`);
      // A, B and C each have an action without a title. B's is its download.
      assert.deepEqual(await segmented('VisitsSummary.get', 'pageTitle==', 'nb_visits'), { nb_visits: 3 });
      assert.deepEqual(await segmented('VisitsSummary.get', 'pageUrl==', 'nb_visits'), { nb_visits: 2 });
      assert.deepEqual(withoutRowMetadata(await segmented('Actions.getPageTitles', 'pageTitle==', 'nb_visits,nb_hits')), [
        { label: 'Page Name not defined', nb_visits: 2, nb_hits: 3 },
      ]);
      assert.deepEqual(withoutRowMetadata(await segmented('Actions.getPageUrls', 'pageUrl==', 'nb_visits,nb_hits')), [
        { label: 'Page URL not defined', nb_visits: 2, nb_hits: 2 },
      ]);
    });

    it('tracked pageviews without titles count', { skip }, async () => {
      const siteId = (await fixture.getJson('method=SitesManager.addSite&siteName=Untitled&urls=https://example.org&timezone=UTC')).value;
      const hits: Record<string, string>[] = [
        { cdt: '2024-05-06 10:00:00', url: 'https://example.org/one' },
        { cdt: '2024-05-06 10:01:00', url: 'https://example.org/two', action_name: '' },
        { cdt: '2024-05-06 10:02:00', url: 'https://example.org/two', action_name: 'Two' },
        { cdt: '2024-05-06 10:03:00', url: 'https://example.org/one', download: 'https://example.org/file.zip' },
        { cdt: '2024-05-06 10:04:00', url: 'https://example.org/one', link: 'https://other.example.com/' },
        { cdt: '2024-05-06 10:05:00', url: 'https://example.org/three', action_name: ' / ' },
      ];
      for (const hit of hits) {
        const query = new URLSearchParams({ idsite: String(siteId), rec: '1', cid: '00000000000000f1', token_auth: fixture.token, send_image: '0', ...hit });
        const response = await fixture.app.inject({ method: 'GET', url: `/matomo.php?${query}`, headers: { host: fixture.host, 'user-agent': FIREFOX } });
        assert.equal(response.statusCode, 204, response.body);
      }
      const day = `idSite=${siteId}&period=day&date=2024-05-06`;
      const titles = await fixture.getJson(`method=Actions.getPageTitles&${day}&showColumns=nb_hits,nb_visits,entry_nb_visits,exit_nb_visits`);
      // The title ' / ' is an action of its own, so its visit adds to the row's visits as the
      // visits of two URLs with one label add up.
      assert.deepEqual(titles, [
        { label: 'Page Name not defined', nb_visits: 2, nb_hits: 3, entry_nb_visits: 1, exit_nb_visits: 1, segment: 'pageTitle==' },
        { label: 'Two', nb_visits: 1, nb_hits: 1, segment: 'pageTitle==Two' },
      ]);
      const actions = await fixture.getJson(`method=Actions.get&${day}&showColumns=nb_pageviews,nb_downloads,nb_outlinks`);
      assert.deepEqual(actions, { nb_pageviews: 4, nb_downloads: 1, nb_outlinks: 1 });
    });
  });
}
