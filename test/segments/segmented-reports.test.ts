import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createReportFixture, type ReportFixture, withoutRowMetadata } from '../support/report-fixture.js';

describe('segmented reports', () => {
  let fixture: ReportFixture;
  const visits = async (segment: string) => {
    const result = await fixture.getJson(`method=VisitsSummary.get&idSite=${fixture.siteId}&period=day&date=2024-05-01&segment=${encodeURIComponent(segment)}`);
    return Array.isArray(result) ? 0 : result.nb_visits;
  };

  before(async () => { fixture = await createReportFixture(); });
  after(async () => { await fixture.close(); });

  it('filters visits by visit dimensions', async () => {
    assert.equal(await visits('browserCode==FF'), 2);
    assert.equal(await visits('browserCode==FF;countryCode==fr'), 2);
    assert.equal(await visits('browserCode==CH,countryCode==fr'), 3);
    assert.equal(await visits('countryCode==FR'), 2);
    assert.equal(await visits('browserCode!=FF'), 2);
    assert.equal(await visits('referrerType==search'), 1);
    assert.equal(await visits('referrerType==direct,referrerType==campaign;actions>=2'), 1);
    assert.equal(await visits('deviceType==smartphone'), 1);
    assert.equal(await visits('visitDuration>=30'), 2);
    assert.equal(await visits('visitConverted==1'), 1);
    assert.equal(await visits('visitServerHour==11'), 1);
  });

  it('matches empty values as null or empty', async () => {
    assert.equal(await visits('referrerKeyword=='), 2);
    assert.equal(await visits('referrerKeyword!='), 2);
    assert.equal(await visits('countryCode=='), 1);
  });

  it('matches actions without a value', async () => {
    // Only V3's download has no title, and every action has a URL.
    assert.equal(await visits('pageTitle=='), 1);
    assert.equal(await visits('pageUrl=='), 0);
    const actions = await fixture.getJson(`method=Actions.get&idSite=${fixture.siteId}&period=day&date=2024-05-01&segment=${encodeURIComponent('pageTitle==')}&showColumns=nb_pageviews,nb_downloads`);
    assert.deepEqual(actions, { nb_pageviews: 0, nb_downloads: 1 });
  });

  it('filters visits by their actions', async () => {
    assert.equal(await visits('pageUrl=@blog'), 2);
    assert.equal(await visits('pageUrl==http%3A%2F%2Fexample.org%2F'), 3);
    assert.equal(await visits('pageUrl=^https://www.example.org'), 1);
    assert.equal(await visits('pageTitle==Home'), 3);
    assert.equal(await visits('entryPageUrl==http%3A%2F%2Fexample.org%2F'), 3);
    assert.equal(await visits('exitPageUrl=@post2'), 1);
  });

  it('passes quotes and SQL in values as plain text', async () => {
    assert.equal(await visits("referrerName==x' or '1'='1"), 0);
    assert.equal(await visits('referrerName==Google") or 1=1 --'), 0);
    assert.equal(await visits("pageTitle=@Home' --"), 0);
  });

  it('treats LIKE wildcards in values as plain characters', async () => {
    assert.equal(await visits('referrerName=@%'), 0);
    assert.equal(await visits('referrerName=@_'), 0);
  });

  it('segments dimension reports', async () => {
    const countries = withoutRowMetadata(await fixture.getJson(`method=UserCountry.getCountry&idSite=${fixture.siteId}&period=day&date=2024-05-01&segment=browserCode%3D%3DFF&showColumns=nb_visits`));
    assert.deepEqual(countries, [{ label: 'France', nb_visits: 2 }]);
    const pages = withoutRowMetadata(await fixture.getJson(`method=Actions.getPageUrls&idSite=${fixture.siteId}&period=week&date=2024-05-01&segment=referrerType%3D%3Dsearch&flat=1&showColumns=nb_hits`));
    assert.deepEqual(pages, [{ label: '/blog/post1', nb_hits: 1 }]);
  });

  it('keeps only matching actions in reports of actions', async () => {
    const pages = withoutRowMetadata(await fixture.getJson(`method=Actions.getPageUrls&idSite=${fixture.siteId}&period=day&date=2024-05-01&segment=${encodeURIComponent('pageUrl=@post1')}&flat=1&showColumns=nb_hits`));
    assert.deepEqual(pages, [{ label: '/blog/post1', nb_hits: 2 }]);
    const actions = await fixture.getJson(`method=Actions.get&idSite=${fixture.siteId}&period=day&date=2024-05-01&segment=${encodeURIComponent('pageTitle==Home')}&showColumns=nb_pageviews,nb_downloads`);
    assert.deepEqual(actions, { nb_pageviews: 3, nb_downloads: 0 });
    const visitsWithHome = await visits('pageTitle==Home');
    assert.equal(visitsWithHome, 3);
  });

  it('mixes visit and action conditions in reports of actions', async () => {
    const pages = withoutRowMetadata(await fixture.getJson(`method=Actions.getPageUrls&idSite=${fixture.siteId}&period=day&date=2024-05-01&segment=${encodeURIComponent('pageUrl=@post,browserCode==CH;countryCode!=de')}&flat=1&showColumns=nb_hits`));
    assert.deepEqual(pages, [{ label: '/blog/post1', nb_hits: 1 }, { label: '/blog/post2', nb_hits: 1 }]);
  });

  it('keeps segmented archives apart from the unsegmented one', async () => {
    assert.equal(await visits('browserCode==FF'), 2);
    assert.equal(await visits(''), 4);
    const hashes = await fixture.db.selectFrom('archive').select('segment_hash').distinct().where('period', '=', 1).execute();
    assert.ok(hashes.some((row) => row.segment_hash === ''));
    assert.ok(hashes.some((row) => /^[0-9a-f]{32}$/.test(row.segment_hash)));
  });

  it('rejects an unknown segment name naming close names', async () => {
    const response = await fixture.app.inject({
      method: 'GET', headers: { host: fixture.host },
      url: `/index.php?module=API&format=json&token_auth=${fixture.token}&method=VisitsSummary.get&idSite=${fixture.siteId}&period=day&date=2024-05-01&segment=browsrCode%3D%3DFF`,
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'SEGMENT_INVALID');
    assert.equal(response.json().message, "Invalid segment: the segment name 'browsrCode' does not exist. Did you mean browserCode?");
  });

  it('rejects a word where a number is expected', async () => {
    const response = await fixture.app.inject({
      method: 'GET', headers: { host: fixture.host },
      url: `/index.php?module=API&format=json&token_auth=${fixture.token}&method=VisitsSummary.get&idSite=${fixture.siteId}&period=day&date=2024-05-01&segment=visitCount%3E%3Dmany`,
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'SEGMENT_INVALID');
  });
});
