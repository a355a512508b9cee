import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { deleteAllTenants } from '../support/console-runner.js';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { buildTestServer, createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';
import { actionOf, countRows, tenantDb } from '../support/tracking.js';

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const START = Date.parse('2026-05-01T10:00:00Z');

for (const adapter of ALL_ENGINES) {
  describe(`stored hits on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    let root: TestRoot;
    let app: FastifyInstance;
    let host: string;
    let token: string;
    let db: Kysely<Database>;
    let now = START;
    let visitorSequence = 0;

    before(async () => {
      root = createTestRoot();
      const tenant = await createTestTenant(root, { adapter, clock: () => new Date(now), timezone: 'UTC', siteUrl: 'https://example.org' });
      host = tenant.host;
      token = tenant.tokenAuth;
      app = await buildTestServer(root, () => new Date(now));
      db = tenantDb(root, host);
    });

    after(async () => {
      await app?.close();
      // Deleting the tenant drops its MariaDB or PostgreSQL database and user.
      await deleteAllTenants(root);
    });

    function newVisitorId(): string {
      visitorSequence += 1;
      return visitorSequence.toString(16).padStart(16, '0');
    }

    async function track(params: Record<string, string | number>, headers: Record<string, string> = {}): Promise<number> {
      const query = new URLSearchParams(Object.entries({ idsite: 1, rec: 1, ...params }).map(([name, value]): [string, string] => [name, String(value)]));
      const response = await app.inject({ method: 'GET', url: `/matomo.php?${query}`, headers: { host, 'user-agent': FIREFOX, ...headers } });
      return response.statusCode;
    }

    async function visitOf(idvisitor: string) {
      return db.selectFrom('log_visit').selectAll().where('idvisitor', '=', idvisitor).orderBy('idvisit').execute();
    }

    async function actionsOf(idvisitor: string) {
      return db.selectFrom('log_link_visit_action').selectAll().where('idvisitor', '=', idvisitor).orderBy('idlink_va').execute();
    }

    test('campaign parameters set a campaign referrer', async () => {
      const id = newVisitorId();
      assert.equal(await track({ cid: id, url: 'https://example.org/?mtm_campaign=Spring-Sale&mtm_kwd=Red+Shoes&mtm_source=Newsletter&mtm_medium=Email', action_name: 'Home' }), 200);
      const [visit] = await visitOf(id);
      assert.equal(visit?.referer_type, 6);
      assert.equal(visit?.referer_name, 'spring-sale');
      assert.equal(visit?.referer_keyword, 'red shoes');
      assert.equal(visit?.campaign_name, 'spring-sale');
      assert.equal(visit?.campaign_keyword, 'red shoes');
      assert.equal(visit?.campaign_source, 'newsletter');
      assert.equal(visit?.campaign_medium, 'email');
    });

    test('search engine referrer stores engine and keyword', async () => {
      const id = newVisitorId();
      await track({ cid: id, url: 'https://example.org/shoes', urlref: 'https://www.bing.com/search?q=Trail+Shoes&form=QBLH' });
      const [visit] = await visitOf(id);
      assert.equal(visit?.referer_type, 2);
      assert.equal(visit?.referer_name, 'Bing');
      assert.equal(visit?.referer_keyword, 'trail shoes');
      assert.equal(visit?.referer_url, 'https://www.bing.com/search?q=Trail+Shoes&form=QBLH');
    });

    test('pageview stores url, title and device columns', async () => {
      const id = newVisitorId();
      await track({ cid: id, url: 'https://www.example.org/a?sid=123&x=1#top', action_name: 'Page A', res: '1920x1080', pv_id: 'aB12cd', pf_net: 10, pf_srv: 25, cookie: 1, pdf: 1, h: 12, m: 5, s: 9 },
        { 'accept-language': 'fr-FR,fr;q=0.9' });
      const [visit] = await visitOf(id);
      const [action] = await actionsOf(id);
      assert.equal(visit?.config_os, 'WIN');
      assert.equal(visit?.config_os_version, '10');
      assert.equal(visit?.config_browser_name, 'FF');
      assert.equal(visit?.config_browser_version, '125.0');
      assert.equal(visit?.config_device_type, 0);
      assert.equal(visit?.config_resolution, '1920x1080');
      assert.equal(visit?.config_cookie, 1);
      assert.equal(visit?.config_pdf, 1);
      assert.equal(visit?.config_java, 0);
      assert.equal(visit?.location_browser_lang, 'fr-fr,fr;q=0.9');
      assert.equal(visit?.visitor_localtime, '12:05:09');
      assert.equal(visit?.location_ip, '127.0.0.0');
      assert.equal(visit?.visitor_returning, 0);
      assert.equal(visit?.visitor_count_visits, 1);
      assert.equal(visit?.visit_total_actions, 1);
      assert.equal(visit?.visit_total_interactions, 1);
      assert.equal(visit?.visit_first_action_time, '2026-05-01 10:00:00');
      assert.deepEqual(await actionOf(db, action!.idaction_url), { name: 'example.org/a?x=1', type: 1, url_prefix: 3 });
      assert.deepEqual(await actionOf(db, action!.idaction_name), { name: 'Page A', type: 4, url_prefix: null });
      assert.equal(visit?.visit_entry_idaction_url, action?.idaction_url);
      assert.equal(visit?.visit_exit_idaction_url, action?.idaction_url);
      assert.equal(action?.idpageview, 'aB12cd');
      assert.equal(action?.pageview_position, 1);
      assert.equal(action?.time_network, 10);
      assert.equal(action?.time_server, 25);
      assert.equal(action?.server_time, '2026-05-01 10:00:00');
    });

    test('download and outlink store their URL types', async () => {
      const id = newVisitorId();
      await track({ cid: id, url: 'https://example.org/files', action_name: 'Files' });
      now += 5_000;
      await track({ cid: id, url: 'https://example.org/files', download: 'https://example.org/files/report.pdf', action_name: 'Files' });
      now += 5_000;
      await track({ cid: id, url: 'https://example.org/files', link: 'http://partner.example.net/', action_name: 'Files' });
      const actions = await actionsOf(id);
      assert.equal(actions.length, 3);
      assert.deepEqual(await actionOf(db, actions[1]!.idaction_url), { name: 'example.org/files/report.pdf', type: 3, url_prefix: 2 });
      assert.deepEqual(await actionOf(db, actions[2]!.idaction_url), { name: 'partner.example.net/', type: 2, url_prefix: 0 });
      // Downloads and outlinks have no name, even when the request has a title.
      assert.equal(actions[1]?.idaction_name, null);
      assert.equal(actions[2]?.idaction_name, null);
      assert.equal(actions[0]?.time_spent, 5);
      assert.equal(actions[1]?.time_spent_ref_action, 5);
      const [visit] = await visitOf(id);
      assert.equal(visit?.visit_total_actions, 3);
      assert.equal(visit?.visit_total_interactions, 1);
      assert.equal(visit?.visit_total_time, 10);
      // The page before them stays the exit page.
      assert.equal(visit?.visit_exit_idaction_url, actions[0]?.idaction_url);
      assert.equal(visit?.visit_exit_idaction_name, actions[0]?.idaction_name);
    });

    test('site search parameters become a search action', async () => {
      const id = newVisitorId();
      await track({ cid: id, url: 'https://example.org/search?q=Red+Shoes&page=2', action_name: 'Search', search_count: 0 });
      const [action] = await actionsOf(id);
      assert.deepEqual(await actionOf(db, action!.idaction_url), { name: 'example.org/search?page=2', type: 1, url_prefix: 2 });
      assert.deepEqual(await actionOf(db, action!.idaction_name), { name: 'red shoes', type: 8, url_prefix: null });
      assert.equal(action?.search_count, 0);
      const [visit] = await visitOf(id);
      assert.equal(visit?.visit_total_searches, 1);
    });

    test('event stores category, action, name and value', async () => {
      const id = newVisitorId();
      await track({ cid: id, url: 'https://example.org/video', e_c: 'Video', e_a: 'Play', e_n: 'Intro', e_v: '9.5', ca: 1 });
      const [action] = await actionsOf(id);
      assert.deepEqual(await actionOf(db, action!.idaction_event_category), { name: 'Video', type: 10, url_prefix: null });
      assert.deepEqual(await actionOf(db, action!.idaction_event_action), { name: 'Play', type: 11, url_prefix: null });
      assert.deepEqual(await actionOf(db, action!.idaction_name), { name: 'Intro', type: 12, url_prefix: null });
      assert.equal(action?.custom_float, 9.5);
      assert.equal(action?.pageview_position, null);
      const [visit] = await visitOf(id);
      assert.equal(visit?.visit_total_events, 1);
      assert.equal(visit?.visit_total_actions, 1);
    });

    test('malformed event value is dropped', async () => {
      const cases: [string, number | null][] = [['0x10', null], ['abc', null], ['1_000', null], [' 5', null], ['12,5', 12], ['1e3', 1000], ['-2.5', -2.5]];
      for (const [value, expected] of cases) {
        const id = newVisitorId();
        assert.equal(await track({ cid: id, url: 'https://example.org/video', e_c: 'Video', e_a: 'Play', e_v: value, ca: 1 }), 200, value);
        const [action] = await actionsOf(id);
        assert.ok(action?.idaction_event_category, value);
        assert.equal(action?.custom_float === null ? null : Number(action?.custom_float), expected, value);
      }
    });

    test('malformed product price is dropped', async () => {
      for (const [value, expected] of [['0x10', null], ['1_000', null], ['19.9', 19.9]] as const) {
        const id = newVisitorId();
        await track({ cid: id, url: 'https://example.org/p/2', action_name: 'Hat', _pks: 'SKU-H', _pkp: value });
        const [action] = await actionsOf(id);
        assert.equal(action?.product_price === null ? null : Number(action?.product_price), expected, value);
      }
    });

    test('goal matching a URL records one conversion per visit', async () => {
      const added = await app.inject({
        method: 'POST', url: '/index.php', headers: { host, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ module: 'API', method: 'Goals.addGoal', format: 'json', idSite: '1', name: 'Thanks', matchAttribute: 'url', pattern: '/thanks', patternType: 'contains', revenue: '12.5', token_auth: token }).toString(),
      });
      assert.deepEqual(added.json(), { value: 1 });
      const id = newVisitorId();
      await track({ cid: id, url: 'https://example.org/Thanks', action_name: 'Thanks' });
      now += 1000;
      await track({ cid: id, url: 'https://example.org/thanks?again=1' });
      const conversions = await db.selectFrom('log_conversion').selectAll().where('idvisitor', '=', id).execute();
      const [action] = await actionsOf(id);
      assert.equal(conversions.length, 1);
      assert.equal(conversions[0]?.idgoal, 1);
      assert.equal(conversions[0]?.revenue, 12.5);
      assert.equal(conversions[0]?.url, 'https://example.org/Thanks');
      assert.equal(conversions[0]?.idlink_va, action?.idlink_va);
      assert.equal(conversions[0]?.pageviews_before, 1);
      const [visit] = await visitOf(id);
      assert.equal(visit?.visit_goal_converted, 1);
    });

    test('order with items records the order and its items once', async () => {
      const id = newVisitorId();
      const items = JSON.stringify([['SKU-1', 'Red shoe', ['Shoes', 'Red'], 40, 2], ['SKU-2', 'Sock', 'Socks', 5, 1]]);
      await track({ cid: id, url: 'https://example.org/cart', ca: 1, idgoal: 0, ec_items: items, revenue: 85 });
      now += 1000;
      const order = { cid: id, url: 'https://example.org/done', ca: 1, idgoal: 0, ec_id: 'A-100', ec_items: items, revenue: 95, ec_st: 85, ec_tx: 5, ec_sh: 7, ec_dt: 2 };
      await track(order);
      await track(order);
      const conversions = await db.selectFrom('log_conversion').selectAll().where('idvisitor', '=', id).execute();
      assert.equal(conversions.length, 1);
      assert.equal(conversions[0]?.idgoal, 0);
      assert.equal(conversions[0]?.idorder, 'A-100');
      assert.equal(conversions[0]?.items, 3);
      assert.equal(conversions[0]?.revenue, 95);
      assert.equal(conversions[0]?.revenue_subtotal, 85);
      assert.equal(conversions[0]?.revenue_tax, 5);
      assert.equal(conversions[0]?.revenue_shipping, 7);
      assert.equal(conversions[0]?.revenue_discount, 2);
      const orderItems = await db.selectFrom('log_conversion_item').selectAll().where('idvisitor', '=', id).orderBy('price', 'desc').execute();
      assert.equal(orderItems.length, 2);
      assert.deepEqual(orderItems.map((item) => [item.idorder, item.price, item.quantity]), [['A-100', 40, 2], ['A-100', 5, 1]]);
      assert.deepEqual(await actionOf(db, orderItems[0]!.idaction_sku), { name: 'SKU-1', type: 5, url_prefix: null });
      assert.deepEqual(await actionOf(db, orderItems[0]!.idaction_name), { name: 'Red shoe', type: 6, url_prefix: null });
      assert.deepEqual(await actionOf(db, orderItems[0]!.idaction_category2), { name: 'Red', type: 7, url_prefix: null });
      const [visit] = await visitOf(id);
      assert.equal(visit?.visit_goal_buyer, 1);
      assert.equal(visit?.visit_goal_converted, 1);
    });

    test('item numbers are read as PHP does', async () => {
      const id = newVisitorId();
      const items = JSON.stringify([
        ['SKU-HEX', 'Hex', 'Odd', '0x10', '0x3'], ['SKU-BOOL', 'Bool', 'Odd', true, true], ['SKU-SPACE', 'Space', 'Odd', ' 2.5', ' 4'],
        ['SKU-CUT', 'Cut', 'Odd', 3, 2.9], ['SKU-ZERO', 'Zero', 'Odd', 1, '0'],
      ]);
      assert.equal(await track({ cid: id, url: 'https://example.org/done', idgoal: 0, ec_id: `PHP-${id}`, ec_items: items, revenue: '12,5' }), 200);
      const [order] = await db.selectFrom('log_conversion').selectAll().where('idvisitor', '=', id).execute();
      assert.equal(Number(order?.revenue), 12);
      assert.equal(Number(order?.items), 1 + 1 + 4 + 2 + 1);
      const rows = await db.selectFrom('log_conversion_item').innerJoin('log_action', 'log_action.idaction', 'log_conversion_item.idaction_sku')
        .select(['log_action.name', 'log_conversion_item.price', 'log_conversion_item.quantity']).where('log_conversion_item.idvisitor', '=', id)
        .orderBy('log_action.name').execute();
      assert.deepEqual(rows.map((row) => [row.name, Number(row.price), Number(row.quantity)]), [
        ['SKU-BOOL', 0, 1], ['SKU-CUT', 3, 2], ['SKU-HEX', 0, 1], ['SKU-SPACE', 2.5, 4], ['SKU-ZERO', 1, 1],
      ]);
    });

    test('product view is stored on the pageview', async () => {
      const id = newVisitorId();
      await track({ cid: id, url: 'https://example.org/p/1', action_name: 'Shoe', _pks: 'SKU-9', _pkn: 'Trail shoe', _pkc: '["Shoes","Trail"]', _pkp: '79.9' });
      const [action] = await actionsOf(id);
      assert.equal(action?.product_price, 79.9);
      assert.deepEqual(await actionOf(db, action!.idaction_product_sku), { name: 'SKU-9', type: 5, url_prefix: null });
      assert.deepEqual(await actionOf(db, action!.idaction_product_name), { name: 'Trail shoe', type: 6, url_prefix: null });
      assert.deepEqual(await actionOf(db, action!.idaction_product_cat), { name: 'Shoes', type: 7, url_prefix: null });
    });

    test('heartbeat extends the visit without an action', async () => {
      const id = newVisitorId();
      await track({ cid: id, url: 'https://example.org/read', action_name: 'Read' });
      now += 20_000;
      await track({ cid: id, url: 'https://example.org/read', ping: 1 });
      const actions = await actionsOf(id);
      const [visit] = await visitOf(id);
      assert.equal(actions.length, 1);
      assert.equal(actions[0]?.time_spent, 20);
      assert.equal(visit?.visit_total_time, 20);
      assert.equal(visit?.visit_total_actions, 1);
    });

    test('visit continues within 30 minutes and a new one starts after', async () => {
      const id = newVisitorId();
      await track({ cid: id, url: 'https://example.org/1' });
      now += 29 * 60_000;
      await track({ cid: id, url: 'https://example.org/2' });
      now += 31 * 60_000;
      await track({ cid: id, url: 'https://example.org/3' });
      const visits = await visitOf(id);
      assert.equal(visits.length, 2);
      assert.equal(visits[0]?.visit_total_actions, 2);
      assert.equal(visits[1]?.visitor_returning, 1);
      assert.equal(visits[1]?.visitor_count_visits, 2);
      assert.equal(visits[1]?.visitor_seconds_since_last, 31 * 60);
      assert.equal(visits[1]?.visitor_seconds_since_first, 60 * 60);
    });

    test('new_visit=1 starts a new visit', async () => {
      const id = newVisitorId();
      await track({ cid: id, url: 'https://example.org/1' });
      await track({ cid: id, url: 'https://example.org/2', new_visit: 1 });
      assert.equal((await visitOf(id)).length, 2);
    });

    test('a hit without rec is counted as dropped', async () => {
      const before = await countRows(db, 'log_visit');
      const query = new URLSearchParams({ idsite: '1', url: 'https://example.org/' });
      const response = await app.inject({ method: 'GET', url: `/matomo.php?${query}`, headers: { host } });
      assert.equal(response.statusCode, 200);
      await track({ url: 'https://example.org/bot' }, { 'user-agent': GOOGLEBOT });
      await track({ url: 'https://example.org/bot' }, { 'user-agent': GOOGLEBOT });
      assert.equal(await countRows(db, 'log_visit'), before);
      const drops = await db.selectFrom('tracking_drop').select(['reason', 'count', 'date']).orderBy('reason').execute();
      assert.deepEqual(drops.map((row) => [row.reason, Number(row.count), row.date]), [['bot', 2, '2026-05-01'], ['no_rec', 1, '2026-05-01']]);
    });

    test('tracked days are marked for archiving', async () => {
      const rows = await db.selectFrom('archive_invalidations').select(['idsite', 'date']).execute();
      assert.deepEqual(rows.map((row) => [Number(row.idsite), row.date]), [[1, '2026-05-01']]);
    });

    test('an old cdt needs a token with write access', async () => {
      const id = newVisitorId();
      assert.equal(await track({ cid: id, url: 'https://example.org/old', cdt: '2026-04-20 08:00:00' }), 400);
      assert.equal((await visitOf(id)).length, 0);
      assert.equal(await track({ cid: id, url: 'https://example.org/old', cdt: '2026-04-20 08:00:00', token_auth: token }), 200);
      const [visit] = await visitOf(id);
      assert.equal(visit?.visit_first_action_time, '2026-04-20 08:00:00');
      const invalidated = await db.selectFrom('archive_invalidations').select('date').where('date', '=', '2026-04-20').execute();
      assert.equal(invalidated.length, 1);
    });

    test('a future cdt is ignored', async () => {
      const id = newVisitorId();
      await track({ cid: id, url: 'https://example.org/future', cdt: '2027-01-01 00:00:00' });
      const [visit] = await visitOf(id);
      assert.equal(visit?.visit_first_action_time, new Date(now).toISOString().slice(0, 19).replace('T', ' '));
    });

    async function trackError(params: Record<string, string>): Promise<{ statusCode: number; error: string }> {
      const query = new URLSearchParams({ idsite: '1', rec: '1', url: 'https://example.org/cdt', ...params });
      const response = await app.inject({ method: 'GET', url: `/matomo.php?${query}`, headers: { host, 'user-agent': FIREFOX } });
      return { statusCode: response.statusCode, error: String(response.headers['x-footfall-error']) };
    }

    test('date-only cdt is midnight UTC', async () => {
      const today = newVisitorId();
      assert.equal(await track({ cid: today, url: 'https://example.org/today', cdt: '2026-05-01' }), 200);
      assert.equal((await visitOf(today))[0]?.visit_first_action_time, '2026-05-01 00:00:00');

      const old = newVisitorId();
      const rejected = await trackError({ cid: old, cdt: '2026-04-20' });
      assert.equal(rejected.statusCode, 400);
      assert.match(rejected.error, /^TRACKING_AUTH_REQUIRED: Custom timestamp '2026-04-20' /);
      assert.equal((await visitOf(old)).length, 0);
      assert.equal(await track({ cid: old, url: 'https://example.org/old-day', cdt: '2026-04-20', token_auth: token }), 200);
      assert.equal((await visitOf(old))[0]?.visit_first_action_time, '2026-04-20 00:00:00');
    });

    test('Unix cdt with decimals is accepted', async () => {
      const id = newVisitorId();
      const seconds = Date.parse('2026-04-21T07:30:15Z') / 1000;
      assert.equal(await track({ cid: id, url: 'https://example.org/unix', cdt: `${seconds}.75`, token_auth: token }), 200);
      assert.equal((await visitOf(id))[0]?.visit_first_action_time, '2026-04-21 07:30:15');
    });

    test('cdt over 20 years old is ignored', async () => {
      const id = newVisitorId();
      assert.equal(await track({ cid: id, url: 'https://example.org/ancient', cdt: '2001-01-01' }), 200);
      const [visit] = await visitOf(id);
      assert.equal(visit?.visit_first_action_time, new Date(now).toISOString().slice(0, 19).replace('T', ' '));
    });

    test('malformed cdt names the forms', async () => {
      for (const cdt of ['2026-02-30', '2026-13-01 00:00:00', '2026-04-20 24:00:00', '2026-04-20 08:00', 'yesterday']) {
        const { statusCode, error } = await trackError({ cid: newVisitorId(), cdt, token_auth: token });
        assert.equal(statusCode, 400, cdt);
        assert.ok(error.startsWith(`TRACKING_PARAMETER_INVALID: Invalid value '${cdt}' for 'cdt'.`), error);
        assert.ok(error.includes("'YYYY-MM-DD'"), error);
      }
    });

    test('authenticated location overrides are stored', async () => {
      const id = newVisitorId();
      await track({ cid: id, url: 'https://example.org/geo', cip: '203.0.113.50', country: 'IT', city: 'Rome', lat: '41.9', long: '12.5', token_auth: token });
      const [visit] = await visitOf(id);
      assert.equal(visit?.location_country, 'it');
      assert.equal(visit?.location_city, 'Rome');
      assert.equal(visit?.location_latitude, 41.9);
      assert.equal(visit?.location_longitude, 12.5);
      assert.equal(visit?.location_ip, '203.0.0.0');
    });
  });
}
