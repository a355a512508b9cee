import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { callApi } from '../support/api-client.js';
import { launchTestBrowser, type TestBrowser } from '../support/browser.js';
import { startRecordingServer, type RecordingServer } from '../support/recording-server.js';
import { buildTestServer, createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';
import { ensureTrackerBundle } from '../support/tracker-bundle.js';
import { countRows, tenantDb } from '../support/tracking.js';

/** Host of the pages, which the recording server serves. Footfall serves the two tenant hosts. */
const SHOP_HOST = 'shop.test.example';
const HOST_A = 'a.test';
const HOST_B = 'b.test';
const PAGE_TITLE = 'Spring catalog';
/** The server's clock starts here; each test moves it an hour on, so every test starts a new visit. */
const START = Date.parse('2026-12-04T08:00:00Z');
const DAY = '2026-12-04';
/** Maximum polls of the Live API while a hit is on its way, 50 ms apart. */
const MAX_POLLS = 200;

type ApiObject = Record<string, unknown>;

interface TenantUnderTest {
  host: string;
  idSite: number;
  tokenAuth: string;
}

/** Sends one TagManager call to a tenant and returns its parsed value, failing on any error. */
async function callTagManager(app: FastifyInstance, tenant: TenantUnderTest, method: string, body: string): Promise<any> {
  const response = await app.inject({
    method: 'POST', url: `/index.php?module=API&format=json&method=TagManager.${method}`,
    headers: { host: tenant.host, 'content-type': 'application/x-www-form-urlencoded' }, payload: `token_auth=${tenant.tokenAuth}&${body}`,
  });
  assert.equal(response.statusCode, 200, response.body);
  return response.json();
}

function unescapeHtml(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#039;/g, "'").replace(/&amp;/g, '&');
}

describe('browser tracker against Footfall', () => {
  let root: TestRoot;
  let app: FastifyInstance;
  let recorder: RecordingServer;
  let browser: TestBrowser;
  let tenantA: TenantUnderTest;
  let tenantB: TenantUnderTest;
  let snippetA: string;
  let goalId: number;
  let footfallPort: number;
  let shopOrigin: string;
  let now = START;
  let pageCounter = 0;
  const pages: Page[] = [];

  before(async () => {
    await ensureTrackerBundle();
    root = createTestRoot();
    tenantA = await createTestTenant(root, { host: HOST_A, timezone: 'UTC', siteUrl: `http://${SHOP_HOST}`, clock: () => new Date(now) });
    tenantB = await createTestTenant(root, { host: HOST_B, timezone: 'UTC', siteUrl: `http://${SHOP_HOST}`, clock: () => new Date(now) });
    app = await buildTestServer(root, () => new Date(now));
    await app.listen({ port: 0, host: '127.0.0.1' });
    footfallPort = (app.server.address() as AddressInfo).port;
    recorder = await startRecordingServer();
    shopOrigin = `http://${SHOP_HOST}:${recorder.port}`;

    const goal = await callApi(app, HOST_A, {
      method: 'Goals.addGoal', idSite: String(tenantA.idSite), name: 'Newsletter', matchAttribute: 'manually', revenue: '0', token_auth: tenantA.tokenAuth,
    }, { post: true });
    goalId = Number((goal.json() as { value: number }).value);
    const tag = await callApi(app, HOST_A, {
      method: 'SitesManager.getJavascriptTag', idSite: String(tenantA.idSite), piwikUrl: `http://${HOST_A}:${footfallPort}/`, token_auth: tenantA.tokenAuth,
    }, { post: true });
    snippetA = unescapeHtml((tag.json() as { value: string }).value);
    browser = await launchTestBrowser();
  });
  afterEach(async () => {
    for (const page of pages.splice(0)) await page.close();
    await browser.context.clearCookies();
  });
  after(async () => {
    await browser?.close();
    await recorder?.close();
    await app?.close();
    await root?.cleanup();
  });

  /** Moves the server's clock an hour on, past the 30-minute visit length. */
  function startNewVisit(): void {
    now += 3_600_000;
  }

  /** Serves a page with tenant A's tracking code followed by `commands`, and opens it. */
  async function openTrackedPage(commands: string, body = '<p>Catalog</p>'): Promise<{ page: Page; url: string }> {
    const path = `/page-${++pageCounter}.html`;
    recorder.setPage(path, [
      `<!doctype html><html><head><title>${PAGE_TITLE}</title></head><body>`, body, snippetA,
      `<script>${commands}</script>`, '</body></html>',
    ].join('\n'));
    const page = await browser.context.newPage();
    pages.push(page);
    const url = `${shopOrigin}${path}`;
    await page.goto(url);
    return { page, url };
  }

  /** Returns tenant A's most recent visit once `isComplete` accepts it; fails after MAX_POLLS polls. */
  async function waitForLastVisit(isComplete: (visit: ApiObject) => boolean): Promise<ApiObject> {
    let visit: ApiObject | undefined;
    for (let poll = 0; poll < MAX_POLLS; poll += 1) {
      const response = await callApi(app, HOST_A, {
        method: 'Live.getLastVisitsDetails', idSite: String(tenantA.idSite), period: 'day', date: DAY, filter_limit: '1', token_auth: tenantA.tokenAuth,
      });
      assert.equal(response.statusCode, 200, response.body);
      visit = (response.json() as ApiObject[])[0];
      if (visit && visit.lastActionTimestamp === now / 1000 && isComplete(visit)) return visit;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.fail(`No complete visit of tenant A after ${MAX_POLLS} polls. Last one: ${JSON.stringify(visit)}`);
  }

  function actionsOf(visit: ApiObject): ApiObject[] {
    return visit.actionDetails as ApiObject[];
  }

  async function readShopCookieNames(): Promise<string[]> {
    return (await browser.context.cookies(shopOrigin)).map((cookie) => cookie.name).sort();
  }

  it('stores pageview, event, search, goal and order', async () => {
    startNewVisit();
    const { url } = await openTrackedPage([
      '_paq.push(["trackEvent", "Video", "Play", "Intro film", 12.5]);',
      '_paq.push(["trackSiteSearch", "red shoes", "Shoes", 4]);',
      `_paq.push(["trackGoal", ${goalId}, 9.5]);`,
      '_paq.push(["addEcommerceItem", "SKU-1", "Red shoe", "Shoes", 49.5, 2]);',
      '_paq.push(["trackEcommerceOrder", "A-1001", 111.5, 99, 7.5, 5, 0]);',
    ].join('\n'));
    const visit = await waitForLastVisit((candidate) => actionsOf(candidate).length === 5);
    const [pageview, event, search] = actionsOf(visit);
    const goal = actionsOf(visit).find((action) => action.type === 'goal');
    const order = actionsOf(visit).find((action) => action.type === 'ecommerceOrder');

    assert.equal(visit.idSite, tenantA.idSite);
    // Conversions of one second follow its actions, but keep no order among themselves.
    assert.deepEqual(actionsOf(visit).slice(0, 3).map((action) => action.type), ['action', 'event', 'search']);
    assert.equal(pageview!.url, url);
    assert.equal(pageview!.pageTitle, PAGE_TITLE);
    assert.equal(event!.eventCategory, 'Video');
    assert.equal(event!.eventAction, 'Play');
    assert.equal(event!.eventName, 'Intro film');
    assert.equal(event!.eventValue, 12.5);
    assert.equal(search!.siteSearchKeyword, 'red shoes');
    assert.equal(search!.siteSearchCategory, 'Shoes');
    assert.equal(search!.siteSearchCount, 4);
    assert.equal(goal!.goalId, goalId);
    assert.equal(goal!.goalName, 'Newsletter');
    assert.equal(goal!.revenue, 9.5);
    assert.equal(order!.orderId, 'A-1001');
    assert.equal(order!.revenue, 111.5);
    assert.equal(order!.revenueSubTotal, 99);
    assert.equal(order!.revenueTax, 7.5);
    assert.equal(order!.revenueShipping, 5);
    assert.equal(order!.items, 2);
  });

  it('stores download and outlink clicks', async () => {
    startNewVisit();
    const outlink = `http://partner.test.example:${recorder.port}/offer?id=7`;
    const { page } = await openTrackedPage('', `<a id="catalog" href="/files/catalog.pdf">Catalog (PDF)</a><a id="partner" href="${outlink}" target="_blank">Partner</a>`);
    await waitForLastVisit((candidate) => actionsOf(candidate).length === 1);
    const opened = browser.context.waitForEvent('page');
    await page.click('#partner');
    pages.push(await opened);
    await waitForLastVisit((candidate) => actionsOf(candidate).length === 2);
    await page.click('#catalog');
    const visit = await waitForLastVisit((candidate) => actionsOf(candidate).length === 3);

    assert.deepEqual(actionsOf(visit).map((action) => [action.type, action.url]), [
      ['action', `${shopOrigin}/page-${pageCounter}.html`],
      ['outlink', outlink],
      ['download', `${shopOrigin}/files/catalog.pdf`],
    ]);
  });

  it('extends the visit with heartbeat pings', async () => {
    startNewVisit();
    const { page } = await openTrackedPage('_paq.push(["enableHeartBeatTimer", 1]);');
    await waitForLastVisit((candidate) => actionsOf(candidate).length === 1);
    now += 15_000;
    await page.bringToFront();
    const visit = await waitForLastVisit((candidate) => candidate.visitDuration === 15);

    assert.equal(actionsOf(visit).length, 1);
    assert.equal(visit.visitDuration, 15);
  });

  it('stores nothing in the other tenant', async () => {
    startNewVisit();
    await openTrackedPage('_paq.push(["trackEvent", "Video", "Play"]);');
    await waitForLastVisit((candidate) => actionsOf(candidate).length === 2);
    const response = await callApi(app, HOST_B, {
      method: 'Live.getLastVisitsDetails', idSite: String(tenantB.idSite), period: 'day', date: DAY, token_auth: tenantB.tokenAuth,
    });

    assert.deepEqual(response.json(), []);
    assert.equal(await countRows(tenantDb(root, HOST_B), 'log_visit'), 0);
    assert.equal(await countRows(tenantDb(root, HOST_B), 'log_link_visit_action'), 0);
  });

  it('sends no hit and sets no cookie before consent', async () => {
    startNewVisit();
    const db = tenantDb(root, HOST_A);
    const visitsBefore = await countRows(db, 'log_visit');
    const { page } = await openTrackedPage('_paq.push(["requireConsent"]);');
    await page.waitForFunction('window.Matomo !== undefined');

    assert.equal(await countRows(db, 'log_visit'), visitsBefore);
    assert.deepEqual(await readShopCookieNames(), []);

    await page.evaluate('_paq.push(["setConsentGiven"])');
    const visit = await waitForLastVisit((candidate) => actionsOf(candidate).length === 1);

    assert.equal(await countRows(db, 'log_visit'), visitsBefore + 1);
    assert.equal(actionsOf(visit)[0]!.pageTitle, PAGE_TITLE);
    assert.deepEqual((await readShopCookieNames()).map((name) => name.split('.')[0]), ['_pk_id', '_pk_ses']);
  });

  it('fires the tags of the host that serves the container', async () => {
    const containerA = await publishContainer(tenantA, 'Tenant A tag', null);
    await publishContainer(tenantB, 'Tenant B tag', containerA);

    const rendered: string[][] = [];
    for (const tenant of [tenantA, tenantB]) {
      const embedCode: string = (await callTagManager(app, tenant, 'getContainerEmbedCode', `idSite=${tenant.idSite}&idContainer=${containerA}`)).value;
      const path = `/container-${tenant.host}.html`;
      recorder.setPage(path, [
        '<!doctype html><html><head><title>Container</title>',
        embedCode.replace(`//${tenant.host}/`, `http://${tenant.host}:${footfallPort}/`),
        '</head><body></body></html>',
      ].join('\n'));
      const page = await browser.context.newPage();
      pages.push(page);
      await page.goto(`${shopOrigin}${path}`);
      await page.waitForSelector('p.tenant-tag');
      rendered.push(await page.$$eval('p.tenant-tag', (elements) => elements.map((element) => element.textContent ?? '')));
    }

    assert.deepEqual(rendered, [['Tenant A tag'], ['Tenant B tag']]);
  });

  /**
   * Publishes a container with one page-view tag that adds `<p class="tenant-tag">text</p>`.
   * With `sameIdAs`, the new container's id is changed to that id in the tenant's database
   * before anything refers to it, because container ids are random per tenant.
   */
  async function publishContainer(tenant: TenantUnderTest, text: string, sameIdAs: string | null): Promise<string> {
    const call = (method: string, body: string): Promise<any> => callTagManager(app, tenant, method, body);
    let containerId: string = (await call('addContainer', `idSite=${tenant.idSite}&name=Main`)).value;
    if (sameIdAs !== null) {
      const db = tenantDb(root, tenant.host);
      await db.updateTable('tagmanager_container_version').set({ idcontainer: sameIdAs }).where('idcontainer', '=', containerId).execute();
      await db.updateTable('tagmanager_container').set({ idcontainer: sameIdAs }).where('idcontainer', '=', containerId).execute();
      containerId = sameIdAs;
    }
    const draftId: number = (await call('getContainer', `idSite=${tenant.idSite}&idContainer=${containerId}`)).draft.idcontainerversion;
    const target = `idSite=${tenant.idSite}&idContainer=${containerId}&idContainerVersion=${draftId}`;
    const pageView = (await call('addContainerTrigger', `${target}&type=PageView&name=All+pages`)).value;
    const html = encodeURIComponent(`<p class="tenant-tag">${text}</p>`);
    await call('addContainerTag', `${target}&type=CustomHtml&name=Marker&parameters[customHtml]=${html}&fireTriggerIds[]=${pageView}`);
    const versionId: number = (await call('createContainerVersion', `idSite=${tenant.idSite}&idContainer=${containerId}&name=v1`)).value;
    await call('publishContainerVersion', `idSite=${tenant.idSite}&idContainer=${containerId}&idContainerVersion=${versionId}`);
    return containerId;
  }
});
