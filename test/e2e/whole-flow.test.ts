import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchTestBrowser, type TestBrowser } from '../support/browser.js';
import { startServerProcess, type ServerProcess } from '../support/console-process.js';
import { deleteAllTenants, runConsole, runConsoleJson, type ConsoleRun } from '../support/console-runner.js';
import { ensureDashboardBuilt } from '../support/dashboard-build.js';
import { engineSkip } from '../support/engines.js';
import { accessLog } from '../support/log-import.js';
import { startRecordingServer, type RecordingServer } from '../support/recording-server.js';
import { createTestRoot, uniqueHost, type TestRoot } from '../support/test-root.js';
import { ensureTrackerBundle } from '../support/tracker-bundle.js';

const require = createRequire(import.meta.url);
const MatomoTracker = require('matomo-tracker') as new (siteId: number, url: string) => {
  agent: unknown;
  track(options: Record<string, unknown>): void;
};

/** What `tenant:create --json` prints. */
interface CreatedTenant {
  host: string;
  idSite: number;
  login: string;
  password: string;
  tokenAuth: string;
  dbAdapter: string;
}

/** What `log:import --json` prints. */
interface ImportSummary {
  imported: number;
  skipped: Record<string, number>;
  invalid: number;
  invalidLines: string[];
  invalidReasons: { file: string; line: number; reason: string }[];
}

/** What `core:archive --all-tenants --json` prints. */
interface ArchiveSummary {
  tenants: { host: string; ok: boolean; data: { sites: { idSite: number; days: string[]; archives: number; status: string }[] } }[];
  succeeded: number;
  failed: number;
}

const PASSWORD = 'e2e-secret-password';
/** Upper bound of any single wait in the browser; a wait never decides a result by its duration. */
const WAIT_LIMIT_MS = 30_000;

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0';
const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

/** Tenant B's hits: one visitor each, so each is one visit with one pageview. */
const HITS_B = [
  { url: 'https://shop-b.example/products', ua: FIREFOX, cip: '192.0.2.10', urlref: 'https://www.google.com/search?q=garden+chairs' },
  { url: 'https://shop-b.example/contact', ua: SAFARI_IPHONE, cip: '198.51.100.7', urlref: 'https://news.example.com/story' },
  { url: 'https://shop-b.example/', ua: FIREFOX, cip: '203.0.113.5', urlref: '' },
] as const;

/** Origin of tenant A's test page; Chromium maps every host name to 127.0.0.1. */
const PAGE_ORIGIN_A = (port: number): string => `http://www.garden-a.example:${port}`;

// NOTE: a run that crosses midnight UTC tracks on two days, and the expected days are then wrong.
const TODAY = new Date().toISOString().slice(0, 10);

/** Reads the date (UTC, as `YYYY-MM-DD`) of the first request line of a common-format access log. */
function readLogDate(path: string): string {
  const match = /\[(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})\]/.exec(readFileSync(path, 'utf8'));
  assert.ok(match, `no common-format date in ${path}`);
  const [, day, month, year, hour, minute, second, offset] = match;
  const stamp = `${day} ${month} ${year} ${hour}:${minute}:${second} ${offset}`;
  return new Date(Date.parse(stamp)).toISOString().slice(0, 10);
}

/** Calls the Reporting API of the server process with the tenant's Host header and returns the parsed JSON. */
function callServerApi(port: number, host: string, params: Record<string, string>): Promise<{ status: number; body: any }> {
  const query = new URLSearchParams({ module: 'API', format: 'json', ...params }).toString();
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: `/index.php?${query}`, headers: { host } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => { text += chunk; });
      response.on('end', () => {
        try {
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) });
        } catch (error) {
          reject(new Error(`API returned ${response.statusCode} with a body that is not JSON: ${text.slice(0, 300)}`, { cause: error }));
        }
      });
    }).on('error', reject);
  });
}

