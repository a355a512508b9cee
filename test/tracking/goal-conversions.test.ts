import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GoalTable } from '../../src/db/schema.js';
import type { SiteRecord } from '../../src/sites/site-store.js';
import { matchGoals, type VisitTotals } from '../../src/tracking/goal-matcher.js';
import type { EnrichedHit } from '../../src/tracking/hit.js';
import { parseAction } from '../../src/tracking/parse-action.js';
import { parseConversion } from '../../src/tracking/parse-conversion.js';
import { TrackingParams } from '../../src/tracking/tracking-params.js';
import { callApi } from '../support/api-client.js';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { useTestRoot } from '../support/suite-root.js';
import { createTenantServer } from '../support/test-root.js';
import { countRows, tenantDb } from '../support/tracking.js';

const SITE = { excluded_parameters: '', keep_url_fragment: 0, sitesearch: 0, sitesearch_keyword_parameters: '', sitesearch_category_parameters: '' } as unknown as SiteRecord;
const START = Date.parse('2024-05-20T10:00:00Z');

function goal(idgoal: number, matchAttribute: string, pattern: string, revenue: number, eventValueAsRevenue = 0): GoalTable {
  return {
    idsite: 1, idgoal, name: `Goal ${idgoal}`, description: '', match_attribute: matchAttribute, pattern,
    pattern_type: matchAttribute === 'visit_duration' ? 'greater_than' : 'contains',
    case_sensitive: 0, allow_multiple: 0, revenue, deleted: 0, event_value_as_revenue: eventValueAsRevenue,
  };
}

const GOALS: GoalTable[] = [
  goal(1, 'event_category', 'checkout', 3),
  goal(2, 'url', '/cart', 4),
  goal(3, 'manually', '', 5),
  goal(4, 'visit_duration', '1', 6),
  goal(5, 'event_action', 'pay', 7, 1),
  goal(6, 'url', '/never', 8, 1),
];

/** A visit that has lasted 2 minutes, so goal 4 (more than 1 minute) converts on a hit that may convert visit goals. */
const LONG_VISIT: VisitTotals = { firstActionTime: START, lastActionTime: START + 120_000, totalActions: 3, pageviews: 2, convertedGoals: new Set() };

/** Builds a hit with the fields matchGoals reads, parsed from a tracking query string as the pipeline parses it. */
function hitOf(query: string): EnrichedHit {
  const params = TrackingParams.fromQueryString(query);
  return { action: parseAction(params, SITE, []), conversion: parseConversion(params), params } as unknown as EnrichedHit;
}

function converted(query: string): [idgoal: number, revenue: number][] {
  return matchGoals(hitOf(query), GOALS, LONG_VISIT).map((conversion) => [Number(conversion.goal.idgoal), conversion.revenue]);
}

const CART = `url=${encodeURIComponent('https://example.org/cart')}`;

describe('goal matching by request', () => {
  test('cart update converts no goal', () => {
    assert.deepEqual(converted(`${CART}&idgoal=0&revenue=99&ec_items=%5B%5D&e_c=Checkout&e_a=pay&e_v=2`), []);
  });

  test('order converts no goal', () => {
    assert.deepEqual(converted(`${CART}&idgoal=0&ec_id=A-1&revenue=120&e_c=Checkout&e_a=pay`), []);
  });

  test('manual goal converts only itself', () => {
    assert.deepEqual(converted(`${CART}&idgoal=3&revenue=9&e_c=Checkout&e_a=pay`), [[3, 9]]);
    assert.deepEqual(converted(`${CART}&idgoal=3`), [[3, 5]]);
    assert.deepEqual(converted(`${CART}&idgoal=99`), []);
  });

  test('matched goal takes request revenue', () => {
    assert.deepEqual(converted(`${CART}&revenue=12.5`), [[2, 12.5], [4, 12.5]]);
    assert.deepEqual(converted(`${CART}&revenue=abc`), [[2, 4], [4, 6]]);
  });

  test('event value replaces revenue', () => {
    assert.deepEqual(converted(`${CART}&e_c=Checkout&e_a=pay&e_v=11&revenue=8`), [[1, 8], [4, 8], [5, 11]]);
    assert.deepEqual(converted(`${CART}&idgoal=5&e_v=12&revenue=8`), [[5, 12]]);
  });

  test('event value only for event goals', () => {
    // Matomo 5's Goals.addGoal stores useEventValueAsRevenue on any goal, and its tracker applies it to event goals only.
    assert.deepEqual(converted(`${CART}&idgoal=6&e_c=Other&e_a=click&e_v=12`), [[6, 8]]);
  });
});

