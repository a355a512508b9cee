import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createReportFixture, type ReportFixture, withoutRowMetadata } from '../support/report-fixture.js';

describe('Actions reports', () => {
  let fixture: ReportFixture;
  const day = () => `idSite=${fixture.siteId}&period=day&date=2024-05-01`;

  before(async () => { fixture = await createReportFixture(); });
  after(async () => { await fixture.close(); });

  it('get counts pageviews, unique pageviews and downloads', async () => {
    assert.deepEqual(await fixture.getJson(`method=Actions.get&${day()}`), {
      nb_pageviews: 6, nb_uniq_pageviews: 6, nb_downloads: 1, nb_uniq_downloads: 1, nb_outlinks: 0, nb_uniq_outlinks: 0, nb_searches: 0, nb_keywords: 0,
    });
  });

  it('getPageUrls puts pages in folders with subtables', async () => {
    assert.deepEqual(await fixture.getJson(`method=Actions.getPageUrls&${day()}`), [
      {
        label: '/index', nb_visits: 3, nb_uniq_visitors: 3, nb_hits: 3, sum_time_spent: 90,
        entry_nb_visits: 3, entry_nb_actions: 6, entry_sum_visit_length: 330, entry_bounce_count: 1, exit_nb_visits: 2,
        avg_time_on_page: 30, bounce_rate: '33%', exit_rate: '67%',
        url: 'http://example.org/', segment: 'pageUrl==http%253A%252F%252Fexample.org%252F',
      },
      {
        label: 'blog', nb_visits: 3, nb_hits: 3, sum_time_spent: 240,
        entry_nb_visits: 1, entry_nb_actions: 1, entry_sum_visit_length: 0, entry_bounce_count: 1, exit_nb_visits: 2,
        avg_time_on_page: 80, bounce_rate: '100%', exit_rate: '67%',
        segment: 'pageUrl=^http%253A%252F%252Fexample.org%252Fblog', idsubdatatable: 1,
      },
    ]);
  });

  it('getPageUrls serves a folder by idSubtable, keeping row metadata', async () => {
    const rows = await fixture.getJson(`method=Actions.getPageUrls&${day()}&idSubtable=1&showColumns=nb_visits,nb_hits,url`);
    assert.deepEqual(rows, [
      { label: '/post1', nb_visits: 2, nb_hits: 2, url: 'http://example.org/blog/post1', segment: 'pageUrl==http%253A%252F%252Fexample.org%252Fblog%252Fpost1' },
      { label: '/post2', nb_visits: 1, nb_hits: 1, url: 'http://example.org/blog/post2', segment: 'pageUrl==http%253A%252F%252Fexample.org%252Fblog%252Fpost2' },
    ]);
  });

  it('getPageUrls picks a row inside a folder by label path', async () => {
    const rows = withoutRowMetadata(await fixture.getJson(`method=Actions.getPageUrls&${day()}&label=${encodeURIComponent('blog>/post2')}&showColumns=nb_hits`));
    assert.deepEqual(rows, [{ label: '/post2', nb_hits: 1 }]);
  });

  it('getPageUrls renders subtables in XML when expanded', async () => {
    const response = await fixture.app.inject({
      method: 'GET', headers: { host: fixture.host },
      url: `/index.php?module=API&token_auth=${fixture.token}&method=Actions.getPageUrls&${day()}&expanded=1&filter_pattern=blog&showColumns=nb_hits`,
    });
    assert.equal(response.body, [
      '<?xml version="1.0" encoding="utf-8" ?>',
      '<result>',
      '\t<row>',
      '\t\t<label>blog</label>',
      '\t\t<nb_hits>3</nb_hits>',
      '\t\t<segment>pageUrl=^http%253A%252F%252Fexample.org%252Fblog</segment>',
      '\t\t<idsubdatatable>1</idsubdatatable>',
      '\t\t<subtable>',
      '\t\t\t<row>',
      '\t\t\t\t<label>/post1</label>',
      '\t\t\t\t<nb_hits>2</nb_hits>',
      '\t\t\t\t<url>http://example.org/blog/post1</url>',
      '\t\t\t\t<segment>pageUrl==http%253A%252F%252Fexample.org%252Fblog%252Fpost1</segment>',
      '\t\t\t</row>',
      '\t\t\t<row>',
      '\t\t\t\t<label>/post2</label>',
      '\t\t\t\t<nb_hits>1</nb_hits>',
      '\t\t\t\t<url>http://example.org/blog/post2</url>',
      '\t\t\t\t<segment>pageUrl==http%253A%252F%252Fexample.org%252Fblog%252Fpost2</segment>',
      '\t\t\t</row>',
      '\t\t</subtable>',
      '\t</row>',
      '</result>',
    ].join('\n'));
  });

  it('getPageUrl and getPageTitle return one page', async () => {
    const url = await fixture.getJson(`method=Actions.getPageUrl&${day()}&pageUrl=${encodeURIComponent('http://example.org/blog/post2')}&showColumns=nb_hits,url`);
    assert.deepEqual(url, [{ label: '/post2', nb_hits: 1, url: 'http://example.org/blog/post2', segment: 'pageUrl==http%253A%252F%252Fexample.org%252Fblog%252Fpost2' }]);
    const title = withoutRowMetadata(await fixture.getJson(`method=Actions.getPageTitle&${day()}&pageName=${encodeURIComponent('Blog / Post 1')}&showColumns=nb_hits`));
    assert.deepEqual(title, [{ label: 'Post 1', nb_hits: 2 }]);
    assert.deepEqual(await fixture.getJson(`method=Actions.getPageUrl&${day()}&pageUrl=${encodeURIComponent('http://example.org/none')}`), []);
  });

  it('getPageUrls flattens folders into path labels', async () => {
    const rows = withoutRowMetadata(await fixture.getJson(`method=Actions.getPageUrls&${day()}&flat=1&showColumns=nb_hits`));
    assert.deepEqual(rows.map((row: any) => [row.label, row.nb_hits]), [['/', 3], ['/blog/post1', 2], ['/blog/post2', 1]]);
  });

  it('getPageTitles groups titles by category', async () => {
    const rows = withoutRowMetadata(await fixture.getJson(`method=Actions.getPageTitles&${day()}&expanded=1&showColumns=nb_hits`));
    assert.deepEqual(rows, [
      { label: 'Blog', nb_hits: 3, idsubdatatable: 1, subtable: [{ label: 'Post 1', nb_hits: 2 }, { label: 'Post 2', nb_hits: 1 }] },
      { label: 'Home', nb_hits: 3 },
    ]);
  });

  it('getPageTitles flattens categories with /', async () => {
    const rows = withoutRowMetadata(await fixture.getJson(`method=Actions.getPageTitles&${day()}&flat=1&showColumns=nb_hits`));
    assert.deepEqual(rows.map((row: any) => [row.label, row.nb_hits]), [['Home', 3], ['Blog/Post 1', 2], ['Blog/Post 2', 1]]);
  });
});

