import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import type { OptionValues } from '../../src/cli/command-definition.js';
import type { Database } from '../../src/db/schema.js';
import { deleteAllTenants } from '../support/console-runner.js';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { accessLog, runLogImport } from '../support/log-import.js';
import { createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';
import { actionOf, tenantDb } from '../support/tracking.js';

/** URL prefixes of `log_action.url_prefix`, as Matomo numbers them. */
const URL_PREFIXES = ['http://', 'http://www.', 'https://', 'https://www.'];

/** One stored action with its visit, in readable form. */
interface StoredHit {
  url: string | null;
  title: string | null;
  urlType: number | null;
  serverTime: string;
  browser: string | null;
  refererUrl: string | null;
  eventCategory: string | null;
  eventAction: string | null;
}

async function readableUrl(db: Kysely<Database>, idaction: number | null): Promise<{ url: string | null; type: number | null }> {
  const action = await actionOf(db, idaction);
  if (!action) return { url: null, type: null };
  return { url: `${action.url_prefix === null ? '' : URL_PREFIXES[action.url_prefix]}${action.name}`, type: action.type };
}

async function loadStoredHits(db: Kysely<Database>): Promise<StoredHit[]> {
  const rows = await db.selectFrom('log_link_visit_action as a').innerJoin('log_visit as v', 'v.idvisit', 'a.idvisit')
    .select(['a.idaction_url', 'a.idaction_name', 'a.server_time', 'a.idaction_event_category', 'a.idaction_event_action', 'v.config_browser_name', 'v.referer_url'])
    .orderBy('a.idlink_va').execute();
  const hits: StoredHit[] = [];
  for (const row of rows) {
    const url = await readableUrl(db, row.idaction_url);
    hits.push({
      url: url.url, urlType: url.type,
      title: (await actionOf(db, row.idaction_name))?.name ?? null,
      serverTime: String(row.server_time),
      browser: row.config_browser_name,
      refererUrl: row.referer_url,
      eventCategory: (await actionOf(db, row.idaction_event_category))?.name ?? null,
      eventAction: (await actionOf(db, row.idaction_event_action))?.name ?? null,
    });
  }
  return hits;
}

for (const adapter of ALL_ENGINES) {
  describe(`log:import stored hits on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    let root: TestRoot;

    before(() => {
      root = createTestRoot();
    });

    after(async () => {
      // Deleting the tenants drops their MariaDB or PostgreSQL databases and users.
      await deleteAllTenants(root);
    });

    async function importSample(file: string, options: OptionValues): Promise<StoredHit[]> {
      const tenant = await createTestTenant(root, { adapter, timezone: 'UTC', siteUrl: 'https://www.example.com' });
      await runLogImport(root, tenant.host, [accessLog(file)], { idsite: '1', ...options });
      return loadStoredHits(tenantDb(root, tenant.host));
    }

    test('combined line stores url, time and browser', async () => {
      const [hit, ...rest] = await importSample('common_complete.log', { enableHttpRedirects: true });
      assert.equal(rest.length, 0);
      // The line names the host but no scheme, so the scheme of the site's main URL applies.
      assert.equal(hit?.url, 'https://www.example.com/');
      assert.equal(hit?.urlType, 1);
      // 16:42:07 -0500 is 21:42:07 UTC.
      assert.equal(hit?.serverTime, '2012-02-10 21:42:07');
      assert.equal(hit?.browser, 'CH');
    });

    test('gandi line stores its referrer', async () => {
      const hits = await importSample('gandi.log', {});
      assert.equal(hits.length, 1);
      assert.equal(hits[0]?.url, 'https://www.example.com/');
      assert.equal(hits[0]?.browser, 'FF');
      assert.equal(hits[0]?.serverTime, '2012-02-10 21:42:07');
    });

    test('cloudfront line decodes the user agent', async () => {
      const [hit] = await importSample('amazon_cloudfront_web.log', {});
      assert.equal(hit?.url, 'https://example.com/view/my/file.html');
      assert.equal(hit?.serverTime, '2014-05-23 01:13:11');
      assert.equal(hit?.browser, 'CH');
      // A referrer on the page's own host is internal navigation, so the visit has no referrer.
      assert.equal(hit?.refererUrl, null);
    });

    test('iis line keeps the query string', async () => {
      const [hit] = await importSample('iis.log', {});
      assert.equal(hit?.url, 'https://example.com/foo/bar?topCat1=divinity&submit=Search');
      assert.equal(hit?.browser, 'FF');
      assert.equal(hit?.serverTime, '2012-04-01 00:00:13');
    });

    test('timezone-of-log converts times without offset', async () => {
      const [hit] = await importSample('iis.log', { timezoneOfLog: 'Europe/Paris' });
      // Paris is on summer time (UTC+2) on 1 April 2012.
      assert.equal(hit?.serverTime, '2012-03-31 22:00:13');
    });

    test('http errors are titled with status, url and referrer', async () => {
      const hits = await importSample('iis_custom.log', { enableHttpErrors: true });
      assert.equal(hits.length, 2);
      assert.equal(hits[1]?.url, 'https://hello.example.com/hello/world/6,681965');
      // The line has no referrer; the tracker trims the title's trailing space.
      assert.equal(hits[1]?.title, '404/URL = %2Fhello%2Fworld%2F6%2C681965/From =');
    });

    test('static files with a download extension become downloads', async () => {
      const hits = await importSample('static_ignores.log', { enableStatic: true });
      assert.deepEqual(hits.map((hit) => [hit.url, hit.urlType]), [
        ['https://www.example.com/', 1],
        ['https://www.example.com/robots.txt', 3],
        ['https://www.example.com/image.png', 1],
        ['https://www.example.com/font.woff2', 1],
      ]);
    });

    test('replayed tracker requests keep their own parameters', async () => {
      const hits = await importSample('logs_to_tests.log', { replayTracking: true });
      assert.equal(hits.length, 3);
      assert.equal(hits[0]?.url, 'http://clearcode.cc/');
      assert.equal(hits[0]?.title, 'Clearcode - Web and Mobile Development | Technology With Passion');
      assert.equal(hits[0]?.serverTime, '2013-02-05 07:01:26');
      assert.equal(hits[2]?.url, 'http://clearcode.cc/case/atl-apps-mobile-android-ios-games/');
    });

    test('rtmp lines become events', async () => {
      const hits = await importSample('amazon_cloudfront_rtmp.log', {});
      assert.deepEqual(hits.map((hit) => [hit.eventCategory, hit.eventAction]), [['cloudfront_rtmp', 'connect'], ['cloudfront_rtmp', 'play']]);
      assert.equal(hits[1]?.serverTime, '2010-03-12 23:51:21');
    });
  });
}
