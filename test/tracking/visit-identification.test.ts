import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { markSiteChanged } from '../../src/tracking/site-cache.js';
import { buildTestServer, createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';
import { tenantDb } from '../support/tracking.js';

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0';
const SAFARI = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

describe('visit identification', () => {
  let root: TestRoot;
  let app: FastifyInstance;
  let host: string;
  let db: Kysely<Database>;
  // 23:50 in Paris on 1 May 2026 (UTC+2).
  let now = Date.parse('2026-05-01T21:50:00Z');

  before(async () => {
    root = createTestRoot();
    host = (await createTestTenant(root, { timezone: 'Europe/Paris', siteUrl: 'https://example.org', clock: () => new Date(now) })).host;
    db = tenantDb(root, host);
    app = await buildTestServer(root, () => new Date(now));
  });

  after(async () => {
    await app.close();
    await root.cleanup();
  });

  async function track(params: Record<string, string>, userAgent = FIREFOX): Promise<void> {
    const query = new URLSearchParams({ idsite: '1', rec: '1', ...params });
    const response = await app.inject({ method: 'GET', url: `/matomo.php?${query}`, headers: { host, 'user-agent': userAgent } });
    assert.equal(response.statusCode, 200);
  }

  async function visitsOf(idvisitor: string) {
    return db.selectFrom('log_visit').selectAll().where('idvisitor', '=', idvisitor).orderBy('idvisit').execute();
  }

  test('midnight in the site time zone starts a new visit', async () => {
    await track({ cid: 'aaaaaaaaaaaaaaaa', url: 'https://example.org/late' });
    now += 15 * 60_000;
    await track({ cid: 'aaaaaaaaaaaaaaaa', url: 'https://example.org/after-midnight' });
    const visits = await visitsOf('aaaaaaaaaaaaaaaa');
    assert.equal(visits.length, 2);
    assert.equal(visits[1]?.visitor_count_visits, 2);
  });

  test('visit length gap starts new visit', async () => {
    const before = now;
    now = Date.parse('2026-05-02T08:00:00Z');
    await track({ cid: 'dddddddddddddddd', url: 'https://example.org/first' });
    // One second short of the 30-minute visit length: the same visit, as in Matomo 5.
    now += 1799_000;
    await track({ cid: 'dddddddddddddddd', url: 'https://example.org/second' });
    // Exactly the visit length after the last action: a new visit, because Matomo continues a
    // visit only while its last action is more recent than now minus the visit length.
    now += 1800_000;
    await track({ cid: 'dddddddddddddddd', url: 'https://example.org/third' });
    const visits = await visitsOf('dddddddddddddddd');
    assert.deepEqual(visits.map((visit) => visit.visit_total_actions), [2, 1]);
    now = before;
  });

  test('new _id relabels fingerprint visit', async () => {
    const before = now;
    now = Date.parse('2026-05-03T08:00:00Z');
    await track({ _id: 'eeeeeeeeeeeeeeee', url: 'https://example.org/cookie-a' });
    now += 60_000;
    // A cleared cookie: a new _id with the same fingerprint continues the visit, which takes the new id.
    await track({ _id: 'ffffffffffffffff', url: 'https://example.org/cookie-b' });
    const visits = await db.selectFrom('log_visit').selectAll().where('idvisitor', 'in', ['eeeeeeeeeeeeeeee', 'ffffffffffffffff']).execute();
    assert.equal(visits.length, 1);
    assert.equal(visits[0]?.idvisitor, 'ffffffffffffffff');
    assert.equal(visits[0]?.visit_total_actions, 2);
    now = before;
  });

  test('a changed campaign starts a new visit', async () => {
    await track({ cid: 'bbbbbbbbbbbbbbbb', url: 'https://example.org/?pk_campaign=first' });
    await track({ cid: 'bbbbbbbbbbbbbbbb', url: 'https://example.org/next' });
    await track({ cid: 'bbbbbbbbbbbbbbbb', url: 'https://example.org/?pk_campaign=second' });
    const visits = await visitsOf('bbbbbbbbbbbbbbbb');
    assert.deepEqual(visits.map((visit) => [visit.referer_name, visit.visit_total_actions]), [['first', 2], ['second', 1]]);
  });

  test('hits without a visitor id match by fingerprint', async () => {
    await track({ url: 'https://example.org/anonymous-1' }, CHROME);
    await track({ url: 'https://example.org/anonymous-2' }, CHROME);
    const visits = await db.selectFrom('log_visit').selectAll().where('config_browser_name', '=', 'CH').execute();
    assert.equal(visits.length, 1);
    assert.equal(visits[0]?.visit_total_actions, 2);
    assert.equal(visits[0]?.idvisitor, visits[0]?.config_id);
  });

  test('uid sets the user id and derives the visitor id', async () => {
    await track({ url: 'https://example.org/login' }, SAFARI);
    await track({ uid: 'alice@example.org', url: 'https://example.org/account' }, SAFARI);
    const visits = await db.selectFrom('log_visit').selectAll().where('config_browser_name', '=', 'SF').execute();
    assert.equal(visits.length, 1);
    assert.equal(visits[0]?.user_id, 'alice@example.org');
    assert.equal(visits[0]?.visit_total_actions, 2);
    assert.equal(visits[0]?.idvisitor, createHash('sha1').update('alice@example.org').digest('hex').slice(0, 16));
  });

  test('custom variables and dimensions are stored', async () => {
    await db.insertInto('custom_dimensions').values([
      { idcustomdimension: 1, idsite: 1, name: 'Plan', index: 1, scope: 'visit', active: 1, extractions: '[]', case_sensitive: 1 },
      { idcustomdimension: 2, idsite: 1, name: 'Section', index: 1, scope: 'action', active: 1, extractions: '[]', case_sensitive: 1 },
    ]).execute();
    markSiteChanged(host, 1);
    now += 6000;
    await track({
      cid: 'cccccccccccccccc', url: 'https://example.org/pricing', dimension1: 'pro', dimension2: 'sales', dimension9: 'ignored',
      _cvar: JSON.stringify({ 1: ['Gender', 'unknown'] }), cvar: JSON.stringify({ 2: ['Category', 'Pricing'] }),
    });
    const [visit] = await visitsOf('cccccccccccccccc');
    const [action] = await db.selectFrom('log_link_visit_action').selectAll().where('idvisitor', '=', 'cccccccccccccccc').execute();
    assert.equal(visit?.custom_dimension_1, 'pro');
    assert.equal(visit?.custom_var_k1, 'Gender');
    assert.equal(visit?.custom_var_v1, 'unknown');
    assert.equal(action?.custom_dimension_1, 'sales');
    assert.equal(action?.custom_var_k2, 'Category');
    assert.equal(action?.custom_var_v2, 'Pricing');
  });
});

describe('create_new_visit_after_x_actions', () => {
  let root: TestRoot;
  let app: FastifyInstance;
  let host: string;
  let db: Kysely<Database>;

  before(async () => {
    root = createTestRoot();
    appendFileSync(root.rootPaths.commonConfig, '[Tracker]\ncreate_new_visit_after_x_actions = 3\n');
    host = (await createTestTenant(root, { siteUrl: 'https://example.org' })).host;
    db = tenantDb(root, host);
    app = await buildTestServer(root);
  });

  after(async () => {
    await app.close();
    await root.cleanup();
  });

  test('a visit with that many actions is not continued', async () => {
    for (let page = 1; page <= 5; page += 1) {
      const query = new URLSearchParams({ idsite: '1', rec: '1', cid: 'dddddddddddddddd', url: `https://example.org/page-${page}` });
      const response = await app.inject({ method: 'GET', url: `/matomo.php?${query}`, headers: { host, 'user-agent': FIREFOX } });
      assert.equal(response.statusCode, 200);
    }
    const visits = await db.selectFrom('log_visit').selectAll().where('idvisitor', '=', 'dddddddddddddddd').orderBy('idvisit').execute();
    assert.deepEqual(visits.map((visit) => visit.visit_total_actions), [3, 2]);
    assert.equal(visits[1]?.visitor_count_visits, 2);
  });
});
