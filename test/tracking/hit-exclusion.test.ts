import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { updateSite } from '../../src/sites/site-store.js';
import { parseTenantHost } from '../../src/tenancy/tenant-host.js';
import { TRANSPARENT_GIF } from '../../src/tracking/tracker-response.js';
import { buildTestServer, createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';
import { countRows, tenantDb } from '../support/tracking.js';

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0';

describe('hit exclusion', () => {
  let root: TestRoot;
  let app: FastifyInstance;
  let host: string;
  let db: Kysely<Database>;

  before(async () => {
    root = createTestRoot();
    host = (await createTestTenant(root, { siteUrl: 'https://example.org' })).host;
    db = tenantDb(root, host);
    await updateSite(db, 1, {
      excludedIps: ['127.0.0.*'], excludedUserAgents: ['HeadlessChrome'], excludedReferrers: ['spam.example'], excludeUnknownUrls: true,
    });
    app = await buildTestServer(root);
  });

  after(async () => {
    await app.close();
    await root.cleanup();
  });

  async function track(params: Record<string, string>, headers: Record<string, string> = {}): Promise<number> {
    const query = new URLSearchParams({ idsite: '1', rec: '1', ...params });
    const response = await app.inject({ method: 'GET', url: `/matomo.php?${query}`, headers: { host, 'user-agent': FIREFOX, ...headers } });
    return response.statusCode;
  }

  async function dropCounts(): Promise<Record<string, number>> {
    const rows = await db.selectFrom('tracking_drop').select(['reason', 'count']).execute();
    const counts: Record<string, number> = {};
    for (const row of rows) counts[row.reason] = (counts[row.reason] ?? 0) + Number(row.count);
    return counts;
  }

  test('excluded hits are answered and counted', async () => {
    assert.equal(await track({ url: 'https://example.org/a' }), 200);
    // Site 1 excludes the test client's address, so the other rules are checked on a second site.
    const secondSite = await db.insertInto('site').values({
      name: 'Second', main_url: 'https://example.org', ts_created: '2026-01-01 00:00:00', ecommerce: 0, sitesearch: 1,
      sitesearch_keyword_parameters: '', sitesearch_category_parameters: '', timezone: 'UTC', currency: 'USD', exclude_unknown_urls: 1,
      excluded_ips: '', excluded_parameters: '', excluded_user_agents: 'HeadlessChrome', excluded_referrers: 'spam.example', group: '',
      type: 'website', keep_url_fragment: 0, creator_login: 'admin',
    }).executeTakeFirstOrThrow();
    const idsite = String(Number(secondSite.insertId));
    assert.equal(await track({ idsite, url: 'https://example.org/b' }, { 'user-agent': 'Mozilla/5.0 HeadlessChrome/120.0' }), 200);
    assert.equal(await track({ idsite, url: 'https://example.org/c', urlref: 'https://www.spam.example/offer' }), 200);
    assert.equal(await track({ idsite, url: 'https://elsewhere.example/d' }), 200);
    assert.equal(await track({ idsite, url: 'https://example.org/e' }), 200);

    assert.equal(await countRows(db, 'log_visit'), 1);
    assert.deepEqual(await dropCounts(), { excluded_ip: 1, excluded_user_agent: 1, excluded_referrer: 1, unknown_url: 1 });
  });

  test('dropped hits skip the goal check', async () => {
    const countsBefore = await dropCounts();
    // Site 1 has no goal 99 and excludes the test client's address, so each hit is dropped before its idgoal is read.
    const url = 'https://example.org/goal';
    assert.equal(await track({ url, idgoal: '99' }), 200);
    assert.equal(await track({ url, idgoal: '99', rec: '0' }), 200);
    assert.equal(await track({ url, idgoal: 'not-a-goal', rec: '0' }), 200);
    const requests = [`?idsite=1&rec=1&idgoal=99&url=${encodeURIComponent(url)}`, `?idsite=1&idgoal=99&url=${encodeURIComponent(url)}`];
    const bulk = await app.inject({
      method: 'POST', url: '/matomo.php', headers: { host, 'user-agent': FIREFOX, 'content-type': 'text/plain' }, payload: JSON.stringify({ requests }),
    });
    assert.equal(bulk.statusCode, 200, bulk.body);
    assert.deepEqual(bulk.json(), { status: 'success', tracked: 2, invalid: 0 });

    const counts = await dropCounts();
    assert.equal((counts.excluded_ip ?? 0) - (countsBefore.excluded_ip ?? 0), 2);
    assert.equal((counts.no_rec ?? 0) - (countsBefore.no_rec ?? 0), 3);
    assert.equal(await countRows(db, 'log_visit'), 1);
  });
});

describe('tracking switches', () => {
  let root: TestRoot;
  let app: FastifyInstance;
  let stoppedHost: string;
  let disabledHost: string;
  let doNotTrackHost: string;

  before(async () => {
    root = createTestRoot();
    stoppedHost = (await createTestTenant(root)).host;
    disabledHost = (await createTestTenant(root)).host;
    appendFileSync(root.registry.resolve(parseTenantHost(stoppedHost))!.configFile, '\n[Tracker]\nrecord_statistics = 0\n');
    appendFileSync(root.registry.resolve(parseTenantHost(disabledHost))!.configFile, '\n[General]\ntenant_disabled = 1\n');
    doNotTrackHost = (await createTestTenant(root)).host;
    appendFileSync(root.registry.resolve(parseTenantHost(doNotTrackHost))!.configFile, '\n[Tracker]\nhonor_do_not_track = 1\n');
    app = await buildTestServer(root);
  });

  after(async () => {
    await app.close();
    await root.cleanup();
  });

  test('record_statistics 0 answers 503 with the GIF', async () => {
    const response = await app.inject({ method: 'GET', url: '/matomo.php?idsite=1&rec=1&url=https%3A%2F%2Fexample.org%2F', headers: { host: stoppedHost } });
    assert.equal(response.statusCode, 503);
    assert.deepEqual(response.rawPayload, TRANSPARENT_GIF);
    assert.equal(await countRows(tenantDb(root, stoppedHost), 'log_visit'), 0);
  });

  test('DNT header drops the hit when honoured', async () => {
    const url = '/matomo.php?idsite=1&rec=1&url=https%3A%2F%2Fexample.org%2F';
    assert.equal((await app.inject({ method: 'GET', url, headers: { host: doNotTrackHost, dnt: '1' } })).statusCode, 200);
    const db = tenantDb(root, doNotTrackHost);
    assert.equal(await countRows(db, 'log_visit'), 0);
    assert.equal((await app.inject({ method: 'GET', url, headers: { host: doNotTrackHost } })).statusCode, 200);
    assert.equal(await countRows(db, 'log_visit'), 1);
    const drops = await db.selectFrom('tracking_drop').select(['reason', 'count']).execute();
    assert.deepEqual(drops.map((row) => [row.reason, Number(row.count)]), [['do_not_track', 1]]);
  });

  test('disabled tenant answers 503', async () => {
    const response = await app.inject({ method: 'GET', url: '/matomo.php?idsite=1&rec=1&url=https%3A%2F%2Fexample.org%2F', headers: { host: disabledHost } });
    assert.equal(response.statusCode, 503);
  });
});