describe('Actions entry, exit and download reports', () => {
  let fixture: ReportFixture;
  const day = () => `idSite=${fixture.siteId}&period=day&date=2024-05-01`;

  before(async () => { fixture = await createReportFixture(); });
  after(async () => { await fixture.close(); });

  it('getEntryPageUrls keeps pages that started visits', async () => {
    const rows = withoutRowMetadata(await fixture.getJson(`method=Actions.getEntryPageUrls&${day()}&flat=1&showColumns=entry_nb_visits,entry_bounce_count`));
    assert.deepEqual(rows, [{ label: '/', entry_nb_visits: 3, entry_bounce_count: 1 }, { label: '/blog/post1', entry_nb_visits: 1, entry_bounce_count: 1 }]);
  });

  it('getExitPageUrls keeps pages that ended visits', async () => {
    const rows = withoutRowMetadata(await fixture.getJson(`method=Actions.getExitPageUrls&${day()}&flat=1&showColumns=exit_nb_visits,exit_rate`));
    assert.deepEqual(rows, [
      { label: '/', exit_nb_visits: 2, exit_rate: '67%' },
      { label: '/blog/post1', exit_nb_visits: 1, exit_rate: '100%' },
      { label: '/blog/post2', exit_nb_visits: 1, exit_rate: '100%' },
    ]);
  });

  it('getDownloads groups downloaded URLs by domain', async () => {
    assert.deepEqual(await fixture.getJson(`method=Actions.getDownloads&${day()}&expanded=1`), [
      {
        label: 'example.org', nb_visits: 1, nb_hits: 1, segment: 'downloadUrl=@example.org', idsubdatatable: 1,
        subtable: [{ label: 'http://example.org/file.pdf', nb_visits: 1, nb_uniq_visitors: 1, nb_hits: 1, url: 'http://example.org/file.pdf', segment: 'downloadUrl==http%253A%252F%252Fexample.org%252Ffile.pdf' }],
      },
    ]);
  });

  it('segments visits by downloaded URL', async () => {
    const result = await fixture.getJson(`method=VisitsSummary.get&${day()}&showColumns=nb_visits&segment=${encodeURIComponent('downloadUrl=@file.pdf')}`);
    assert.deepEqual(result, { nb_visits: 1 });
  });

  it('getOutlinks and getSiteSearchKeywords are empty without such actions', async () => {
    assert.deepEqual(await fixture.getJson(`method=Actions.getOutlinks&${day()}`), []);
    assert.deepEqual(await fixture.getJson(`method=Actions.getSiteSearchKeywords&${day()}`), []);
  });
});