/**
 * Builds an agent for matomo-tracker that sends each request to 127.0.0.1 with the URL's host in the
 * Host header, so a tenant name needs no DNS entry, and records the status of each response.
 */
function loopbackAgent(port: number): { agent: unknown; statuses: number[]; waitFor(count: number): Promise<void> } {
  const statuses: number[] = [];
  const waiters: (() => void)[] = [];
  const agent = {
    get(url: string, callback: (response: http.IncomingMessage) => void) {
      const target = new URL(url);
      return http.get({ host: '127.0.0.1', port, path: `${target.pathname}${target.search}`, headers: { host: target.hostname } }, (response) => {
        callback(response);
        response.resume();
        response.on('end', () => {
          statuses.push(response.statusCode ?? 0);
          for (const wake of waiters.splice(0)) wake();
        });
      });
    },
    request: http.request,
  };
  const waitFor = async (count: number): Promise<void> => {
    while (statuses.length < count) await new Promise<void>((wake) => waiters.push(wake));
  };
  return { agent, statuses, waitFor };
}

describe('whole flow as an operator runs it', async () => {
  const serverEngine = (await engineSkip('pgsql')) === false ? 'pgsql' : 'mysql';
  const skip = await engineSkip(serverEngine);
  let root: TestRoot;
  let server: ServerProcess;
  let pageServer: RecordingServer;
  let browser: TestBrowser;
  let tenantA: CreatedTenant;
  let tenantB: CreatedTenant;
  let logDate: string;
  let range: string;
  let importSummary: ImportSummary;
  let archiveRun: ConsoleRun;

  before(async () => {
    if (skip) return;
    await ensureTrackerBundle();
    await ensureDashboardBuilt();
    root = createTestRoot();
    // Reports must come from core:archive, so API requests may not compute archives themselves.
    // The common config written by createTestRoot ends in its [General] section.
    appendFileSync(join(root.dir, 'config', 'common.config.ini.php'), 'enable_browser_archiving_triggering = 0\n');

    const hostA = uniqueHost('a');
    const hostB = uniqueHost('b');
    tenantA = await runConsoleJson<CreatedTenant>(root, [
      'tenant:create', hostA, '--db-adapter=sqlite', `--superuser-password=${PASSWORD}`, `--site-url=http://${hostA}`, '--site-name=Site A',
    ]);
    tenantB = await runConsoleJson<CreatedTenant>(root, [
      'tenant:create', hostB, `--db-adapter=${serverEngine}`, `--superuser-password=${PASSWORD}`, '--site-url=https://shop-b.example', '--site-name=Site B',
    ]);

    server = await startServerProcess(root.dir);
    pageServer = await startRecordingServer();
    browser = await launchTestBrowser();

    await trackInBrowserForA();
    await trackWithNpmClientForB();

    logDate = readLogDate(accessLog('common.log'));
    importSummary = await runConsoleJson<ImportSummary>(root, [
      'log:import', `--matomo-domain=${tenantA.host}`, '--idsite=1', '--enable-http-redirects', accessLog('common.log'), accessLog('ncsa_extended.log'),
    ]);
    range = `${logDate},${TODAY}`;

    archiveRun = await runConsole(root, ['core:archive', '--all-tenants', '--json']);
  });

  after(async () => {
    await browser?.close();
    await pageServer?.close();
    await server?.stop();
    if (root) await deleteAllTenants(root);
  });

  /**
   * Opens a page of the test's own server that loads A's tracker and sends a pageview and an
   * event. The tracker sends both in one bulk beacon, so the test waits for that one response.
   */
  async function trackInBrowserForA(): Promise<void> {
    const footfall = `http://${tenantA.host}:${server.port}`;
    pageServer.setPage('/garden.html', `<!doctype html><html><head><title>Garden tools</title><script>
      var _paq = window._paq = window._paq || [];
      _paq.push(['setTrackerUrl', '${footfall}/matomo.php']);
      _paq.push(['setSiteId', '${tenantA.idSite}']);
      _paq.push(['trackPageView']);
      _paq.push(['trackEvent', 'Video', 'Play', 'Intro']);
    </script><script async src="${footfall}/matomo.js"></script></head><body>Garden tools</body></html>`);

    const page = await browser.context.newPage();
    const trackingResponse = page.waitForResponse((response) => response.url() === `${footfall}/matomo.php`, { timeout: WAIT_LIMIT_MS });
    await page.goto(`${PAGE_ORIGIN_A(pageServer.port)}/garden.html`);
    const response = await trackingResponse;
    // A bulk body with "send_image": 0 gets 204 and no body, as in Matomo's BulkTracking.
    assert.equal(response.status(), 204);
    await page.close();
  }

  /** Sends HITS_B with the npm matomo-tracker client, each with B's token so `cip` is accepted. */
  async function trackWithNpmClientForB(): Promise<void> {
    const tracker = new MatomoTracker(tenantB.idSite, `http://${tenantB.host}/matomo.php`);
    const loopback = loopbackAgent(server.port);
    tracker.agent = loopback.agent;
    for (const hit of HITS_B) {
      tracker.track({ ...hit, action_name: `Page ${new URL(hit.url).pathname}`, token_auth: tenantB.tokenAuth });
    }
    await loopback.waitFor(HITS_B.length);
    // matomo-tracker sends GET requests without send_image=0, so each gets 200 and the GIF.
    assert.deepEqual(loopback.statuses, [200, 200, 200]);
  }

  /** Calls a report of the tenant's first site for the whole test range with the tenant's own token. */
  function api(tenant: CreatedTenant, method: string, extra: Record<string, string> = {}) {
    return callServerApi(server.port, tenant.host, {
      method, idSite: String(tenant.idSite), period: 'range', date: range, token_auth: tenant.tokenAuth, ...extra,
    });
  }

  /** Returns the rows of a report as `{label, nb_visits}`, sorted by label. */
  async function visitsByLabel(tenant: CreatedTenant, method: string): Promise<{ label: string; nb_visits: number }[]> {
    const response = await api(tenant, method);
    assert.equal(response.status, 200, `${method}: ${JSON.stringify(response.body)}`);
    const rows = response.body as { label: string; nb_visits: number }[];
    return rows.map(({ label, nb_visits }) => ({ label, nb_visits })).sort((left, right) => left.label.localeCompare(right.label));
  }

  it('creates the tenants on their engines', { skip }, () => {
    assert.equal(tenantA.dbAdapter, 'sqlite');
    assert.equal(tenantB.dbAdapter, serverEngine);
    assert.equal(tenantA.idSite, 1);
    assert.equal(tenantB.idSite, 1);
  });

  it('imports both log lines as redirects', { skip }, () => {
    assert.equal(logDate, '2012-02-10');
    assert.deepEqual(importSummary, { imported: 2, skipped: {}, invalid: 0, invalidLines: [], invalidReasons: [] });
  });

  it('archives the tracked days of both tenants', { skip }, () => {
    assert.equal(archiveRun.code, 0, `core:archive failed: ${archiveRun.stderr}`);
    const summary = JSON.parse(archiveRun.stdout) as ArchiveSummary;
    const byHost = Object.fromEntries(summary.tenants.map((tenant) => [tenant.host, tenant]));
    // Each tracked day gets its day, week, month and year archive.
    assert.deepEqual(byHost[tenantA.host]?.data.sites.map(({ idSite, days, archives, status }) => ({ idSite, days, archives, status })), [
      { idSite: 1, days: [logDate, TODAY], archives: 8, status: 'archived' },
    ]);
    assert.deepEqual(byHost[tenantB.host]?.data.sites.map(({ idSite, days, archives, status }) => ({ idSite, days, archives, status })), [
      { idSite: 1, days: [TODAY], archives: 4, status: 'archived' },
    ]);
    assert.equal(summary.succeeded, 2);
    assert.equal(summary.failed, 0);
  });

  it('sums visits and actions per tenant', { skip }, async () => {
    // A: the browser visit has a pageview and an event. The two log lines share an IP
    // address but not a user agent, so they are two visits of one pageview each.
    const summaryA = await api(tenantA, 'VisitsSummary.get', { showColumns: 'nb_visits,nb_actions,bounce_count,max_actions' });
    assert.deepEqual(summaryA.body, { nb_visits: 3, nb_actions: 4, bounce_count: 2, max_actions: 2 });

    const summaryB = await api(tenantB, 'VisitsSummary.get', { showColumns: 'nb_visits,nb_actions,bounce_count,max_actions' });
    assert.deepEqual(summaryB.body, { nb_visits: HITS_B.length, nb_actions: HITS_B.length, bounce_count: HITS_B.length, max_actions: 1 });
  });

  it('lists page URLs per tenant', { skip }, async () => {
    const pagesA = await api(tenantA, 'Actions.getPageUrls', { flat: '1' });
    assert.deepEqual(
      (pagesA.body as { label: string; nb_hits: number; nb_visits: number; url: string }[]).map(({ label, nb_hits, nb_visits, url }) => ({ label, nb_hits, nb_visits, url })),
      [
        { label: '/', nb_hits: 2, nb_visits: 2, url: `http://${tenantA.host}/` },
        { label: '/garden.html', nb_hits: 1, nb_visits: 1, url: `${PAGE_ORIGIN_A(pageServer.port)}/garden.html` },
      ],
    );

    const pagesB = await api(tenantB, 'Actions.getPageUrls', { flat: '1' });
    const urlsB = (pagesB.body as { url: string; nb_hits: number }[]).map(({ url, nb_hits }) => ({ url, nb_hits })).sort((left, right) => left.url.localeCompare(right.url));
    assert.deepEqual(urlsB, HITS_B.map(({ url }) => ({ url, nb_hits: 1 })).sort((left, right) => left.url.localeCompare(right.url)));
  });

  it('splits visits by referrer type', { skip }, async () => {
    assert.deepEqual(await visitsByLabel(tenantA, 'Referrers.getReferrerType'), [{ label: 'Direct Entry', nb_visits: 3 }]);
    assert.deepEqual(await visitsByLabel(tenantB, 'Referrers.getReferrerType'), [
      { label: 'Direct Entry', nb_visits: 1 },
      { label: 'Search Engines', nb_visits: 1 },
      { label: 'Websites', nb_visits: 1 },
    ]);
  });

  it('splits visits by browser', { skip }, async () => {
    // The common log line has no user agent, so its browser is unknown.
    assert.deepEqual(await visitsByLabel(tenantA, 'DevicesDetection.getBrowsers'), [
      { label: 'Chrome', nb_visits: 1 },
      { label: 'Headless Chrome', nb_visits: 1 },
      { label: 'Unknown', nb_visits: 1 },
    ]);
    assert.deepEqual(await visitsByLabel(tenantB, 'DevicesDetection.getBrowsers'), [
      { label: 'Firefox', nb_visits: 2 },
      { label: 'Mobile Safari', nb_visits: 1 },
    ]);
  });

  it('splits visits by country', { skip }, async () => {
    // 127.0.0.1 and the log's 1.2.3.4 are outside the demo database's ranges.
    assert.deepEqual(await visitsByLabel(tenantA, 'UserCountry.getCountry'), [{ label: 'Unknown', nb_visits: 3 }]);
    assert.deepEqual(await visitsByLabel(tenantB, 'UserCountry.getCountry'), [
      { label: 'France', nb_visits: 1 },
      { label: 'Germany', nb_visits: 1 },
      { label: 'Japan', nb_visits: 1 },
    ]);
  });

  it('shows each visit in Live details', { skip }, async () => {
    const liveA = await api(tenantA, 'Live.getLastVisitsDetails', { filter_sort_order: 'asc' });
    const visitsA = liveA.body as { serverDate: string; actionDetails: { type: string; url: string; eventCategory?: string }[] }[];
    assert.deepEqual(
      visitsA.map((visit) => ({ date: visit.serverDate, actions: visit.actionDetails.map((action) => `${action.type} ${action.url}`) })).sort((left, right) => left.date.localeCompare(right.date)),
      [
        { date: logDate, actions: [`action http://${tenantA.host}/`] },
        { date: logDate, actions: [`action http://${tenantA.host}/`] },
        { date: TODAY, actions: [`action ${PAGE_ORIGIN_A(pageServer.port)}/garden.html`, `event ${PAGE_ORIGIN_A(pageServer.port)}/garden.html`] },
      ],
    );

    const liveB = await api(tenantB, 'Live.getLastVisitsDetails');
    const visitsB = liveB.body as { countryCode: string; browserName: string; referrerType: string; actionDetails: { url: string }[] }[];
    assert.deepEqual(
      visitsB.map((visit) => ({ url: visit.actionDetails[0]!.url, country: visit.countryCode, browser: visit.browserName, referrer: visit.referrerType }))
        .sort((left, right) => left.url.localeCompare(right.url)),
      [
        { url: 'https://shop-b.example/', country: 'de', browser: 'Firefox', referrer: 'direct' },
        { url: 'https://shop-b.example/contact', country: 'jp', browser: 'Mobile Safari', referrer: 'website' },
        { url: 'https://shop-b.example/products', country: 'fr', browser: 'Firefox', referrer: 'search' },
      ],
    );
  });

  it('keeps each tenant out of the other', { skip }, async () => {
    const bTokenOnA = await callServerApi(server.port, tenantA.host, { method: 'VisitsSummary.get', idSite: '1', period: 'range', date: range, token_auth: tenantB.tokenAuth });
    assert.equal(bTokenOnA.status, 401);
    assert.equal(bTokenOnA.body.result, 'error');
    assert.equal(bTokenOnA.body.code, 'TOKEN_INVALID');
    const aTokenOnB = await callServerApi(server.port, tenantB.host, { method: 'VisitsSummary.get', idSite: '1', period: 'range', date: range, token_auth: tenantA.tokenAuth });
    assert.equal(aTokenOnB.status, 401);
    assert.equal(aTokenOnB.body.result, 'error');
    assert.equal(aTokenOnB.body.code, 'TOKEN_INVALID');

    for (const method of ['Actions.getPageUrls', 'Live.getLastVisitsDetails']) {
      const textA = JSON.stringify((await api(tenantA, method, { flat: '1' })).body);
      assert.equal(textA.includes('shop-b.example'), false, `${method} of A shows a URL of B`);
      const textB = JSON.stringify((await api(tenantB, method, { flat: '1' })).body);
      assert.equal(textB.includes('garden-a.example') || textB.includes(tenantA.host), false, `${method} of B shows a URL of A`);
    }
  });

  it('shows the API visit count on the dashboard', { skip }, async () => {
    const summary = await api(tenantA, 'VisitsSummary.get');
    const page = await browser.context.newPage();
    await page.goto(`http://${tenantA.host}:${server.port}/`);
    await page.getByLabel('Login').fill(tenantA.login);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Site A' }).waitFor({ timeout: WAIT_LIMIT_MS });

    await page.goto(`http://${tenantA.host}:${server.port}/#idSite=1&period=range&date=${encodeURIComponent(range)}`);
    await page.reload();
    const visits = page.locator('.metric', { hasText: 'Visits' }).first().locator('dd');
    await visits.waitFor({ timeout: WAIT_LIMIT_MS });
    assert.equal(await visits.textContent(), String(summary.body.nb_visits));
    assert.equal(await visits.textContent(), '3');
    assert.match(await page.evaluate<string>('window.location.hash'), new RegExp(`period=range&date=${logDate}%2C${TODAY}`));
    await page.close();
  });
});
