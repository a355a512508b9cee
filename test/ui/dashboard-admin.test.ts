import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createUser, setRole } from '../../src/auth/user-store.js';
import { readEnvironment } from '../../src/config/environment.js';
import { ensureDashboardBuilt } from '../support/dashboard-build.js';
import { callApi } from '../support/api-client.js';
import { CHROMIUM_PATH } from '../support/browser.js';
import { buildDashboardServer, seedVisits } from '../support/dashboard-server.js';
import { createTestTenant } from '../support/test-root.js';
import { useTestRoot } from '../support/suite-root.js';

/** Upper bound of any single wait in the browser; a wait never decides a result by its duration. */
const WAIT_LIMIT_MS = 15_000;
/** An address of the built-in demo geolocation table (203.0.113.0/24, placed in Germany). */
const TRACKED_IP = '203.0.113.50';
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0';
/** Folder of the screenshots, kept for a person to look at; no test compares them. */
const SCREENSHOT_DIR = resolve(readEnvironment().codeRoot, 'test-output');

// Browser-side expressions are passed as strings, because the test build has no DOM types.

describe('dashboard settings, site admins, evolution and e-commerce in Chromium', () => {
  let context: BrowserContext;
  let profileDir: string;
  let visitorSequence = 0;

  // Registered before useTestRoot's hooks, so the browser closes before the server does.
  after(async () => {
    await context?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  const suite = useTestRoot(async (root) => {
    await ensureDashboardBuilt();
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const tenant = await createTestTenant(root);
    const host = tenant.host;
    const token = tenant.tokenAuth;
    const siteId = tenant.idSite;
    const db = root.registry.require(host).db();
    await seedVisits(db, siteId, new Date(), 12);
    await seedVisits(db, siteId, new Date(Date.now() - 86_400_000), 5);

    const app = await buildDashboardServer(root);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    const added = await callApi(app, host, { method: 'SitesManager.addSite', siteName: 'Other site', urls: 'https://other.example', token_auth: token });
    const otherSiteId = (added.json() as { value: number }).value;
    await createUser(db, { login: 'siteadmin', password: 'siteadmin-password', email: 'siteadmin@example.org', superuser: false, passwordHashCost: 4 });
    await setRole(db, 'siteadmin', 'admin', [siteId]);
    await setRole(db, 'siteadmin', 'view', [otherSiteId]);
    await createUser(db, { login: 'helper', password: 'helper-password', email: 'helper@example.org', superuser: false, passwordHashCost: 4 });
    await setRole(db, 'helper', 'view', [siteId]);

    profileDir = mkdtempSync(join(tmpdir(), 'footfall-chromium-'));
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM_PATH, headless: true, timeout: WAIT_LIMIT_MS, timezoneId: 'UTC',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync',
        // Test hosts resolve to the local server; every other name fails, so nothing leaves the machine.
        '--host-resolver-rules=MAP *.test.example 127.0.0.1, MAP * ~NOTFOUND',
      ],
    });
    context.setDefaultTimeout(WAIT_LIMIT_MS);
    return { host, token, siteId, app, port, otherSiteId };
  });

  async function openSignedIn(login: string, password: string, width: number, hash = ''): Promise<Page> {
    await context.clearCookies();
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`http://${suite.host}:${suite.port}/${hash}`);
    await page.getByLabel('Login').fill(login);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: `Site of ${suite.host}` }).waitFor();
    return page;
  }

  async function openAdminPage(page: Page, name: string): Promise<void> {
    await page.getByRole('navigation', { name: 'Reports' }).getByRole('link', { name, exact: true }).click();
  }

  /** Tracks one pageview of a new visitor from TRACKED_IP and returns the IP address stored for it. */
  async function trackAndReadIp(): Promise<string | undefined> {
    visitorSequence += 1;
    const visitorId = `ab${visitorSequence.toString(16).padStart(14, '0')}`;
    const query = new URLSearchParams({ idsite: String(suite.siteId), rec: '1', cid: visitorId, url: `https://${suite.host}/`, cip: TRACKED_IP, token_auth: suite.token });
    const response = await suite.app.inject({ method: 'GET', url: `/matomo.php?${query}`, headers: { host: suite.host, 'user-agent': FIREFOX } });
    assert.equal(response.statusCode, 200, response.body);
    const db = suite.root.registry.require(suite.host).db();
    const visit = await db.selectFrom('log_visit').select('location_ip').where('idvisitor', '=', visitorId).executeTakeFirst();
    return visit?.location_ip;
  }

  /** Clicks the anonymisation form's save button and waits for the server's response to the save. */
  async function saveAnonymisation(page: Page): Promise<void> {
    const saved = page.waitForResponse((response) => response.url().includes('method=PrivacyManager.setAnonymizeIpSettings'));
    await page.getByRole('form', { name: 'IP anonymisation' }).getByRole('button', { name: 'Save IP anonymisation' }).click();
    assert.equal((await saved).status(), 200);
  }

  it('privacy page changes the stored IP', async () => {
    assert.equal(await trackAndReadIp(), '203.0.0.0');
    const page = await openSignedIn('admin', 'secret-password', 1280);
    await openAdminPage(page, 'Privacy');
    const form = page.getByRole('form', { name: 'IP anonymisation' });
    assert.equal(await form.getByLabel('Bytes masked').inputValue(), '2');
    await page.screenshot({ path: resolve(SCREENSHOT_DIR, 'dashboard-privacy-1280.png'), fullPage: true });
    await form.getByLabel('Bytes masked').selectOption('1');
    await saveAnonymisation(page);
    await page.getByRole('status').filter({ hasText: 'IP anonymisation settings saved' }).waitFor();
    assert.equal(await trackAndReadIp(), '203.0.113.0');

    await form.getByLabel(/Anonymise visitor IP addresses/).uncheck();
    assert.equal(await form.getByLabel('Bytes masked').isDisabled(), true);
    // The status still shows the first save's message, so only the response shows that this save ended.
    await saveAnonymisation(page);
    assert.equal(await trackAndReadIp(), TRACKED_IP);

    const dnt = page.getByRole('form', { name: 'Do Not Track' });
    await dnt.getByLabel(/Honour Do Not Track/).check();
    await dnt.getByRole('button', { name: 'Save Do Not Track' }).click();
    await page.getByRole('status').filter({ hasText: 'Do Not Track is now honoured.' }).waitFor();
    const support = await callApi(suite.app, suite.host, { method: 'PrivacyManager.hasDoNotTrackSupport', token_auth: suite.token });
    assert.deepEqual(support.json(), { value: true });
    await page.close();
  });

  it('privacy page fits 360 px and keyboard', async () => {
    // The previous test leaves anonymisation off, which disables the select this test focuses.
    const enabled = await callApi(suite.app, suite.host, { method: 'PrivacyManager.setAnonymizeIpSettings', anonymizeIPEnable: '1', maskLength: '2', token_auth: suite.token });
    assert.equal(enabled.statusCode, 200, enabled.body);
    const page = await openSignedIn('admin', 'secret-password', 360);
    await page.getByText('Menu', { exact: true }).click();
    await openAdminPage(page, 'Privacy');
    const save = page.getByRole('button', { name: 'Save IP anonymisation' });
    await save.waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    await page.screenshot({ path: resolve(SCREENSHOT_DIR, 'dashboard-privacy-360.png'), fullPage: true });
    assert.equal(overflow, 0);

    await page.getByLabel('Bytes masked').focus();
    let focusedName = '';
    for (let step = 0; step < 6 && focusedName !== 'Save IP anonymisation'; step += 1) {
      await page.keyboard.press('Tab');
      focusedName = await page.evaluate<string>('document.activeElement ? document.activeElement.textContent : ""');
    }
    assert.equal(focusedName, 'Save IP anonymisation');
    assert.equal(await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle'), 'solid');
    await page.close();
  });

  it('general settings set the default period', async () => {
    const page = await openSignedIn('admin', 'secret-password', 1280);
    await openAdminPage(page, 'General settings');
    const form = page.getByRole('form', { name: 'General settings' });
    await page.screenshot({ path: resolve(SCREENSHOT_DIR, 'dashboard-general-1280.png'), fullPage: true });
    await form.getByLabel('Default period').selectOption('month');
    await form.getByLabel('Seconds before today\'s reports are computed again').fill('120');
    await form.getByRole('button', { name: 'Save general settings' }).click();
    await page.getByRole('status').filter({ hasText: 'General settings saved.' }).waitFor();
    const saved = (await callApi(suite.app, suite.host, { method: 'CoreAdminHome.getGeneralSettings', token_auth: suite.token })).json() as Record<string, unknown>;
    assert.equal(saved.defaultReportPeriod, 'month');
    assert.equal(saved.todayArchiveTimeToLive, 120);

    await page.goto(`http://${suite.host}:${suite.port}/`);
    // waitForURL also matches hash changes and needs no eval, which the page's CSP blocks for a string waitForFunction.
    await page.waitForURL((url) => url.hash.includes('period=month'));
    assert.match(await page.evaluate<string>('window.location.hash'), /period=month/);
    await callApi(suite.app, suite.host, { method: 'CoreAdminHome.setGeneralSettings', defaultReportPeriod: 'day', token_auth: suite.token });
    await page.close();
  });

  it('site admin manages only its sites', async () => {
    const page = await openSignedIn('siteadmin', 'siteadmin-password', 1280);
    const nav = page.getByRole('navigation', { name: 'Reports' });
    await nav.getByRole('heading', { name: 'Administration' }).waitFor();
    for (const superuserPage of ['Privacy', 'General settings', 'Branding']) {
      assert.equal(await nav.getByRole('link', { name: superuserPage, exact: true }).count(), 0, superuserPage);
    }

    await openAdminPage(page, 'Sites');
    await page.getByRole('button', { name: `Edit Site of ${suite.host}` }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Edit Other site' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Add a site' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /^Delete/ }).count(), 0);
    await page.getByRole('button', { name: `Edit Site of ${suite.host}` }).click();
    await page.screenshot({ path: resolve(SCREENSHOT_DIR, 'dashboard-site-admin-1280.png'), fullPage: true });
    await page.getByRole('form', { name: `Site ${suite.siteId}` }).getByLabel('Excluded user agents').fill('MonitoringBot');
    await page.getByRole('button', { name: 'Save site' }).click();
    await page.getByRole('status').filter({ hasText: 'saved' }).waitFor();
    const site = (await callApi(suite.app, suite.host, { method: 'SitesManager.getSiteFromId', idSite: String(suite.siteId), token_auth: suite.token })).json() as Record<string, string>;
    assert.equal(site.excluded_user_agents, 'MonitoringBot');

    await openAdminPage(page, 'Users');
    const role = page.getByLabel('Role of helper');
    await role.waitFor();
    assert.equal(await role.inputValue(), 'view');
    assert.equal(await page.getByRole('button', { name: /^Delete/ }).count(), 0);
    await role.selectOption('write');
    await page.getByRole('status').filter({ hasText: "Role of 'helper'" }).waitFor();
    const roles = (await callApi(suite.app, suite.host, { method: 'UsersManager.getSitesAccessFromUser', userLogin: 'helper', token_auth: suite.token })).json();
    assert.deepEqual(roles, [{ site: String(suite.siteId), access: 'write' }]);

    await page.locator('.site-selector select').selectOption(String(suite.otherSiteId));
    await page.getByText('You do not administer Other site.', { exact: false }).waitFor();
    await page.close();
  });

  it('viewer sees no administration', async () => {
    const page = await openSignedIn('helper', 'helper-password', 1280);
    await page.locator('.metric').first().waitFor();
    const nav = page.getByRole('navigation', { name: 'Reports' });
    assert.equal(await nav.getByRole('heading', { name: 'Administration' }).count(), 0);
    await page.close();
  });

  it('report evolution graph matches the API', async () => {
    const page = await openSignedIn('admin', 'secret-password', 1280);
    await page.getByRole('navigation', { name: 'Reports' }).getByRole('link', { name: 'Browsers', exact: true }).click();
    await page.locator('.report-table tbody tr').first().waitFor();
    await page.getByRole('button', { name: 'Show the evolution graph' }).click();
    const panel = page.locator('.report-evolution');
    await panel.locator('.chart canvas').waitFor();
    const rowLabel = await panel.getByLabel('Row').inputValue();
    assert.notEqual(rowLabel, '');

    // By role, because the chart's aria-label also contains the word "periods".
    await panel.getByRole('combobox', { name: 'Periods' }).selectOption('7');
    await panel.locator('figcaption').filter({ hasText: `Visits of ${rowLabel}` }).waitFor();
    await panel.getByRole('img', { name: `Visits of ${rowLabel} over 7 periods`, exact: false }).waitFor();
    await panel.getByText('Show as a table').click();
    assert.equal(await panel.locator('tbody tr').count(), 7);
    const cells = await panel.locator('tbody tr td:nth-child(2)').allTextContents();
    await page.screenshot({ path: resolve(SCREENSHOT_DIR, 'dashboard-evolution-1280.png'), fullPage: true });

    const evolution = (await callApi(suite.app, suite.host, {
      method: 'DevicesDetection.getBrowsers', idSite: String(suite.siteId), period: 'day', date: 'last7', label: rowLabel, token_auth: suite.token,
    })).json() as Record<string, { nb_visits: number }[]>;
    const expected = Object.values(evolution).map((rows) => String(rows[0]?.nb_visits ?? 0));
    assert.deepEqual(cells, expected);
    assert.ok(expected.slice(-2).every((value) => Number(value) > 0), 'seeded visits of today and yesterday');

    await panel.getByLabel('Row').selectOption('');
    await panel.locator('figcaption').filter({ hasText: /^Visits over time$/ }).waitFor();
    // All rows of Browsers add up to every visit of the day, which includes the 12 seeded and those tracked by earlier tests.
    const summary = (await callApi(suite.app, suite.host, { method: 'VisitsSummary.get', idSite: String(suite.siteId), period: 'day', date: 'today', token_auth: suite.token })).json() as { nb_visits: number };
    assert.ok(summary.nb_visits >= 12, `visits today: ${summary.nb_visits}`);
    await panel.locator('tbody tr:last-child td:nth-child(2)').filter({ hasText: new RegExp(`^${summary.nb_visits}$`) }).waitFor();
    await page.close();
  });

  it('e-commerce page shows orders and products', async () => {
    const page = await openSignedIn('admin', 'secret-password', 1280);
    await page.getByRole('navigation', { name: 'Reports' }).getByRole('link', { name: 'E-commerce overview' }).click();
    await page.getByRole('main').getByRole('heading', { level: 2, name: 'E-commerce' }).waitFor();
    await page.locator('.metric[data-metric="nb_conversions"] dd').first().waitFor();
    assert.equal(await page.locator('dl[aria-label="Orders"] .metric[data-metric="nb_conversions"] dd').textContent(), '0');

    assert.equal(await page.locator('dl[aria-label="Abandoned carts"] .metric[data-metric="nb_conversions"] dd').textContent(), '0');
    await page.getByText('No product was sold in this period and segment.').waitFor();
    await page.screenshot({ path: resolve(SCREENSHOT_DIR, 'dashboard-ecommerce-1280.png'), fullPage: true });
    await page.getByLabel('Products by').selectOption('Goals.getItemsCategory');
    assert.equal(await page.getByRole('alert').count(), 0);
    await page.close();
  });

  it('new pages fit 360 px', async () => {
    const page = await openSignedIn('admin', 'secret-password', 360);
    const pages: [link: string, heading: string, file: string][] = [
      ['General settings', 'General settings', 'general'],
      ['Sites', 'Sites', 'sites'],
      ['Users', `Users and their access to Site of ${suite.host}`, 'users'],
      ['E-commerce overview', 'E-commerce', 'ecommerce'],
    ];
    for (const [link, heading, file] of pages) {
      await page.getByText('Menu', { exact: true }).click();
      await openAdminPage(page, link);
      await page.getByRole('main').getByRole('heading', { level: 2, name: heading }).waitFor();
      await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' });
      await page.screenshot({ path: resolve(SCREENSHOT_DIR, `dashboard-${file}-360.png`), fullPage: true });
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      assert.equal(overflow, 0, link);
    }

    await page.getByText('Menu', { exact: true }).click();
    await openAdminPage(page, 'Browsers');
    await page.locator('.report-table tbody tr').first().waitFor();
    await page.getByRole('button', { name: 'Show the evolution graph' }).click();
    await page.locator('.report-evolution .chart canvas').waitFor();
    await page.screenshot({ path: resolve(SCREENSHOT_DIR, 'dashboard-evolution-360.png'), fullPage: true });
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    assert.equal(overflow, 0, 'Browsers evolution');
    await page.close();
  });
});
