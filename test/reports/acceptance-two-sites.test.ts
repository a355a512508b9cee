import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { createReportFixture, type ReportFixture } from '../support/report-fixture.js';

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0';
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

/** One tracked pageview: visitor id, UTC time, path and title. */
type Hit = [visitor: string, utcTime: string, path: string, title: string, userAgent?: string];

/**
 * Site 1 (UTC):
 * - V1 2024-05-06 10:00 to 10:03, Firefox, 3 pageviews (180 s), one titled "Products, Sale".
 * - V2 2024-05-06 11:00, Chrome, a bounce on /home.
 * - V3 2024-05-07 09:00 to 09:02, Firefox, 2 pageviews (120 s), one titled "Blog; A".
 * - V4 2024-05-12 20:00 (a Sunday) and V5 2024-05-13 08:00 (the next Monday), Firefox bounces.
 */
const SITE_ONE_HITS: readonly Hit[] = [
  ['00000000000000a1', '2024-05-06 10:00:00', '/home', 'Home'],
  ['00000000000000a1', '2024-05-06 10:01:00', '/products', 'Products, Sale'],
  ['00000000000000a1', '2024-05-06 10:03:00', '/checkout', 'Checkout'],
  ['00000000000000a2', '2024-05-06 11:00:00', '/home', 'Home', CHROME],
  ['00000000000000a3', '2024-05-07 09:00:00', '/blog/a', 'Blog; A'],
  ['00000000000000a3', '2024-05-07 09:02:00', '/blog/b', 'Blog B'],
  ['00000000000000a4', '2024-05-12 20:00:00', '/home', 'Home'],
  ['00000000000000a5', '2024-05-13 08:00:00', '/about', 'About'],
];

/**
 * Site 2 (Asia/Kathmandu, UTC+5:45):
 * - K1 2024-05-05 18:00 and 18:10 UTC, which is 23:45 and 23:55 on Sunday 2024-05-05 there (600 s).
 * - K2 2024-05-05 18:20 UTC, already 00:05 on Monday 2024-05-06 there.
 * - K3 2024-04-30 18:30 UTC, already 00:15 on 2024-05-01 there, so it counts in May.
 */
const SITE_TWO_HITS: readonly Hit[] = [
  ['00000000000000b1', '2024-05-05 18:00:00', '/np1', 'NP One'],
  ['00000000000000b1', '2024-05-05 18:10:00', '/np2', 'NP Two'],
  ['00000000000000b2', '2024-05-05 18:20:00', '/np1', 'NP One'],
  ['00000000000000b3', '2024-04-30 18:30:00', '/np1', 'NP One'],
];

