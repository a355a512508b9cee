import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { launchTestBrowser, type TestBrowser } from '../support/browser.js';
import { startRecordingServer, type RecordingServer } from '../support/recording-server.js';
import { buildTestServer, createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';
import { ensureTrackerBundle } from '../support/tracker-bundle.js';

/** The browser's clock during every test: Date reads this time, timers still run. */
const FIXED_TIME = new Date('2026-12-04T10:20:30Z');
const FIXED_SECONDS = String(FIXED_TIME.getTime() / 1000);
/**
 * Makes `new Date()` and `Date.now()` return FIXED_TIME in the page. Playwright's own clock
 * also replaces `window.performance`, which then has no navigation timings, so it is not used.
 */
const FIX_DATE_SCRIPT = `(() => {
  const fixed = ${FIXED_TIME.getTime()};
  const RealDate = Date;
  class FixedDate extends RealDate {
    constructor(...args) { if (args.length === 0) super(fixed); else super(...args); }
    static now() { return fixed; }
  }
  window.Date = FixedDate;
})();`;
const SHOP_HOST = 'shop.test.example';
const PAGE_TITLE = 'Spring catalog';

/** What a value must be: exactly this string, or a string matching this pattern. */
type Expected = string | RegExp;

const VISITOR_ID = /^[0-9a-f]{16}$/;
const PAGE_VIEW_ID = /^[A-Za-z0-9]{6}$/;
const RANDOM = /^[0-9]{6}$/;
const MILLISECONDS = /^[0-9]+$/;

function unescapeHtml(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#039;/g, "'").replace(/&amp;/g, '&');
}

/** Asserts that a hit has exactly these parameters (pf_* timings aside, which are checked for format) with these values. */
function assertParams(actual: Record<string, string>, expected: Record<string, Expected>): void {
  const timings = Object.keys(actual).filter((name) => name.startsWith('pf_'));
  const names = Object.keys(actual).filter((name) => !name.startsWith('pf_')).sort();
  assert.deepEqual(names, Object.keys(expected).sort());
  for (const [name, value] of Object.entries(expected)) {
    if (typeof value === 'string') assert.equal(actual[name], value, `parameter ${name}`);
    else assert.match(actual[name]!, value, `parameter ${name}`);
  }
  for (const name of timings) assert.match(actual[name]!, MILLISECONDS, `parameter ${name}`);
}

function cookieHash(domain: string): string {
  return createHash('sha1').update(`${domain}/`).digest('hex').slice(0, 4);
}

/** How a test page is built and opened. */
interface OpenPageOptions {
  /** false keeps the browser's real clock, which the page timings need. */
  fixedClock?: boolean;
  /** Tracking code to use in place of the first tenant's. */
  snippet?: string;
  /** Script run before the tracking code. */
  headScript?: string;
  /** Script run in the page before any of its own. */
  initScript?: string;
  origin?: string;
  query?: string;
  referer?: string;
}

describe('browser tracker in Chromium', () => {
  let root: TestRoot;
  let app: FastifyInstance;
  let recorder: RecordingServer;
  let browser: TestBrowser;
  let idSite: string;
  let snippet: string;
  /** Tracking code of a second tenant whose [CustomJsTracker] settings disable cookies and add the dwg extension. */
  let privateSnippet: string;
  let shopOrigin: string;
  let trackerUrl: string;
  let pageCounter = 0;
  const pages: Page[] = [];

  before(async () => {
    await ensureTrackerBundle();
    root = createTestRoot();
    const tenant = await createTestTenant(root, { siteUrl: `http://${SHOP_HOST}` });
    idSite = String(tenant.idSite);
    app = await buildTestServer(root);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const footfallPort = (app.server.address() as AddressInfo).port;
    recorder = await startRecordingServer();
    shopOrigin = `http://${SHOP_HOST}:${recorder.port}`;
    trackerUrl = `http://collect.test.example:${recorder.port}/matomo.php`;

    const privateTenant = await createTestTenant(root, { siteUrl: `http://${SHOP_HOST}` });
    appendFileSync(resolve(root.rootPaths.miscUserDir, privateTenant.host, 'config.ini.php'), '\n[CustomJsTracker]\ndisable_cookies = 1\ndownload_extensions = "dwg"\n');

    const fetchSnippet = async (host: string, token: string, siteId: number): Promise<string> => {
      const response = await app.inject({
        method: 'POST', url: `/index.php?module=API&format=json&method=SitesManager.getJavascriptTag&idSite=${siteId}&piwikUrl=http://${host}:${footfallPort}/`,
        headers: { host, 'content-type': 'application/x-www-form-urlencoded' }, payload: `token_auth=${token}`,
      });
      return unescapeHtml(response.json().value);
    };
    snippet = await fetchSnippet(tenant.host, tenant.tokenAuth, tenant.idSite);
    privateSnippet = await fetchSnippet(privateTenant.host, privateTenant.tokenAuth, privateTenant.idSite);
    browser = await launchTestBrowser();
  });
  afterEach(async () => {
    for (const page of pages.splice(0)) await page.close();
    await browser.context.clearCookies();
    recorder.reset();
  });
  after(async () => {
    await browser?.close();
    await recorder?.close();
    await app?.close();
    await root?.cleanup();
  });

  /**
   * Serves a page with the tracking code of getJavascriptTag, then `commands` pushed to
   * `_paq` (the tracker URL pointed at the recording server first), and opens it.
   */
  async function openTrackedPage(commands: string, body = '<p>Catalog</p>', options: OpenPageOptions = {}): Promise<{ page: Page; url: string }> {
    const path = `/page-${++pageCounter}.html`;
    recorder.setPage(path, [
      `<!doctype html><html><head><title>${PAGE_TITLE}</title></head><body>`, body,
      options.headScript ? `<script>${options.headScript}</script>` : '', options.snippet ?? snippet,
      `<script>_paq.push(["setTrackerUrl", ${JSON.stringify(trackerUrl)}]);\n${commands}</script>`, '</body></html>',
    ].join('\n'));
    const page = await browser.context.newPage();
    pages.push(page);
    if (options.fixedClock !== false) await page.addInitScript(FIX_DATE_SCRIPT);
    if (options.initScript) await page.addInitScript(options.initScript);
    const url = `${options.origin ?? shopOrigin}${path}${options.query ?? ''}`;
    await page.goto(url, { referer: options.referer });
    return { page, url };
  }

  /** Parameters every request of the tracker carries, for a first visit to `url`. */
  function baseParams(url: string, overrides: Record<string, Expected> = {}): Record<string, Expected> {
    return {
      idsite: idSite, rec: '1', r: RANDOM, h: '10', m: '20', s: '30', url, urlref: '', _id: VISITOR_ID, _idn: '1',
      _refts: '0', send_image: '0', cookie: '1', res: '1280x720', pv_id: PAGE_VIEW_ID, ...overrides,
    };
  }

  function pageViewParams(url: string, overrides: Record<string, Expected> = {}): Record<string, Expected> {
    return { action_name: PAGE_TITLE, ...baseParams(url), ...overrides };
  }

  async function readTrackerCookies(): Promise<Record<string, string>> {
    const cookies = await browser.context.cookies(shopOrigin);
    return Object.fromEntries(cookies.filter((cookie) => cookie.name.startsWith('_pk_') || cookie.name.startsWith('mtm_')).map((cookie) => [cookie.name, decodeURIComponent(cookie.value)]));
  }

  it('tracks a pageview by beacon', async () => {
    const { url } = await openTrackedPage('');
    const [hit] = await recorder.waitForHits(1);

    assert.equal(recorder.requests.length, 1);
    assert.equal(recorder.requests[0]!.method, 'POST');
    assert.equal(recorder.requests[0]!.contentType, 'application/x-www-form-urlencoded; charset=utf-8');
    assert.equal(hit!.transport, 'post');
    assertParams(hit!.params, pageViewParams(url));
  });

  it('sends page timings with the first pageview', async () => {
    const { url } = await openTrackedPage('', undefined, { fixedClock: false });
    const [hit] = await recorder.waitForHits(1);

    assertParams(hit!.params, pageViewParams(url, { h: /^[0-9]{1,2}$/, m: /^[0-9]{1,2}$/, s: /^[0-9]{1,2}$/ }));
    assert.match(hit!.params.pf_net!, MILLISECONDS);
    assert.match(hit!.params.pf_srv!, MILLISECONDS);
    assert.match(hit!.params.pf_tfr!, MILLISECONDS);
    assert.match(hit!.params.pf_dm1!, MILLISECONDS);
    assert.match(hit!.params.pf_dm2!, MILLISECONDS);
    assert.match(hit!.params.pf_onl!, MILLISECONDS);
  });

  it('stores the visitor in Matomo cookies', async () => {
    await openTrackedPage('');
    const [hit] = await recorder.waitForHits(1);
    const hash = cookieHash(SHOP_HOST);

    assert.deepEqual(await readTrackerCookies(), {
      [`_pk_id.${idSite}.${hash}`]: `${hit!.params._id}.${FIXED_SECONDS}`,
      [`_pk_ses.${idSite}.${hash}`]: '1',
    });
  });

  it('keeps the visitor id on the next page', async () => {
    await openTrackedPage('');
    const [first] = await recorder.waitForHits(1);
    const { url } = await openTrackedPage('');
    const hits = await recorder.waitForHits(2);

    assertParams(hits[1]!.params, pageViewParams(url, { _id: first!.params._id!, _idn: '0' }));
  });

  it('tracks an event after the pageview in one bulk request', async () => {
    const { url } = await openTrackedPage('_paq.push(["trackEvent", " Video ", "Play", "Intro film", 12.5]);');
    const hits = await recorder.waitForHits(2);

    assert.equal(recorder.requests.length, 1);
    assert.equal(recorder.requests[0]!.contentType, 'text/plain; charset=utf-8');
    assert.deepEqual(JSON.parse(recorder.requests[0]!.body).send_image, 0);
    assert.deepEqual(hits.map((hit) => hit.transport), ['bulk', 'bulk']);
    assertParams(hits[0]!.params, pageViewParams(url));
    assertParams(hits[1]!.params, baseParams(url, { e_c: 'Video', e_a: 'Play', e_n: 'Intro film', e_v: '12.5', ca: '1', _idn: '0', pv_id: hits[0]!.params.pv_id! }));
  });

  it('tracks a site search', async () => {
    const { url } = await openTrackedPage('_paq.push(["trackSiteSearch", "red shoes", "Shoes", 0]);');
    const hits = await recorder.waitForHits(2);

    assertParams(hits[1]!.params, baseParams(url, { search: 'red shoes', search_cat: 'Shoes', search_count: '0', _idn: '0', pv_id: hits[0]!.params.pv_id! }));
  });

  it('tracks a goal with revenue', async () => {
    const { url } = await openTrackedPage('_paq.push(["trackGoal", 3, 9.5]);');
    const hits = await recorder.waitForHits(2);

    assertParams(hits[1]!.params, baseParams(url, { idgoal: '3', revenue: '9.5', _idn: '0', pv_id: hits[0]!.params.pv_id! }));
  });

  it('tracks a download click', async () => {
    const { page, url } = await openTrackedPage('', '<a id="catalog" href="/files/catalog.pdf">Catalog (PDF)</a>');
    await recorder.waitForHits(1);
    await page.click('#catalog');
    const hits = await recorder.waitForHits(2);

    assert.equal(hits[1]!.transport, 'post');
    assertParams(hits[1]!.params, baseParams(url, { download: `${shopOrigin}/files/catalog.pdf`, _idn: '0', pv_id: hits[0]!.params.pv_id! }));
  });

  it('tracks an outlink click', async () => {
    const outlink = `http://partner.test.example:${recorder.port}/offer?id=7`;
    const { page, url } = await openTrackedPage('', `<a id="partner" href="${outlink}">Partner</a><a id="internal" href="/about">About</a>`);
    await recorder.waitForHits(1);
    await page.click('#internal');
    await page.goBack();
    await recorder.waitForHits(2);
    await page.click('#partner');
    const hits = await recorder.waitForHits(3);

    assert.equal(hits[1]!.params.action_name, PAGE_TITLE);
    assertParams(hits[2]!.params, baseParams(url, { link: outlink, _idn: '0', pv_id: hits[1]!.params.pv_id! }));
  });

  it('tracks a middle click on an outlink', async () => {
    const outlink = `http://partner.test.example:${recorder.port}/offer?id=8`;
    const { page, url } = await openTrackedPage('', `<a id="partner" href="${outlink}">Partner</a>`);
    await recorder.waitForHits(1);
    const opened = browser.context.waitForEvent('page');
    await page.click('#partner', { button: 'middle' });
    pages.push(await opened);
    const hits = await recorder.waitForHits(2);

    assertParams(hits[1]!.params, baseParams(url, { link: outlink, _idn: '0', pv_id: hits[0]!.params.pv_id! }));
  });

  it('tracks an e-commerce order with its items', async () => {
    const { url } = await openTrackedPage([
      '_paq.push(["addEcommerceItem", "SKU-1", "Red shoe", "Shoes", 49.5, 2]);',
      '_paq.push(["addEcommerceItem", "SKU-2", "Sock", ["Clothes", "Socks"], 5]);',
      '_paq.push(["trackEcommerceOrder", "A-1001", 111.5, 104, 7.5, 4, 4]);',
    ].join('\n'));
    const hits = await recorder.waitForHits(2);

    assertParams(hits[1]!.params, baseParams(url, {
      idgoal: '0', ec_id: 'A-1001', _idn: '0', revenue: '111.5', ec_st: '104', ec_tx: '7.5', ec_sh: '4', ec_dt: '4',
      ec_items: '[["SKU-1","Red shoe","Shoes",49.5,2],["SKU-2","Sock",["Clothes","Socks"],5,1]]', pv_id: hits[0]!.params.pv_id!,
    }));
  });

  it('sends heartbeat pings after the pageview', async () => {
    const { url } = await openTrackedPage('_paq.push(["enableHeartBeatTimer", 1]);');
    const hits = await recorder.waitForHits(2);

    assertParams(hits[0]!.params, pageViewParams(url));
    assertParams(hits[1]!.params, baseParams(url, { ping: '1', _idn: '0', pv_id: hits[0]!.params.pv_id! }));
  });

  it('holds requests until consent is given', async () => {
    const { page, url } = await openTrackedPage('_paq.push(["requireConsent"]);');
    await page.waitForFunction('window.Matomo !== undefined');

    assert.equal(recorder.requests.length, 0);
    assert.deepEqual(await readTrackerCookies(), {});

    await page.evaluate('_paq.push(["rememberConsentGiven"])');
    const [pageView] = await recorder.waitForHits(1);
    await page.evaluate('_paq.push(["trackEvent", "Consent", "Given"])');
    const hits = await recorder.waitForHits(2);
    const hash = cookieHash(SHOP_HOST);
    const cookies = await readTrackerCookies();

    assertParams(pageView!.params, pageViewParams(url, { cookie: '0' }));
    assertParams(hits[1]!.params, baseParams(url, { e_c: 'Consent', e_a: 'Given', ca: '1', _idn: '0', _id: pageView!.params._id!, pv_id: pageView!.params.pv_id! }));
    assert.deepEqual(Object.keys(cookies).sort(), [`_pk_id.${idSite}.${hash}`, `_pk_ses.${idSite}.${hash}`, 'mtm_consent']);
    assert.equal(cookies[`_pk_id.${idSite}.${hash}`], `${pageView!.params._id}.${FIXED_SECONDS}`);
    assert.equal(cookies.mtm_consent, String(FIXED_TIME.getTime()));
  });

  it('sets no cookie after disableCookies', async () => {
    const { url } = await openTrackedPage('_paq.push(["disableCookies"]);');
    const [hit] = await recorder.waitForHits(1);

    assertParams(hit!.params, pageViewParams(url, { cookie: '0' }));
    assert.deepEqual(await readTrackerCookies(), {});
  });

  it('sends to two trackers on one page', async () => {
    const secondUrl = `http://collect.test.example:${recorder.port}/second/matomo.php`;
    const { url } = await openTrackedPage(`_paq.push(["addTracker", ${JSON.stringify(secondUrl)}, 42]);`);
    const hits = await recorder.waitForHits(2);
    const byPath = new Map(hits.map((hit) => [hit.path, hit]));
    const hash = cookieHash(SHOP_HOST);
    const cookies = await readTrackerCookies();

    assert.equal(hits.length, 2);
    assertParams(byPath.get('/matomo.php')!.params, pageViewParams(url));
    assertParams(byPath.get('/second/matomo.php')!.params, pageViewParams(url, { idsite: '42' }));
    assert.equal(cookies[`_pk_id.${idSite}.${hash}`], `${byPath.get('/matomo.php')!.params._id}.${FIXED_SECONDS}`);
    assert.equal(cookies[`_pk_id.42.${hash}`], `${byPath.get('/second/matomo.php')!.params._id}.${FIXED_SECONDS}`);
  });
  it('applies the tenant defaults of its build', async () => {
    const { page, url } = await openTrackedPage('', '<a id="plan" href="/plans/house.dwg">Plan</a>', { snippet: privateSnippet });
    const [pageView] = await recorder.waitForHits(1);
    await page.click('#plan');
    const hits = await recorder.waitForHits(2);

    assertParams(pageView!.params, pageViewParams(url, { idsite: pageView!.params.idsite!, cookie: '0' }));
    assertParams(hits[1]!.params, baseParams(url, { idsite: pageView!.params.idsite!, cookie: '0', download: `${shopOrigin}/plans/house.dwg`, pv_id: pageView!.params.pv_id! }));
    assert.deepEqual(await readTrackerCookies(), {});
  });

  it('tracks content impressions and a click', async () => {
    const body = [
      '<div id="banner" data-track-content data-content-name="Spring banner" data-content-piece="/img/banner.png" data-content-target="/sale"><img src="/img/banner.png" alt=""></div>',
      '<div class="matomoTrackContent" data-content-name="Promo"><a href="/promo">Promo</a></div>',
    ].join('\n');
    const { page, url } = await openTrackedPage('_paq.push(["trackAllContentImpressions"]);', body);
    const hits = await recorder.waitForHits(3);
    await page.click('#banner');
    const withClick = await recorder.waitForHits(4);
    const pageViewId = hits[0]!.params.pv_id!;

    assert.deepEqual(hits.map((hit) => hit.transport), ['bulk', 'bulk', 'bulk']);
    assertParams(hits[1]!.params, baseParams(url, { c_n: 'Spring banner', c_p: '/img/banner.png', c_t: '/sale', ca: '1', _idn: '0', pv_id: pageViewId }));
    assertParams(hits[2]!.params, baseParams(url, { c_n: 'Promo', c_p: 'Unknown', c_t: `${shopOrigin}/promo`, ca: '1', _idn: '0', pv_id: pageViewId }));
    assertParams(withClick[3]!.params, baseParams(url, { c_i: 'click', c_n: 'Spring banner', c_p: '/img/banner.png', c_t: '/sale', ca: '1', _idn: '0', pv_id: pageViewId }));
  });

  it('tracks a content interaction by call', async () => {
    const { url } = await openTrackedPage('_paq.push(["trackContentInteraction", "submit", "Newsletter form", "/img/mail.png", "/subscribe"]);');
    const hits = await recorder.waitForHits(2);

    assertParams(hits[1]!.params, baseParams(url, { c_i: 'submit', c_n: 'Newsletter form', c_p: '/img/mail.png', c_t: '/subscribe', ca: '1', _idn: '0', pv_id: hits[0]!.params.pv_id! }));
  });

  it('attributes a campaign and its referrer', async () => {
    const { page, url } = await openTrackedPage('', undefined, { query: '?pk_campaign=Spring&pk_kwd=shoes', referer: 'http://search.test.example/results?q=shoes' });
    const [hit] = await recorder.waitForHits(1);
    const referrer = String(await page.evaluate('document.referrer'));
    const hash = cookieHash(SHOP_HOST);

    assert.notEqual(referrer, '');
    assertParams(hit!.params, pageViewParams(url, { urlref: referrer, _refts: FIXED_SECONDS, _ref: referrer, _rcn: 'Spring', _rck: 'shoes' }));
    assert.equal((await readTrackerCookies())[`_pk_ref.${idSite}.${hash}`], JSON.stringify(['Spring', 'shoes', Number(FIXED_SECONDS), referrer]));
  });

  it('sends what page commands set', async () => {
    const { url } = await openTrackedPage([
      '_paq.push(["setUserId", "user-42"]);',
      '_paq.push(["setCustomDimension", 3, "Gold"]);',
      '_paq.push(["setCustomVariable", 1, "Type", "Member", "visit"]);',
      '_paq.push(["setCustomVariable", 2, "Lang", "de", "page"]);',
      '_paq.push(["setCustomUrl", "/virtual/checkout?step=2"]);',
      '_paq.push(["setDocumentTitle", "Checkout"]);',
      '_paq.push(["setReferrerUrl", "http://shop.test.example/cart"]);',
      '_paq.push(["trackPageView"]);',
    ].join('\n'));
    const hits = await recorder.waitForHits(2);

    assertParams(hits[0]!.params, pageViewParams(url, { uid: 'user-42' }));
    assertParams(hits[1]!.params, pageViewParams(`${shopOrigin}/virtual/checkout?step=2`, {
      action_name: 'Checkout', urlref: 'http://shop.test.example/cart', uid: 'user-42', dimension3: 'Gold',
      _cvar: '{"1":["Type","Member"]}', cvar: '{"2":["Lang","de"]}', _idn: '0',
    }));
    assert.notEqual(hits[1]!.params.pv_id, hits[0]!.params.pv_id);
  });

  it('sends client hints from a secure context', async () => {
    const origin = `http://127.0.0.1:${recorder.port}`;
    const { url } = await openTrackedPage('', undefined, { origin });
    const [hit] = await recorder.waitForHits(1);
    const hints = JSON.parse(hit!.params.uadata!) as Record<string, unknown>;

    assertParams(hit!.params, pageViewParams(url, { uadata: /^\{/ }));
    assert.deepEqual(Object.keys(hints), ['fullVersionList', 'mobile', 'model', 'platform', 'platformVersion']);
    assert.equal(hints.mobile, false);
    assert.equal(hints.platform, 'Linux');
    assert.equal(Array.isArray(hints.fullVersionList), true);
  });

  it('sends nothing under Do Not Track', async () => {
    const sentinel = `window.matomoAsyncInit = function () { Matomo.getTracker(${JSON.stringify(trackerUrl)}, 99).trackPageView("Sentinel"); };`;
    const { url } = await openTrackedPage('', undefined, {
      headScript: `var _paq = window._paq = window._paq || []; _paq.push(["setDoNotTrack", true]); ${sentinel}`,
      initScript: 'Object.defineProperty(Navigator.prototype, "doNotTrack", { get: () => "1" });',
    });
    const [hit] = await recorder.waitForHits(1);

    assertParams(hit!.params, pageViewParams(url, { idsite: '99', action_name: 'Sentinel' }));
    assert.equal(recorder.hits().length, 1);
  });

  it('serves the same tracker through Piwik.getTracker', async () => {
    const { url } = await openTrackedPage('', undefined, {
      headScript: `window.piwikAsyncInit = function () { Piwik.getTracker(${JSON.stringify(trackerUrl)}, 7).trackEvent("Legacy", "Init"); };`,
    });
    const hits = await recorder.waitForHits(2);
    const event = hits.find((hit) => hit.params.e_c === 'Legacy');

    assertParams(event!.params, baseParams(url, { idsite: '7', e_c: 'Legacy', e_a: 'Init', ca: '1' }));
  });
  it('tracks a product view and a cart update', async () => {
    const { url } = await openTrackedPage([
      '_paq.push(["setEcommerceView", "SKU-1", "Red shoe", ["Shoes", "Red"], 49.5]);',
      '_paq.push(["trackPageView"]);',
      '_paq.push(["addEcommerceItem", "SKU-1", "Red shoe", "Shoes", 49.5, 1]);',
      '_paq.push(["trackEcommerceCartUpdate", 49.5]);',
    ].join('\n'));
    const hits = await recorder.waitForHits(3);

    assertParams(hits[1]!.params, pageViewParams(url, { _pks: 'SKU-1', _pkn: 'Red shoe', _pkc: '["Shoes","Red"]', _pkp: '49.5', _idn: '0' }));
    assertParams(hits[2]!.params, baseParams(url, { idgoal: '0', revenue: '49.5', ec_items: '[["SKU-1","Red shoe","Shoes",49.5,1]]', _idn: '0', pv_id: hits[1]!.params.pv_id! }));
  });

  it('sets cookies only after cookie consent', async () => {
    const { page, url } = await openTrackedPage('_paq.push(["requireCookieConsent"]);');
    const [pageView] = await recorder.waitForHits(1);
    const cookiesBefore = await readTrackerCookies();
    await page.evaluate('_paq.push(["setCookieConsentGiven"]); _paq.push(["trackEvent", "Cookies", "Allowed"]);');
    const hits = await recorder.waitForHits(2);
    const hash = cookieHash(SHOP_HOST);

    assertParams(pageView!.params, pageViewParams(url, { cookie: '0' }));
    assert.deepEqual(cookiesBefore, {});
    assertParams(hits[1]!.params, baseParams(url, { e_c: 'Cookies', e_a: 'Allowed', ca: '1', _idn: '0', _id: pageView!.params._id!, pv_id: pageView!.params.pv_id! }));
    assert.deepEqual(Object.keys(await readTrackerCookies()).sort(), [`_pk_id.${idSite}.${hash}`, `_pk_ses.${idSite}.${hash}`]);
  });

  it('forgets a remembered consent', async () => {
    const { page } = await openTrackedPage('_paq.push(["requireConsent"]); _paq.push(["rememberConsentGiven"]);');
    await recorder.waitForHits(1);
    await page.evaluate('_paq.push(["forgetConsentGiven"]); _paq.push(["trackEvent", "Held", "Until consent"]);');
    const cookies = await readTrackerCookies();
    // This tracker needs no consent and queues after the held event, so a leaked event would be sent before it.
    await page.evaluate(`Matomo.getTracker(${JSON.stringify(trackerUrl)}, 99).trackEvent("Sentinel", "Sent")`);
    const hits = await recorder.waitForHits(2);

    assert.deepEqual(Object.keys(cookies), ['mtm_consent_removed']);
    assert.equal(cookies.mtm_consent_removed, String(FIXED_TIME.getTime()));
    assert.deepEqual(hits.map((hit) => hit.params.e_c ?? hit.params.action_name), [PAGE_TITLE, 'Sentinel']);
  });

  it('names cookies after the cookie domain', async () => {
    await openTrackedPage('_paq.push(["setCookieDomain", "*.shop.test.example"]); _paq.push(["setCookiePath", "/"]);');
    const [hit] = await recorder.waitForHits(1);
    const cookies = await browser.context.cookies(shopOrigin);
    const visitorCookie = cookies.find((cookie) => cookie.name.startsWith('_pk_id.'));

    assert.equal(visitorCookie!.name, `_pk_id.${idSite}.${cookieHash('.shop.test.example')}`);
    assert.equal(visitorCookie!.domain, '.shop.test.example');
    assert.equal(visitorCookie!.path, '/');
    assert.equal(visitorCookie!.value, `${hit!.params._id}.${FIXED_SECONDS}`);
  });

  it('runs a function pushed to the queue', async () => {
    const { url } = await openTrackedPage('_paq.push([function () { this.trackEvent("Queue", "Function", this.getSiteId()); }]);');
    const hits = await recorder.waitForHits(2);

    assertParams(hits[1]!.params, baseParams(url, { e_c: 'Queue', e_a: 'Function', e_n: idSite, ca: '1', _idn: '0', pv_id: hits[0]!.params.pv_id! }));
  });

  it('returns the visitor id it sends', async () => {
    const { page } = await openTrackedPage('');
    const [hit] = await recorder.waitForHits(1);

    assert.equal(await page.evaluate('Matomo.getAsyncTracker().getVisitorId()'), hit!.params._id);
  });
});