for (const adapter of ALL_ENGINES) {
  describe(`goal conversions on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    const suite = useTestRoot((root) => createTenantServer(root, { adapter, siteUrl: 'https://example.org' }), { deleteTenants: true });

    async function addGoal(params: Record<string, string>): Promise<number> {
      const response = await callApi(suite.app, suite.host, { method: 'Goals.addGoal', idSite: '1', token_auth: suite.token, ...params });
      assert.equal(response.statusCode, 200, response.body);
      return Number((response.json() as { value: number }).value);
    }

    function send(visitorId: string, time: number, params: Record<string, string>) {
      const cdt = new Date(time).toISOString().slice(0, 19).replace('T', ' ');
      const query = new URLSearchParams({ idsite: '1', rec: '1', cid: visitorId, url: 'https://example.org/shop', cdt, ...params });
      return suite.app.inject({ method: 'GET', url: `/matomo.php?${query}`, headers: { host: suite.host } });
    }

    async function track(visitorId: string, time: number, params: Record<string, string>): Promise<void> {
      const response = await send(visitorId, time, params);
      assert.equal(response.statusCode, 200, String(response.headers['x-footfall-error']));
    }

    async function storedRowsOf(visitorId: string): Promise<number[]> {
      const db = tenantDb(suite.root, suite.host);
      const visits = await db.selectFrom('log_visit').select('idvisit').where('idvisitor', '=', visitorId).execute();
      const actions = await db.selectFrom('log_link_visit_action').select('idlink_va').where('idvisitor', '=', visitorId).execute();
      const conversions = await db.selectFrom('log_conversion').select('idgoal').where('idvisitor', '=', visitorId).execute();
      return [visits.length, actions.length, conversions.length];
    }

    async function conversionsOf(visitorId: string): Promise<[idgoal: number, revenue: number][]> {
      const rows = await tenantDb(suite.root, suite.host).selectFrom('log_conversion').select(['idgoal', 'revenue'])
        .where('idvisitor', '=', visitorId).orderBy('idgoal').execute();
      return rows.map((row) => [Number(row.idgoal), Number(row.revenue)]);
    }

    test('cart update converts only the cart', async () => {
      const checkout = await addGoal({ name: 'Checkout event', matchAttribute: 'event_category', pattern: 'checkout', patternType: 'contains', revenue: '3' });
      const longVisit = await addGoal({ name: 'Long visit', matchAttribute: 'visit_duration', pattern: '1', revenue: '6' });
      const manual = await addGoal({ name: 'Newsletter', matchAttribute: 'manually', revenue: '5' });
      const base = Date.now() - 3_600_000;
      const visitor = '4444444444444444';

      await track(visitor, base, { action_name: 'Shop' });
      // Two minutes in, the visit passes the 1-minute goal, but a cart update converts no goal.
      const items = JSON.stringify([['SKU-1', 'Shoe', 'Shoes', 99, 1]]);
      await track(visitor, base + 120_000, { idgoal: '0', revenue: '99', ec_items: items, e_c: 'Checkout', e_a: 'add' });
      assert.deepEqual(await conversionsOf(visitor), [[-1, 99]]);

      // A manual conversion converts only its goal, with the request's revenue.
      await track(visitor, base + 150_000, { idgoal: String(manual), revenue: '7', e_c: 'Checkout', e_a: 'subscribe' });
      assert.deepEqual(await conversionsOf(visitor), [[-1, 99], [manual, 7]]);

      // The next pageview converts the visit goal with the goal's revenue.
      await track(visitor, base + 180_000, { action_name: 'Shop again' });
      assert.deepEqual(await conversionsOf(visitor), [[-1, 99], [longVisit, 6], [manual, 7]]);

      // An event outside any e-commerce or manual conversion still converts its goal.
      await track(visitor, base + 200_000, { e_c: 'Checkout', e_a: 'view', revenue: '2.5' });
      assert.deepEqual(await conversionsOf(visitor), [[-1, 99], [checkout, 2.5], [longVisit, 6], [manual, 7]]);
    });

    test('unknown idgoal is rejected', async () => {
      const existing = await addGoal({ name: 'Existing', matchAttribute: 'manually' });
      const base = Date.now() - 3_600_000;
      const visitor = '5555555555555555';

      const response = await send(visitor, base, { idgoal: String(existing + 40), revenue: '3', e_c: 'Checkout', e_a: 'pay' });
      assert.equal(response.statusCode, 400);
      const error = String(response.headers['x-footfall-error']);
      assert.match(error, /^GOAL_NOT_FOUND: /);
      assert.ok(error.includes(`'${existing + 40}' for 'idgoal'`), error);
      assert.ok(error.includes('site 1'), error);
      assert.deepEqual(await storedRowsOf(visitor), [0, 0, 0]);
    });

    test('deleted goal is rejected', async () => {
      const deleted = await addGoal({ name: 'Retired', matchAttribute: 'manually' });
      const removal = await callApi(suite.app, suite.host, { method: 'Goals.deleteGoal', idSite: '1', idGoal: String(deleted), token_auth: suite.token });
      assert.equal(removal.statusCode, 200, removal.body);
      const base = Date.now() - 3_600_000;
      const visitor = '6666666666666666';

      const response = await send(visitor, base, { idgoal: String(deleted) });
      assert.equal(response.statusCode, 400);
      assert.match(String(response.headers['x-footfall-error']), new RegExp(`^GOAL_NOT_FOUND: Invalid value '${deleted}' for 'idgoal'`));
      assert.deepEqual(await storedRowsOf(visitor), [0, 0, 0]);
    });

    test('bulk unknown idgoal counts invalid', async () => {
      const manual = await addGoal({ name: 'Brochure', matchAttribute: 'manually', revenue: '2' });
      const db = tenantDb(suite.root, suite.host);
      const conversionsBefore = await countRows(db, 'log_conversion');
      const requests = [
        `?idsite=1&rec=1&cid=7777777777777777&url=https%3A%2F%2Fexample.org%2F&idgoal=${manual + 50}`,
        `?idsite=1&rec=1&cid=7777777777777777&url=https%3A%2F%2Fexample.org%2F&idgoal=${manual}`,
      ];
      const response = await suite.app.inject({
        method: 'POST', url: '/matomo.php', headers: { host: suite.host, 'content-type': 'text/plain' },
        payload: JSON.stringify({ requests, token_auth: suite.token }),
      });
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json(), { status: 'success', tracked: 1, invalid: 1, invalid_indices: [0] });
      assert.equal(await countRows(db, 'log_conversion'), conversionsBefore + 1);
    });

    test('order without revenue stores 0', async () => {
      const base = Date.now() - 3_600_000;
      const visitor = '8888888888888888';
      const items = JSON.stringify([['SKU-7', 'Hat', 'Hats', 20, 2]]);

      await track(visitor, base, { idgoal: '0', ec_items: items });
      await track(visitor, base + 60_000, { idgoal: '0', ec_id: 'NO-REVENUE-1', ec_items: items });
      const rows = await tenantDb(suite.root, suite.host).selectFrom('log_conversion').select(['idgoal', 'revenue', 'items'])
        .where('idvisitor', '=', visitor).orderBy('idgoal').execute();
      assert.deepEqual(rows.map((row) => [Number(row.idgoal), Number(row.revenue), Number(row.items)]), [[0, 0, 2]]);

      const cartVisitor = '9999999999999999';
      await track(cartVisitor, base, { idgoal: '0', ec_items: items, revenue: 'unknown' });
      const [cart] = await tenantDb(suite.root, suite.host).selectFrom('log_conversion').select(['idgoal', 'revenue'])
        .where('idvisitor', '=', cartVisitor).execute();
      assert.deepEqual([Number(cart?.idgoal), Number(cart?.revenue)], [-1, 0]);
    });

    test('amounts are rounded to cents', async () => {
      const manual = await addGoal({ name: 'Donation', matchAttribute: 'manually', revenue: '4.567' });
      const played = await addGoal({ name: 'Tip', matchAttribute: 'event_action', pattern: 'tip', revenue: '1', useEventValueAsRevenue: '1' });
      const base = Date.now() - 3_600_000;
      const db = tenantDb(suite.root, suite.host);

      const goalVisitor = 'aaaaaaaaaaaaaaa1';
      await track(goalVisitor, base, { idgoal: String(manual) });
      await track(goalVisitor, base + 1000, { idgoal: String(manual), revenue: '1.005' });
      await track(goalVisitor, base + 2000, { e_c: 'Support', e_a: 'tip', e_v: '2.345' });
      const goalRows = await db.selectFrom('log_conversion').select(['idgoal', 'revenue']).where('idvisitor', '=', goalVisitor).orderBy('server_time').execute();
      // The goal converts once per visit, so the second request with revenue=1.005 is not stored. The event value stays unrounded, as in Matomo.
      assert.deepEqual(goalRows.map((row) => [Number(row.idgoal), Number(row.revenue)]), [[manual, 4.57], [played, 2.345]]);

      const revenueVisitor = 'aaaaaaaaaaaaaaa2';
      await track(revenueVisitor, base, { idgoal: String(manual), revenue: '1.005' });
      const [manualRow] = await db.selectFrom('log_conversion').select('revenue').where('idvisitor', '=', revenueVisitor).execute();
      assert.equal(Number(manualRow?.revenue), 1.01);

      const orderVisitor = 'aaaaaaaaaaaaaaa3';
      const items = JSON.stringify([['SKU-R', 'Ribbon', 'Craft', 9.999, 1], ['SKU-S', 'String', 'Craft', '0.125', 2]]);
      await track(orderVisitor, base, {
        idgoal: '0', ec_id: 'ROUND-1', ec_items: items, revenue: '10.555', ec_st: '3.333', ec_tx: '0.125', ec_sh: '2.675', ec_dt: '1.005',
      });
      const order = await db.selectFrom('log_conversion').selectAll().where('idvisitor', '=', orderVisitor).executeTakeFirstOrThrow();
      assert.equal(Number(order.revenue), 10.56);
      assert.equal(Number(order.revenue_subtotal), 3.33);
      assert.equal(Number(order.revenue_tax), 0.13);
      assert.equal(Number(order.revenue_shipping), 2.68);
      assert.equal(Number(order.revenue_discount), 1.01);
      const prices = await db.selectFrom('log_conversion_item').select('price').where('idvisitor', '=', orderVisitor).orderBy('price').execute();
      assert.deepEqual(prices.map((row) => Number(row.price)), [0.13, 10]);
    });

    test('goal requests record no action', async () => {
      const manual = await addGoal({ name: 'Lead', matchAttribute: 'manually', allowMultipleConversionsPerVisit: '1' });
      const base = Date.now() - 3_600_000;
      const visitor = 'bbbbbbbbbbbbbbb1';
      const db = tenantDb(suite.root, suite.host);
      const visitOf = (idvisitor: string) => db.selectFrom('log_visit')
        .select(['visit_total_actions', 'visit_total_events', 'visit_total_searches', 'visit_last_action_time']).where('idvisitor', '=', idvisitor).execute();

      await track(visitor, base, { action_name: 'Shop' });
      const requests: Record<string, string>[] = [
        { idgoal: String(manual), e_c: 'Lead', e_a: 'submit', e_v: '3' },
        { idgoal: String(manual), c_n: 'Banner', c_p: 'Spring', c_i: 'click' },
        { idgoal: String(manual), search: 'red shoes' },
        { idgoal: '0', link: 'https://partner.example.com/' },
        { idgoal: '0', ec_id: `NO-ACTION-${visitor}`, download: 'https://example.org/invoice.pdf' },
      ];
      for (const [index, params] of requests.entries()) await track(visitor, base + (index + 1) * 10_000, params);

      const actions = await db.selectFrom('log_link_visit_action').select('idlink_va').where('idvisitor', '=', visitor).execute();
      assert.equal(actions.length, 1, 'only the pageview');
      const [visit] = await visitOf(visitor);
      assert.equal(Number(visit?.visit_total_actions), 1);
      assert.equal(Number(visit?.visit_total_events), 0);
      assert.equal(Number(visit?.visit_total_searches), 0);
      assert.equal(visit?.visit_last_action_time, new Date(base + 50_000).toISOString().slice(0, 19).replace('T', ' '), 'the last goal request extends the visit');
      // The order replaces the cart update, so no -1 row stays.
      assert.deepEqual((await conversionsOf(visitor)).map(([idgoal]) => idgoal), [0, manual, manual, manual]);

      // A goal request that starts a visit creates the visit with no action.
      const newcomer = 'bbbbbbbbbbbbbbb2';
      await track(newcomer, base, { idgoal: String(manual), e_c: 'Lead', e_a: 'submit' });
      const [started] = await visitOf(newcomer);
      assert.equal(Number(started?.visit_total_actions), 0);
      assert.equal(Number(started?.visit_total_events), 0);
      const newcomerActions = await db.selectFrom('log_link_visit_action').select('idlink_va').where('idvisitor', '=', newcomer).execute();
      assert.equal(newcomerActions.length, 0);
      assert.deepEqual((await conversionsOf(newcomer)).map(([idgoal]) => idgoal), [manual]);
    });

    test('heartbeat records no order or cart', async () => {
      // A visit goal the visit never reaches, so the heartbeat path looks at the site's goals.
      await addGoal({ name: 'Many actions', matchAttribute: 'visit_total_actions', pattern: '100' });
      const manual = await addGoal({ name: 'Callback', matchAttribute: 'manually', revenue: '4' });
      const base = Date.now() - 3_600_000;
      const visitor = 'ccccccccccccccc1';
      const db = tenantDb(suite.root, suite.host);
      const items = JSON.stringify([['SKU-P', 'Pen', 'Office', 2, 3]]);

      await track(visitor, base, { action_name: 'Shop' });
      await track(visitor, base + 10_000, { ping: '1', idgoal: '0', ec_items: items, revenue: '6' });
      await track(visitor, base + 20_000, { ping: '1', idgoal: '0', ec_id: `PING-${visitor}`, ec_items: items, revenue: '6' });
      await track(visitor, base + 30_000, { ping: '1', idgoal: String(manual) });

      assert.deepEqual(await conversionsOf(visitor), []);
      const storedItems = await db.selectFrom('log_conversion_item').select('idorder').where('idvisitor', '=', visitor).execute();
      assert.equal(storedItems.length, 0);
      const visit = await db.selectFrom('log_visit').select(['visit_goal_buyer', 'visit_goal_converted', 'visit_total_time'])
        .where('idvisitor', '=', visitor).executeTakeFirstOrThrow();
      assert.equal(Number(visit.visit_goal_buyer), 0);
      assert.equal(Number(visit.visit_goal_converted), 0);
      assert.equal(Number(visit.visit_total_time), 30, 'the heartbeats still extend the visit');
    });

    test('heartbeat visit goal takes default revenue', async () => {
      const base = Date.now() - 3_600_000;
      const visitor = 'ccccccccccccccc2';
      await track(visitor, base, { action_name: 'Shop' });
      // Added after the pageview, so the goal converts on the heartbeat, which carries an order's revenue.
      const goal = await addGoal({ name: 'Any action', matchAttribute: 'visit_total_actions', pattern: '0', revenue: '2' });
      await track(visitor, base + 10_000, { ping: '1', idgoal: '0', ec_id: `PING-${visitor}`, revenue: '10' });
      assert.deepEqual(await conversionsOf(visitor), [[goal, 2]]);
    });
  });
}
