import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createUser, setRole } from '../../src/auth/user-store.js';
import { readEnvironment } from '../../src/config/environment.js';
import { DEFAULT_UI_DIR } from '../../src/http/dashboard-routes.js';
import type { TenantHost } from '../../src/tenancy/tenant-host.js';
import { ensureDashboardBuilt } from '../support/dashboard-build.js';
import { callApi } from '../support/api-client.js';
import { buildDashboardServer, seedVisits } from '../support/dashboard-server.js';
import { createTestTenant } from '../support/test-root.js';
import { useTestRoot } from '../support/suite-root.js';

const CHROMIUM_PATH = process.env.FOOTFALL_TEST_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOT_DIR = resolve(readEnvironment().codeRoot, 'test-output');
/** A 1×1 transparent PNG, as a tenant's logo. */
const LOGO_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
/** Upper bound of any single wait in the browser; a wait never decides a result by its duration. */
const WAIT_LIMIT_MS = 15_000;
/** Upper bound of a wait for a request that first archives years of data. */
const ARCHIVING_WAIT_LIMIT_MS = 120_000;

// Browser-side expressions are passed as strings, because the test build has no DOM types.

describe('dashboard in Chromium', () => {
  let context: BrowserContext;
  let profileDir: string;
  const requestedUrls: string[] = [];

  // Registered before useTestRoot's hooks, so the browser closes before the server does.
  after(async () => {
    await context?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  const suite = useTestRoot(async (root) => {
    await ensureDashboardBuilt();
    assert.ok(existsSync(CHROMIUM_PATH), `Chromium not found at ${CHROMIUM_PATH}. Install Debian's chromium or set FOOTFALL_TEST_CHROMIUM.`);
    const tenantWithData = await createTestTenant(root);
    const hostWithData = tenantWithData.host;
    const tokenWithData = tenantWithData.tokenAuth;
    const siteWithData = tenantWithData.idSite;
    const now = new Date();
    await seedVisits(root.registry.require(hostWithData).db(), tenantWithData.idSite, now, 12);
    await seedVisits(root.registry.require(hostWithData).db(), tenantWithData.idSite, new Date(now.getTime() - 86_400_000), 5);
    const tenantWithoutData = await createTestTenant(root);
    const hostWithoutData = tenantWithoutData.host;
    const tokenWithoutData = tenantWithoutData.tokenAuth;
    const siteWithoutData = tenantWithoutData.idSite;
    const publicTenant = await createTestTenant(root);
    const publicHost = publicTenant.host;
    await setRole(root.registry.get(publicHost as TenantHost)!.db(), 'anonymous', 'view', [publicTenant.idSite]);
    await seedVisits(root.registry.require(publicHost).db(), publicTenant.idSite, now, 4);

    const app = await buildDashboardServer(root);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;

    profileDir = mkdtempSync(join(tmpdir(), 'footfall-chromium-'));
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    context = await chromium.launchPersistentContext(profileDir, {
      // UTC like the seeded visits and the sites, so the browser's today is the sites' today.
      executablePath: CHROMIUM_PATH, headless: true, timeout: WAIT_LIMIT_MS, timezoneId: 'UTC', acceptDownloads: true,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync',
        // Test hosts resolve to the local server; every other name fails, so nothing leaves the machine.
        '--host-resolver-rules=MAP *.test.example 127.0.0.1, MAP * ~NOTFOUND',
      ],
    });
    context.setDefaultTimeout(WAIT_LIMIT_MS);
    context.on('request', (request) => requestedUrls.push(request.url()));
    return { hostWithData, tokenWithData, siteWithData, hostWithoutData, tokenWithoutData, siteWithoutData, publicHost, app, port };
  });

  /** Returns `VisitsSummary.get` of the site with data, read through the API with the superuser's token. */
  async function loadSummary(params: Record<string, string>): Promise<Record<string, number | string>> {
    const response = await callApi(suite.app, suite.hostWithData, { method: 'VisitsSummary.get', idSite: String(suite.siteWithData), token_auth: suite.tokenWithData, ...params });
    assert.equal(response.statusCode, 200, response.body);
    return response.json() as Record<string, number | string>;
  }

  async function readMetric(page: Page, key: string): Promise<string> {
    return (await page.locator(`.metric[data-metric="${key}"] dd`).textContent()) ?? '';
  }

  /** Waits until the overview shows `visits` visits, since the page loads numbers after each change. */
  async function waitForVisits(page: Page, visits: number): Promise<void> {
    await page.locator('.metric[data-metric="nb_visits"] dd', { hasText: new RegExp(`^${visits.toLocaleString('en')}$`) }).waitFor();
  }

  async function openSignedIn(host: string, width: number): Promise<Page> {
    await context.clearCookies();
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`http://${host}:${suite.port}/`);
    await page.getByLabel('Login').fill('admin');
    await page.getByLabel('Password').fill('secret-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: `Site of ${host}` }).waitFor();
    return page;
  }

  it('signs in and shows the overview at 1280 px', async () => {
    const page = await openSignedIn(suite.hostWithData, 1280);
    await page.locator('.metric').first().waitFor();
    const summary = await loadSummary({ period: 'day', date: 'today' });
    assert.equal(summary.nb_visits, 12);
    assert.equal(await readMetric(page, 'nb_visits'), '12');
    assert.equal(await readMetric(page, 'nb_uniq_visitors'), String(summary.nb_uniq_visitors));
    assert.equal(await readMetric(page, 'nb_actions'), String(summary.nb_actions));
    assert.equal(await readMetric(page, 'bounce_rate'), String(summary.bounce_rate));
    assert.equal(await page.locator('.chart canvas').count(), 1);
    assert.equal(await page.title(), `Site of ${suite.hostWithData} – Footfall`);
    await page.screenshot({ path: resolve(SCREENSHOT_DIR, 'dashboard-overview-1280.png'), fullPage: true });
    await page.close();
  });

  it('fits the overview into 360 px', async () => {
    const page = await openSignedIn(suite.hostWithData, 360);
    await page.locator('.chart canvas').waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    assert.equal(overflow, 0);
    await page.screenshot({ path: resolve(SCREENSHOT_DIR, 'dashboard-overview-360.png'), fullPage: true });
    await page.close();
  });

  it('follows a change of period with the API numbers', async () => {
    const page = await openSignedIn(suite.hostWithData, 1280);
    await waitForVisits(page, 12);
    const today = /date=([0-9-]+)/.exec(await page.evaluate<string>('window.location.hash'))![1]!;
    const month = await loadSummary({ period: 'month', date: today });
    assert.ok(Number(month.nb_visits) >= 12);

    await page.getByText('Month', { exact: true }).click();
    await waitForVisits(page, Number(month.nb_visits));
    assert.equal(await readMetric(page, 'nb_actions'), String(month.nb_actions));
    assert.equal(await readMetric(page, 'bounce_rate'), String(month.bounce_rate));

    await page.getByText('Day', { exact: true }).click();
    await waitForVisits(page, 12);
    await page.close();
  });

  it('follows a segment with the API numbers', async () => {
    const page = await openSignedIn(suite.hostWithData, 1280);
    await waitForVisits(page, 12);
    const segmented = await loadSummary({ period: 'day', date: 'today', segment: 'browserCode==CH' });
    assert.equal(segmented.nb_visits, 4);

    await page.getByRole('button', { name: /^Segment:/ }).click();
    await page.getByLabel('Dimension of condition 1').selectOption('browserCode');
    await page.getByLabel('Operator of condition 1').selectOption('==');
    await page.getByLabel('Value of condition 1').fill('CH');
    assert.equal(await page.locator('input[name="segment-definition"]').inputValue(), 'browserCode==CH');
    await page.getByRole('button', { name: 'Apply segment' }).click();
    await waitForVisits(page, 4);
    assert.equal(await readMetric(page, 'nb_actions'), String(segmented.nb_actions));
    assert.match(await page.evaluate<string>('window.location.hash'), /segment=browserCode%3D%3DCH/);

    await page.getByRole('button', { name: /^Segment:/ }).click();
    await page.locator('input[name="segment-definition"]').fill('browserCode==CH,browserCode==FF;pageUrl=@%2Fdocs%2F');
    assert.equal(await page.getByLabel('Join of condition 2').inputValue(), 'or');
    assert.equal(await page.getByLabel('Join of condition 3').inputValue(), 'and');
    assert.equal(await page.getByLabel('Operator of condition 3').inputValue(), '=@');
    assert.equal(await page.getByLabel('Value of condition 3').inputValue(), '/docs/');
    await page.getByRole('button', { name: 'All visits' }).click();
    await waitForVisits(page, 12);
    await page.close();
  });

  /** Calls a report of the site with data through the API with the superuser's token, as JSON or as `format`. */
  async function loadReport(method: string, params: Record<string, string> = {}, format = 'json'): Promise<string> {
    const response = await callApi(suite.app, suite.hostWithData, { method, idSite: String(suite.siteWithData), period: 'day', date: 'today', token_auth: suite.tokenWithData, ...params, format });
    assert.equal(response.statusCode, 200, response.body);
    return response.body;
  }

  async function openReport(name: string): Promise<Page> {
    const page = await openSignedIn(suite.hostWithData, 1280);
    await page.getByRole('navigation', { name: 'Reports' }).getByRole('link', { name, exact: true }).click();
    await page.getByRole('heading', { level: 2, name }).waitFor();
    await page.locator('.report-table tbody tr').first().waitFor();
    return page;
  }

  async function readRowLabels(page: Page): Promise<string[]> {
    return (await page.locator('.report-table tbody th[scope="row"]').allTextContents()).map((label) => label.replace(/^[▸▾] /, ''));
  }

  it('shows a report with the API rows', async () => {
    const page = await openReport('Browsers');
    const rows = JSON.parse(await loadReport('DevicesDetection.getBrowsers')) as { label: string; nb_visits: number }[];
    assert.deepEqual(rows.map((row) => [row.label, row.nb_visits]), [['Firefox', 8], ['Chrome', 4]]);
    assert.deepEqual(await readRowLabels(page), ['Firefox', 'Chrome']);
    assert.deepEqual(await page.locator('.report-table tbody tr td:first-of-type').allTextContents(), ['8', '4']);
    assert.match(await page.evaluate<string>('window.location.hash'), /page=DevicesDetection.getBrowsers/);
    await page.close();
  });

  it('sorts, searches and limits a report', async () => {
    const page = await openReport('Browsers');
    assert.equal(await page.locator('.report-table th[aria-sort="descending"]').textContent(), 'Visits ↓');
    await page.getByRole('button', { name: /^Visits/ }).click();
    await page.locator('.report-table th[aria-sort="ascending"]').waitFor();
    await page.locator('.report-table tbody th', { hasText: 'Chrome' }).waitFor();
    assert.deepEqual(await readRowLabels(page), ['Chrome', 'Firefox']);

    await page.getByRole('searchbox').fill('fire');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.locator('.report-table tbody th', { hasText: 'Chrome' }).waitFor({ state: 'detached' });
    assert.deepEqual(await readRowLabels(page), ['Firefox']);

    await page.getByRole('searchbox').fill('opera');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    assert.equal(await page.getByRole('status').textContent(), "No row matches 'opera'. Clear the search to see every row.");

    const [limited] = await Promise.all([
      page.waitForRequest((request) => request.url().includes('filter_limit=5&')),
      page.locator('select[name="filter_limit"]').selectOption('5'),
    ]);
    assert.match(limited.url(), /method=DevicesDetection.getBrowsers/);
    await page.close();
  });

  it('sorts and expands a report by keyboard', async () => {
    const page = await openReport('Pages');
    await page.locator('.report-table .sort-button').first().focus();
    // The table shows the new sort at once and replaces its rows when the sorted report
    // arrives, so the expand button is focused only after that, or its focus would be lost.
    const sorted = page.waitForResponse((response) => response.url().includes('filter_sort_order=asc'));
    await page.keyboard.press('Enter');
    await page.locator('.report-table th[aria-sort="ascending"]').waitFor();
    await sorted;
    await page.locator('section.report[aria-busy="false"]').waitFor();
    assert.equal(await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle'), 'solid');

    await page.locator('.report-table .expand-button').first().focus();
    await page.keyboard.press('Enter');
    await page.locator('.report-table tr.subtable-row').first().waitFor();
    assert.equal(await page.locator('.report-table .expand-button').first().getAttribute('aria-expanded'), 'true');
    await page.close();
  });

  it('expands a subtable of pages', async () => {
    const page = await openReport('Pages');
    const rows = JSON.parse(await loadReport('Actions.getPageUrls')) as { label: string; idsubdatatable?: number }[];
    const folder = rows.find((row) => row.idsubdatatable !== undefined)!;
    const children = JSON.parse(await loadReport('Actions.getPageUrls', { idSubtable: String(folder.idsubdatatable) })) as { label: string }[];
    assert.deepEqual(await readRowLabels(page), rows.map((row) => row.label));

    await page.getByRole('button', { name: `▸ ${folder.label}` }).click();
    await page.locator('.report-table tr.subtable-row').first().waitFor();
    assert.deepEqual(
      await page.locator('.report-table tr.subtable-row th').allTextContents(),
      children.map((child) => child.label),
    );
    assert.equal(await page.getByRole('button', { name: `▾ ${folder.label}` }).getAttribute('aria-expanded'), 'true');
    await page.close();
  });

  it('exports a report as CSV', async () => {
    const page = await openReport('Browsers');
    const exportRequests: { url: string; body: string | null }[] = [];
    page.on('request', (request) => exportRequests.push({ url: request.url(), body: request.postData() }));
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'CSV' }).click()]);
    const path = await download.path();
    const expected = await loadReport('DevicesDetection.getBrowsers', { filter_limit: '-1', filter_sort_column: 'nb_visits', filter_sort_order: 'desc' }, 'csv');
    assert.equal(readFileSync(path, 'utf8'), expected);
    assert.match(download.suggestedFilename(), /^DevicesDetection\.getBrowsers-\d{4}-\d{2}-\d{2}\.csv$/);
    const exportRequest = exportRequests.find((request) => request.url.includes('format=csv'))!;
    assert.equal(exportRequest.url.includes('token_auth'), false);
    assert.match(exportRequest.body ?? '', /force_api_session=1&token_auth=/);
    await page.close();
  });

  it('draws a report as a pie', async () => {
    const page = await openReport('Browsers');
    await page.locator('select[name="visualization"]').selectOption('pie');
    assert.equal(await page.getByRole('img', { name: 'Firefox: 67%, Chrome: 33%' }).count(), 1);
    await page.close();
  });

  it('lists the latest visits with their actions', async () => {
    const page = await openSignedIn(suite.hostWithData, 1280);
    await page.getByRole('link', { name: 'Visitor log' }).click();
    await page.getByRole('heading', { level: 2, name: 'Visitor log' }).waitFor();
    await page.locator('.visit').first().waitFor();
    const response = await callApi(suite.app, suite.hostWithData, { method: 'Live.getLastVisitsDetails', idSite: String(suite.siteWithData), filter_limit: '20', token_auth: suite.tokenWithData });
    const visits = response.json() as { actionDetails: unknown[] }[];
    assert.equal(visits.length, 17);
    assert.equal(await page.locator('.visit').count(), 17);
    assert.deepEqual(visits.map((visit) => visit.actionDetails.length).slice(0, 2), [1, 2]);
    assert.deepEqual(await page.locator('.visit').first().locator('.actions-list li').allTextContents(), ['Page Home (https://example.org/)']);
    assert.deepEqual(
      await page.locator('.visit').nth(1).locator('.actions-list li').allTextContents(),
      ['Page Home (https://example.org/)', 'Page Docs / Start (https://example.org/docs/start)'],
    );

    await seedVisits(suite.root.registry.require(suite.hostWithData).db(), suite.siteWithData, new Date(Date.now() - 2 * 86_400_000), 1);
    await page.getByRole('button', { name: 'Refresh now' }).click();
    await page.locator('.visit').nth(17).waitFor();
    assert.equal(await page.locator('.visit').count(), 18);
    await page.close();
  });

  it('filters the visitor log by segment', async () => {
    const page = await openSignedIn(suite.hostWithData, 1280);
    await page.getByRole('link', { name: 'Visitor log' }).click();
    await page.locator('.visit').first().waitFor();
    const response = await callApi(suite.app, suite.hostWithData, {
      method: 'Live.getLastVisitsDetails', idSite: String(suite.siteWithData), filter_limit: '20', segment: 'browserCode==CH', token_auth: suite.tokenWithData,
    });
    assert.equal(response.statusCode, 200, response.body);
    const segmented = response.json() as { idVisit: number; browserCode: string }[];
    const total = await page.locator('.visit').count();
    assert.ok(segmented.length > 0, 'the seeded visits include Chrome visits');
    assert.ok(segmented.length < total, 'the segment leaves some visits out');
    assert.deepEqual([...new Set(segmented.map((visit) => visit.browserCode))], ['CH']);

    await page.getByRole('button', { name: /^Segment:/ }).click();
    await page.getByLabel('Dimension of condition 1').selectOption('browserCode');
    await page.getByLabel('Operator of condition 1').selectOption('==');
    await page.getByLabel('Value of condition 1').fill('CH');
    await page.getByRole('button', { name: 'Apply segment' }).click();
    await page.waitForFunction(`document.querySelectorAll('.visit').length === ${segmented.length}`, undefined, { timeout: WAIT_LIMIT_MS });
    assert.equal(await page.locator('.visit').count(), segmented.length);

    await page.getByRole('button', { name: /^Segment:/ }).click();
    await page.locator('input[name="segment-definition"]').fill('browserCode==OP');
    await page.getByRole('button', { name: 'Apply segment' }).click();
    await page.getByText('No visit matches the segment.').waitFor();
    assert.equal(await page.locator('.visit').count(), 0);
    assert.equal(await page.locator('.tracking-code').count(), 0);
    await page.close();
  });

  it('shows the tracking code in an empty visitor log', async () => {
    const page = await openSignedIn(suite.hostWithoutData, 1280);
    await page.getByRole('link', { name: 'Visitor log' }).click();
    await page.getByRole('heading', { name: `No visits recorded for Site of ${suite.hostWithoutData} yet` }).waitFor();
    const code = (await page.locator('.tracking-code').textContent()) ?? '';
    assert.match(code, /_paq/);
    assert.match(code, /^<!-- Footfall tracking code -->\n<script>/, 'the HTML entities of getJavascriptTag are decoded');
    assert.match(code, /_paq\.push\(\["trackPageView"\]\);/);
    assert.doesNotMatch(code, /&lt;|&quot;|&amp;/);
    await page.close();
  });

  it('adds a site and a goal as admin', async () => {
    const page = await openSignedIn(suite.hostWithoutData, 1280);
    const nav = page.getByRole('navigation', { name: 'Reports' });
    await nav.getByRole('link', { name: 'Sites', exact: true }).click();
    await page.getByRole('button', { name: 'Add a site' }).click();
    const siteForm = page.getByRole('form', { name: 'New site' });
    await siteForm.getByLabel('Name', { exact: true }).fill('Shop');
    await siteForm.getByLabel('URLs').fill('https://shop.example\nhttps://www.shop.example');
    await siteForm.getByLabel('Time zone').fill('Europe/Paris');
    await siteForm.getByLabel('Currency').fill('eur');
    await siteForm.getByLabel('E-commerce site').check();
    await siteForm.getByLabel('Excluded IP addresses').fill('192.0.2.0/24');
    await siteForm.getByRole('button', { name: 'Add site' }).click();
    assert.equal(await page.getByRole('status').textContent(), "Site 'Shop' added.");

    const sites = (await callApi(suite.app, suite.hostWithoutData, { method: 'SitesManager.getAllSites', token_auth: suite.tokenWithoutData })).json() as Record<string, Record<string, string>>;
    const shop = Object.values(sites).find((candidate) => candidate.name === 'Shop')!;
    assert.equal(shop.main_url, 'https://shop.example');
    assert.equal(shop.timezone, 'Europe/Paris');
    assert.equal(shop.currency, 'EUR');
    assert.equal(shop.ecommerce, '1');
    assert.equal(shop.excluded_ips, '192.0.2.0/24');

    await page.locator('.site-selector select').selectOption(shop.idsite!);
    await nav.getByRole('link', { name: 'Goals', exact: true }).click();
    await page.getByRole('heading', { name: 'Goals of Shop' }).waitFor();
    await page.getByRole('button', { name: 'Add a goal' }).click();
    const goalForm = page.getByRole('form', { name: 'New goal' });
    await goalForm.getByLabel('Name', { exact: true }).fill('Checkout');
    await goalForm.getByLabel('Pattern', { exact: true }).fill('/checkout/done');
    await goalForm.getByLabel('Default revenue').fill('12.5');
    await goalForm.getByRole('button', { name: 'Add goal' }).click();
    await page.getByRole('row', { name: /Checkout/ }).waitFor();

    const goals = (await callApi(suite.app, suite.hostWithoutData, { method: 'Goals.getGoals', idSite: shop.idsite!, token_auth: suite.tokenWithoutData })).json() as Record<string, Record<string, string>>;
    const goal = Object.values(goals)[0]!;
    assert.deepEqual(
      [goal.name, goal.match_attribute, goal.pattern, goal.pattern_type, goal.revenue],
      ['Checkout', 'url', '/checkout/done', 'contains', '12.5'],
    );
    await page.close();
  });

  it('adds a user and sets their role', async () => {
    const page = await openSignedIn(suite.hostWithoutData, 1280);
    await page.getByRole('navigation', { name: 'Reports' }).getByRole('link', { name: 'Users' }).click();
    const form = page.getByRole('form', { name: 'New user' });
    await form.getByLabel('Login').fill('analyst');
    await form.getByLabel('Email').fill('analyst@example.org');
    await form.getByLabel('Password').fill('analyst-password');
    await form.getByRole('button', { name: 'Add user' }).click();
    const role = page.getByLabel('Role of analyst');
    await role.waitFor();
    assert.equal(await role.inputValue(), 'view');

    await role.selectOption('write');
    await page.getByRole('status').filter({ hasText: "Role of 'analyst'" }).waitFor();
    const access = await callApi(suite.app, suite.hostWithoutData, { method: 'UsersManager.getSitesAccessFromUser', userLogin: 'analyst', token_auth: suite.tokenWithoutData });
    assert.deepEqual(access.json(), [{ site: String(suite.siteWithoutData), access: 'write' }]);
    await page.close();
  });

  it('hides administration from a viewer', async () => {
    const db = suite.root.registry.require(suite.hostWithData).db();
    await createUser(db, { login: 'viewer', password: 'viewer-password', email: 'viewer@example.org', superuser: false, passwordHashCost: 4 });
    await setRole(db, 'viewer', 'view', [suite.siteWithData]);
    await context.clearCookies();
    const page = await context.newPage();
    await page.goto(`http://${suite.hostWithData}:${suite.port}/`);
    await page.getByLabel('Login').fill('viewer');
    await page.getByLabel('Password').fill('viewer-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitForVisits(page, 12);
    const nav = page.getByRole('navigation', { name: 'Reports' });
    assert.equal(await nav.getByRole('heading', { name: 'Administration' }).count(), 0);
    assert.equal(await nav.getByRole('link', { name: 'Visitor log' }).count(), 1);
    await page.close();
  });

  it('creates a token and shows it once', async () => {
    const page = await openSignedIn(suite.hostWithoutData, 1280);
    await page.getByRole('navigation', { name: 'Reports' }).getByRole('link', { name: 'Tokens' }).click();
    await page.getByLabel('Description').fill('nightly export');
    await page.getByLabel('Your password').fill('secret-password');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.getByLabel('Created token').textContent()) ?? '';
    assert.match(token, /^[0-9a-f]{32}$/);
    const response = await callApi(suite.app, suite.hostWithoutData, { method: 'API.getMatomoVersion', token_auth: token }, { post: true });
    assert.equal(response.statusCode, 200);
    await page.close();
  });

  it('shows goal conversions with the API numbers', async () => {
    const added = await callApi(suite.app, suite.hostWithData, { method: 'Goals.addGoal', idSite: String(suite.siteWithData), name: 'Docs visit', matchAttribute: 'url', pattern: '/docs/', patternType: 'contains', token_auth: suite.tokenWithData }, { post: true });
    assert.equal(added.statusCode, 200, added.body);
    const page = await openSignedIn(suite.hostWithData, 1280);
    await page.getByRole('link', { name: 'Goals overview' }).click();
    await page.locator('.report-table tbody tr').nth(1).waitFor();
    const all = JSON.parse(await loadReport('Goals.get')) as Record<string, number | string> | [];
    const cells = await page.locator('.report-table tbody tr').first().locator('td').allTextContents();
    const expected = Array.isArray(all) ? ['0', '0', '0', '0'] : [all.nb_conversions, all.nb_visits_converted, all.conversion_rate, all.revenue].map(String);
    assert.deepEqual(cells, expected);
    assert.deepEqual(await page.locator('.report-table tbody th').allTextContents(), ['All goals', 'Docs visit']);
    await page.close();
  });

  it('fits a report and the segment editor into 360 px', async () => {
    const page = await openSignedIn(suite.hostWithData, 360);
    await page.getByText('Menu', { exact: true }).click();
    await page.getByRole('link', { name: 'Pages', exact: true }).click();
    await page.locator('.report-table tbody tr').first().waitFor();
    await page.getByRole('button', { name: /^Segment:/ }).click();
    const box = (await page.locator('.segment-editor').boundingBox())!;
    assert.ok(box.x >= 0, `segment editor starts at x=${box.x}`);
    assert.ok(box.x + box.width <= 360, `segment editor ends at x=${box.x + box.width}`);
    await page.screenshot({ path: resolve(SCREENSHOT_DIR, 'dashboard-report-360.png'), fullPage: true });
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    assert.equal(overflow, 0);
    await page.close();
  });

  it('reaches the period buttons by keyboard with a visible focus', async () => {
    const page = await openSignedIn(suite.hostWithData, 1280);
    let focused = '';
    for (let press = 0; press < 60 && focused !== 'period'; press += 1) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate<string>("document.activeElement?.name ?? ''");
    }
    assert.equal(focused, 'period');
    const outline = await page.evaluate<string>("getComputedStyle(document.activeElement.closest('label')).outlineStyle");
    assert.equal(outline, 'solid');

    await page.keyboard.press('ArrowRight');
    await page.locator('.date-button', { hasText: 'Week of' }).waitFor();
    assert.match(await page.evaluate<string>('window.location.hash'), /period=week/);
    await page.close();
  });

  it('steps to the previous and next day', async () => {
    const page = await openSignedIn(suite.hostWithData, 1280);
    const next = page.getByRole('button', { name: 'Next period' });
    assert.equal(await next.isDisabled(), true);
    const today = /date=([0-9-]+)/.exec(await page.evaluate<string>('window.location.hash'))![1]!;

    await page.getByRole('button', { name: 'Previous period' }).click();
    // waitForURL also matches hash changes and needs no eval, which the page's CSP blocks for a string waitForFunction.
    await page.waitForURL((url) => !url.hash.includes(`date=${today}`));
    const previous = /date=([0-9-]+)/.exec(await page.evaluate<string>('window.location.hash'))![1]!;
    assert.equal(Date.parse(`${today}T00:00:00Z`) - Date.parse(`${previous}T00:00:00Z`), 86_400_000);
    assert.equal(await next.isDisabled(), false);

    await next.click();
    await page.waitForURL((url) => url.hash.includes(`date=${today}`));
    assert.equal(await next.isDisabled(), true);
    await page.close();
  });

  it('picks a range with two clicks in the calendar', async () => {
    const page = await openSignedIn(suite.hostWithData, 1280);
    await page.getByText('Range', { exact: true }).click();
    await page.locator('.date-button').click();
    const days = page.locator('.popover button.day:not(.outside):not([disabled])');
    await days.first().waitFor();
    await page.screenshot({ path: resolve(SCREENSHOT_DIR, 'dashboard-calendar-1280.png') });
    const first = await days.nth(0).getAttribute('data-date');
    const second = await days.nth(1).getAttribute('data-date');
    await days.nth(1).click();
    await days.nth(0).click();
    await page.locator('.popover').waitFor({ state: 'detached' });
    assert.match(await page.evaluate<string>('window.location.hash'), new RegExp(`period=range&date=${first}%2C${second}`));

    await page.locator('.date-button').click();
    await page.locator('.popover').waitFor();
    await page.locator('h1').click();
    await page.locator('.popover').waitFor({ state: 'detached' });
    await page.close();
  });

  it('keeps the calendar inside 360 px', async () => {
    const page = await openSignedIn(suite.hostWithData, 360);
    await page.locator('.date-button').click();
    const box = (await page.locator('.popover').boundingBox())!;
    assert.ok(box.x >= 0, `popover starts at x=${box.x}`);
    assert.ok(box.x + box.width <= 360, `popover ends at x=${box.x + box.width}`);
    await page.screenshot({ path: resolve(SCREENSHOT_DIR, 'dashboard-calendar-360.png') });
    await page.close();
  });

  it('shows the empty state without data', async () => {
    const page = await openSignedIn(suite.hostWithoutData, 1280);
    await page.getByRole('heading', { name: `No visits recorded for Site of ${suite.hostWithoutData} yet` }).waitFor();
    await page.locator('.empty-state .tracking-code, .empty-state .notice').first().waitFor();
    const text = await page.locator('.empty-state').textContent();
    assert.ok(
      text!.includes('SitesManager.getJavascriptTag method is not available') || (await page.locator('.tracking-code').count()) === 1,
      `neither the tracking code nor the unavailable notice is shown: ${text}`,
    );
    await page.screenshot({ path: resolve(SCREENSHOT_DIR, 'dashboard-empty-1280.png'), fullPage: true });
    await page.close();
  });

  it('rejects a wrong password with a message', async () => {
    await context.clearCookies();
    const page = await context.newPage();
    await page.goto(`http://${suite.hostWithData}:${suite.port}/`);
    await page.setViewportSize({ width: 360, height: 640 });
    await page.getByLabel('Login').fill('admin');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.equal(await page.getByRole('alert').textContent(), 'Wrong login or password. Check both and try again.');
    await page.screenshot({ path: resolve(SCREENSHOT_DIR, 'dashboard-sign-in-360.png') });
    await page.close();
  });

  it('shows a public site without signing in', async () => {
    const page = await context.newPage();
    await page.goto(`http://${suite.publicHost}:${suite.port}/`);
    await page.getByRole('heading', { level: 1, name: `Site of ${suite.publicHost}` }).waitFor();
    await waitForVisits(page, 4);
    assert.equal(await page.getByRole('button', { name: 'Sign in' }).count(), 1);

    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Back to the public dashboard' }).click();
    await page.getByRole('heading', { level: 1, name: `Site of ${suite.publicHost}` }).waitFor();
    await page.close();
  });

  it('signs out and returns to the sign-in form', async () => {
    const page = await openSignedIn(suite.hostWithData, 1280);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Footfall' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to Footfall' }).waitFor();
    assert.equal(await page.getByLabel('Password').count(), 1);
    await page.close();
  });

  it('returns to sign-in when the session ends', async () => {
    const page = await openSignedIn(suite.hostWithData, 1280);
    await page.locator('.metric').first().waitFor();
    await suite.root.registry.get(suite.hostWithData as TenantHost)!.db().deleteFrom('session').execute();
    await page.getByText('Month', { exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in to Footfall' }).waitFor();
    assert.equal(await page.getByRole('status').textContent(), 'Your session has ended. Sign in again.');
    await page.close();
  });

  it('shows a range of more than five years', async () => {
    const page = await openSignedIn(suite.hostWithData, 1280);
    // The day overview has loaded once both show, so the listener below records only the range's calls.
    await page.locator('.metric').first().waitFor();
    await page.locator('.chart canvas').waitFor();
    // The seeded visits are from yesterday, so the range ends today to include them.
    const range = `2019-01-01,${new Date().toISOString().slice(0, 10)}`;
    // The API returns at most 1825 periods per request, so the graph of over five years goes week by week.
    const responses: string[] = [];
    page.on('response', (response) => {
      const url = new URL(response.url());
      if (url.searchParams.get('method') === 'VisitsSummary.get') responses.push(`${response.status()} ${url.searchParams.get('period')}`);
    });
    const isSummaryOf = (period: string) => (response: { url(): string }) => {
      const url = new URL(response.url());
      return url.searchParams.get('method') === 'VisitsSummary.get' && url.searchParams.get('period') === period;
    };
    // The first request archives every day, week and month since 2019, so it gets a longer bound than other waits.
    const rangeLoaded = page.waitForResponse(isSummaryOf('range'), { timeout: ARCHIVING_WAIT_LIMIT_MS });
    const weeksLoaded = page.waitForResponse(isSummaryOf('week'), { timeout: ARCHIVING_WAIT_LIMIT_MS });
    // A hash change, not a reload, because a reload's page request waited behind the range's archiving.
    await page.goto(`http://${suite.hostWithData}:${suite.port}/#period=range&date=${encodeURIComponent(range)}`);
    await rangeLoaded;
    await weeksLoaded;

    const expected = await loadSummary({ period: 'range', date: range });
    await waitForVisits(page, Number(expected.nb_visits));
    await page.locator('.chart canvas').waitFor();
    assert.deepEqual(responses.sort(), ['200 range', '200 week']);
    await page.close();
  });

  it('shows an uploaded logo on its tenant only', async () => {
    const page = await openSignedIn(suite.hostWithoutData, 1280);
    await page.getByRole('navigation', { name: 'Reports' }).getByRole('link', { name: 'Branding' }).click();
    await page.getByLabel('Product name').fill('Acme Insights');
    await page.locator('input[name="logo"]').setInputFiles({ name: '../../../etc/passwd.png', mimeType: 'image/png', buffer: LOGO_PNG });
    await page.getByRole('button', { name: 'Save branding' }).click();
    assert.equal(await page.getByRole('status').textContent(), 'Branding saved.');
    const headerLogo = page.locator('.top-bar img.logo');
    await headerLogo.waitFor();
    assert.equal(await headerLogo.getAttribute('src'), '/ui/logo.png');
    assert.equal(await headerLogo.evaluate((image: any) => image.decode().then(() => image.naturalWidth as number)), 1);
    assert.equal(await page.locator('.brand').textContent(), 'Acme Insights');
    assert.deepEqual(
      readdirSync(suite.root.registry.require(suite.hostWithoutData).paths.filesDir).filter((name) => /^(logo|branding)/.test(name)).sort(),
      ['branding.json', 'logo.png'],
    );

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Acme Insights' }).waitFor();
    assert.equal(await page.locator('img.logo').getAttribute('src'), '/ui/logo.png');
    await page.close();

    const other = await context.newPage();
    await other.goto(`http://${suite.hostWithData}:${suite.port}/`);
    await other.getByRole('heading', { name: 'Sign in to Footfall' }).waitFor();
    assert.equal(await other.locator('img.logo').count(), 0);
    const otherLogo = await suite.app.inject({ method: 'GET', url: '/ui/logo.png', headers: { host: suite.hostWithData } });
    assert.equal(otherLogo.statusCode, 404);
    await other.close();
  });

  it('sends no request to any other host', () => {
    const foreign = requestedUrls.filter((url) => !/^http:\/\/[a-z0-9]+\.test\.example:\d+\//.test(url));
    assert.deepEqual(foreign, []);
  });
});