for (const adapter of ALL_ENGINES) {
  describe(`tracked visits of two sites on ${adapter}`, async () => {
    const skip = await engineSkip(adapter);
    let fixture: ReportFixture;
    let siteOne: number;
    let siteTwo: number;

    const track = async (siteId: number, [visitor, time, path, title, userAgent]: Hit) => {
      const query = new URLSearchParams({
        idsite: String(siteId), rec: '1', cid: visitor, cdt: time, token_auth: fixture.token, url: `https://example.org${path}`, action_name: title, send_image: '0',
      });
      const response = await fixture.app.inject({ method: 'GET', url: `/matomo.php?${query}`, headers: { host: fixture.host, 'user-agent': userAgent ?? FIREFOX } });
      assert.equal(response.statusCode, 204, response.body);
    };
    const raw = async (query: string) => {
      const response = await fixture.app.inject({ method: 'GET', headers: { host: fixture.host }, url: `/index.php?module=API&token_auth=${fixture.token}&${query}` });
      assert.equal(response.statusCode, 200, response.body);
      return response.body;
    };
    const summary = (query: string) => fixture.getJson(`method=VisitsSummary.get&showColumns=nb_visits,nb_actions,sum_visit_length,bounce_count&${query}`);
    const visitsOf = (segment: string) => summary(`idSite=${siteOne}&period=range&date=2024-05-06,2024-05-07&segment=${encodeURIComponent(segment)}`);

    before(async () => {
      if (skip) return;
      fixture = await createReportFixture({ adapter });
      // The fixture's own site has visits on 2024-05-01 only, so a new UTC site keeps these numbers apart.
      siteOne = (await fixture.getJson('method=SitesManager.addSite&siteName=One&urls=https://example.org&timezone=UTC')).value;
      siteTwo = (await fixture.getJson('method=SitesManager.addSite&siteName=Two&urls=https://example.org&timezone=Asia/Kathmandu')).value;
      for (const hit of SITE_ONE_HITS) await track(siteOne, hit);
      for (const hit of SITE_TWO_HITS) await track(siteTwo, hit);
    });

    after(async () => {
      if (!skip) await fixture.close();
    });

    it('sums each period of a UTC site', { skip }, async () => {
      const site = `idSite=${siteOne}`;
      assert.deepEqual(await summary(`${site}&period=day&date=2024-05-06`), { nb_visits: 2, nb_actions: 4, sum_visit_length: 180, bounce_count: 1 });
      assert.deepEqual(await summary(`${site}&period=week&date=2024-05-06`), { nb_visits: 4, nb_actions: 7, sum_visit_length: 300, bounce_count: 2 });
      assert.deepEqual(await summary(`${site}&period=month&date=2024-05-06`), { nb_visits: 5, nb_actions: 8, sum_visit_length: 300, bounce_count: 3 });
      assert.deepEqual(await summary(`${site}&period=year&date=2024-05-06`), { nb_visits: 5, nb_actions: 8, sum_visit_length: 300, bounce_count: 3 });
      assert.deepEqual(await summary(`${site}&period=range&date=2024-05-07,2024-05-13`), { nb_visits: 3, nb_actions: 4, sum_visit_length: 120, bounce_count: 2 });
    });

    it('splits days at Kathmandu midnight', { skip }, async () => {
      const site = `idSite=${siteTwo}`;
      assert.deepEqual(await summary(`${site}&period=day&date=2024-05-05`), { nb_visits: 1, nb_actions: 2, sum_visit_length: 600, bounce_count: 0 });
      assert.deepEqual(await summary(`${site}&period=day&date=2024-05-06`), { nb_visits: 1, nb_actions: 1, sum_visit_length: 0, bounce_count: 1 });
      assert.deepEqual(await summary(`${site}&period=month&date=2024-04-01`), []);
      assert.deepEqual(await summary(`${site}&period=month&date=2024-05-01`), { nb_visits: 3, nb_actions: 4, sum_visit_length: 600, bounce_count: 2 });
      assert.deepEqual(await summary(`${site}&period=range&date=2024-04-30,2024-05-05`), { nb_visits: 2, nb_actions: 3, sum_visit_length: 600, bounce_count: 1 });
    });

    it('keys last7 weeks by site and period', { skip }, async () => {
      const result = await fixture.getJson(`method=VisitsSummary.get&idSite=${siteOne},${siteTwo}&period=week&date=last7&showColumns=nb_visits`);
      assert.deepEqual(result, {
        [siteOne]: {
          '2024-04-08,2024-04-14': [], '2024-04-15,2024-04-21': [], '2024-04-22,2024-04-28': [], '2024-04-29,2024-05-05': [],
          '2024-05-06,2024-05-12': { nb_visits: 4 }, '2024-05-13,2024-05-19': { nb_visits: 1 }, '2024-05-20,2024-05-26': [],
        },
        [siteTwo]: {
          '2024-04-08,2024-04-14': [], '2024-04-15,2024-04-21': [], '2024-04-22,2024-04-28': [], '2024-04-29,2024-05-05': { nb_visits: 2 },
          '2024-05-06,2024-05-12': { nb_visits: 1 }, '2024-05-13,2024-05-19': [], '2024-05-20,2024-05-26': [],
        },
      });
    });

    it('serves periods keyed by date as XML', { skip }, async () => {
      const xml = await raw(`method=VisitsSummary.get&idSite=${siteTwo}&period=day&date=2024-05-04,2024-05-06&format=xml&showColumns=nb_visits,nb_actions`);
      assert.equal(xml.replace(/>\s+</g, '><').trim(), [
        '<?xml version="1.0" encoding="utf-8" ?><results>',
        '<result date="2024-05-04" />',
        '<result date="2024-05-05"><nb_visits>1</nb_visits><nb_actions>2</nb_actions></result>',
        '<result date="2024-05-06"><nb_visits>1</nb_visits><nb_actions>1</nb_actions></result>',
        '</results>',
      ].join(''));
    });

    it('serves rows as CSV with quoted labels', { skip }, async () => {
      const csv = await raw(`method=Actions.getPageTitles&idSite=${siteOne}&period=day&date=2024-05-06&format=csv&showColumns=nb_visits,nb_hits&filter_sort_column=label&filter_sort_order=asc`);
      const lines = csv.trim().split(/\r?\n/);
      assert.equal(lines[0], 'label,nb_visits,nb_hits,segment');
      assert.deepEqual(lines.slice(1), [
        'Checkout,1,1,pageTitle==Checkout',
        'Home,2,2,pageTitle==Home',
        // Matomo encodes segment values twice in row metadata, so ", " becomes %252C%2520.
        '"Products, Sale",1,1,pageTitle==Products%252C%2520Sale',
      ]);
    });

    it('lists page titles as JSON rows', { skip }, async () => {
      const rows = await fixture.getJson(`method=Actions.getPageTitles&idSite=${siteOne}&period=week&date=2024-05-06&showColumns=nb_visits,nb_hits&filter_sort_column=label&filter_sort_order=asc`);
      assert.deepEqual(rows.map((row: any) => [row.label, row.nb_visits, row.nb_hits]), [
        ['Blog B', 1, 1], ['Blog; A', 1, 1], ['Checkout', 1, 1], ['Home', 3, 3], ['Products, Sale', 1, 1],
      ]);
    });

    // Visits V1 (3 actions), V2 (1) and V3 (2) of 2024-05-06 and 2024-05-07, one condition per operator.
    const OPERATOR_CASES: readonly [segment: string, visits: number, actions: number][] = [
      ['actions==3', 1, 3],
      ['actions!=3', 2, 3],
      ['actions<=2', 2, 3],
      ['actions>=2', 2, 5],
      ['actions<2', 1, 1],
      ['actions>2', 1, 3],
      ['pageUrl=@blog', 1, 2],
      // A visit matches a negated action condition when one of its actions does not match, so V3, with only Blog titles, is left out.
      ['pageTitle!@Blog', 2, 4],
      [`pageUrl=^${encodeURIComponent('https://example.org/home')}`, 2, 4],
      ['pageUrl=$checkout', 1, 3],
    ];
    for (const [segment, visits, actions] of OPERATOR_CASES) {
      it(`segments by ${segment}`, { skip }, async () => {
        const result = await visitsOf(segment);
        assert.equal(result.nb_visits, visits, segment);
        assert.equal(result.nb_actions, actions, segment);
      });
    }

    it('matches a title with an escaped comma', { skip }, async () => {
      const result = await visitsOf('pageTitle==Products\\, Sale');
      assert.equal(result.nb_visits, 1);
      assert.equal(result.nb_actions, 3);
    });

    it('matches a title with an escaped semicolon', { skip }, async () => {
      const result = await visitsOf('pageTitle==Blog\\; A');
      assert.equal(result.nb_visits, 1);
      assert.equal(result.nb_actions, 2);
    });

    it('matches a comma encoded in the value', { skip }, async () => {
      // A client that encodes each value sends the comma as %2C, so it needs no backslash.
      const result = await visitsOf(`pageTitle==${encodeURIComponent('Products, Sale')},pageTitle==${encodeURIComponent('Blog; A')}`);
      assert.equal(result.nb_visits, 2);
      assert.equal(result.nb_actions, 5);
    });
  });
}
