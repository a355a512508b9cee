import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { createConversion, createVisit } from '../support/log-factories.js';
import { createReportFixture, type ReportFixture } from '../support/report-fixture.js';

const GOAL_VIEW_COLUMNS = /^(revenue_per_visit|goal_(\d+|ecommerceOrder|ecommerceAbandonedCart)_.+)$/;

/** Returns each row's label with only its goal view columns, in output order. */
function goalViewOf(rows: any[]): [string, Record<string, unknown>][] {
  return rows.map((row) => [row.label, Object.fromEntries(Object.entries(row).filter(([name]) => GOAL_VIEW_COLUMNS.test(name)))]);
}

for (const adapter of ALL_ENGINES) {
  describe(`goal view of report rows on ${adapter}`, async () => {
    const skip = await engineSkip(adapter);
    let fixture: ReportFixture;
    const websites = (extra: string) => fixture.getJson(`method=Referrers.getWebsites&idSite=${fixture.siteId}&period=day&date=2024-05-09&filter_update_columns_when_show_all_goals=1${extra}`);
    const shopWebsites = (extra: string) => fixture.getJson(`method=Referrers.getWebsites&idSite=${fixture.siteId}&period=day&date=2024-05-10&filter_update_columns_when_show_all_goals=1${extra}`);

    before(async () => {
      if (skip) return;
      fixture = await createReportFixture({ adapter });
      const { db, siteId } = fixture;
      // 2024-05-09: W1 from news.example.com/a converts goal 1 (10) and goal 2 (4), W2 from news.example.com/b
      // converts nothing, and W3 from blog.example.net converts goal 1 (6).
      const referrer = (name: string, url: string) => ({ referer_type: 3, referer_name: name, referer_url: url });
      const w1 = await createVisit(db, { idsite: siteId, idvisitor: 'a1a1a1a1a1a1a1a1', visit_last_action_time: '2024-05-09 10:00:00', visit_goal_converted: 1, ...referrer('news.example.com', 'https://news.example.com/a') });
      await createConversion(db, { idsite: siteId, idvisit: w1, idgoal: 1, server_time: '2024-05-09 10:00:00', revenue: 10 });
      await createConversion(db, { idsite: siteId, idvisit: w1, idgoal: 2, server_time: '2024-05-09 10:00:00', revenue: 4 });
      await createVisit(db, { idsite: siteId, idvisitor: 'b2b2b2b2b2b2b2b2', visit_last_action_time: '2024-05-09 11:00:00', ...referrer('news.example.com', 'https://news.example.com/b') });
      const w3 = await createVisit(db, { idsite: siteId, idvisitor: 'c3c3c3c3c3c3c3c3', visit_last_action_time: '2024-05-09 12:00:00', visit_goal_converted: 1, ...referrer('blog.example.net', 'https://blog.example.net/x') });
      await createConversion(db, { idsite: siteId, idvisit: w3, idgoal: 1, server_time: '2024-05-09 12:00:00', revenue: 6 });

      // 2024-05-10: E1 from shop.example.com/a converts goal 1 (5) and orders 3 items (30), E2 from
      // shop.example.com/b leaves a cart of 2 items (12), and E3 from other.example.net orders 1 item (20).
      const order = { revenue_subtotal: 25, revenue_tax: 3, revenue_shipping: 2, revenue_discount: 0 };
      const e1 = await createVisit(db, { idsite: siteId, idvisitor: 'e1e1e1e1e1e1e1e1', visit_last_action_time: '2024-05-10 10:00:00', visit_goal_converted: 1, ...referrer('shop.example.com', 'https://shop.example.com/a') });
      await createConversion(db, { idsite: siteId, idvisit: e1, idgoal: 1, server_time: '2024-05-10 10:00:00', revenue: 5 });
      await createConversion(db, { idsite: siteId, idvisit: e1, idgoal: 0, server_time: '2024-05-10 10:00:00', idorder: 'order-1', revenue: 30, items: 3, ...order });
      const e2 = await createVisit(db, { idsite: siteId, idvisitor: 'e2e2e2e2e2e2e2e2', visit_last_action_time: '2024-05-10 11:00:00', ...referrer('shop.example.com', 'https://shop.example.com/b') });
      await createConversion(db, { idsite: siteId, idvisit: e2, idgoal: -1, server_time: '2024-05-10 11:00:00', revenue: 12, items: 2 });
      const e3 = await createVisit(db, { idsite: siteId, idvisitor: 'e3e3e3e3e3e3e3e3', visit_last_action_time: '2024-05-10 12:00:00', visit_goal_converted: 1, ...referrer('other.example.net', 'https://other.example.net/') });
      await createConversion(db, { idsite: siteId, idvisit: e3, idgoal: 0, server_time: '2024-05-10 12:00:00', idorder: 'order-2', revenue: 20, items: 1, revenue_subtotal: 20 });
    });

    after(async () => {
      if (!skip) await fixture.close();
    });

    it('adds every goal column with idGoal=0', { skip }, async () => {
      assert.deepEqual(goalViewOf(await websites('&idGoal=0')), [
        ['news.example.com', {
          revenue_per_visit: 7,
          goal_1_conversion_rate: '50%', goal_1_nb_conversions: 1, goal_1_revenue_per_visit: 5, goal_1_revenue: 10,
          goal_2_conversion_rate: '50%', goal_2_nb_conversions: 1, goal_2_revenue_per_visit: 2, goal_2_revenue: 4,
        }],
        ['blog.example.net', {
          revenue_per_visit: 6,
          goal_1_conversion_rate: '100%', goal_1_nb_conversions: 1, goal_1_revenue_per_visit: 6, goal_1_revenue: 6,
          goal_2_conversion_rate: '0%', goal_2_nb_conversions: 0, goal_2_revenue_per_visit: 0, goal_2_revenue: 0,
        }],
      ]);
    });

    it('adds conversion rates by default', { skip }, async () => {
      assert.deepEqual(goalViewOf(await websites('')), [
        ['news.example.com', { revenue_per_visit: 7, goal_1_conversion_rate: '50%', goal_2_conversion_rate: '50%' }],
        ['blog.example.net', { revenue_per_visit: 6, goal_1_conversion_rate: '100%', goal_2_conversion_rate: '0%' }],
      ]);
    });

    it('adds one goal\'s columns with its id', { skip }, async () => {
      assert.deepEqual(goalViewOf(await websites('&idGoal=2')), [
        ['news.example.com', { revenue_per_visit: 7, goal_2_conversion_rate: '50%', goal_2_nb_conversions: 1, goal_2_revenue_per_visit: 2, goal_2_revenue: 4 }],
        // A row without conversions of the goal gets its columns as zeros, so sorting keeps it.
        ['blog.example.net', { revenue_per_visit: 6, goal_2_conversion_rate: '0%', goal_2_nb_conversions: 0, goal_2_revenue_per_visit: 0, goal_2_revenue: 0 }],
      ]);
    });

    it('adds only revenue per visit with idGoal=-2', { skip }, async () => {
      assert.deepEqual(goalViewOf(await websites('&idGoal=-2')), [
        ['news.example.com', { revenue_per_visit: 7 }],
        ['blog.example.net', { revenue_per_visit: 6 }],
      ]);
    });

    it('adds goal columns to a subtable', { skip }, async () => {
      const [news] = await websites('&idGoal=0');
      const urls = await websites(`&idGoal=1&idSubtable=${news.idsubdatatable}`);
      assert.deepEqual(urls.map((row: any) => [row.label, row.nb_visits, row.goals]), [
        ['https://news.example.com/a', 1, { 'idgoal=1': { nb_conversions: 1, nb_visits_converted: 1, revenue: 10 }, 'idgoal=2': { nb_conversions: 1, nb_visits_converted: 1, revenue: 4 } }],
        ['https://news.example.com/b', 1, undefined],
      ]);
      assert.deepEqual(goalViewOf(urls), [
        ['https://news.example.com/a', { revenue_per_visit: 14, goal_1_conversion_rate: '100%', goal_1_nb_conversions: 1, goal_1_revenue_per_visit: 10, goal_1_revenue: 10 }],
        ['https://news.example.com/b', { revenue_per_visit: 0, goal_1_conversion_rate: '0%', goal_1_nb_conversions: 0, goal_1_revenue_per_visit: 0, goal_1_revenue: 0 }],
      ]);
    });

    it('sorts by a goal column', { skip }, async () => {
      const rows = await websites('&idGoal=0&filter_sort_column=goal_1_revenue&filter_sort_order=asc');
      assert.deepEqual(rows.map((row: any) => row.label), ['blog.example.net', 'news.example.com']);
    });

    it('nests e-commerce records in goals', { skip }, async () => {
      const rows = await shopWebsites('&idGoal=-2');
      assert.deepEqual(rows.map((row: any) => [row.label, row.nb_conversions, row.revenue]), [['shop.example.com', 2, 35], ['other.example.net', 1, 20]]);
      assert.deepEqual(rows[0].goals, {
        'idgoal=1': { nb_conversions: 1, nb_visits_converted: 1, revenue: 5 },
        'idgoal=ecommerceOrder': {
          nb_conversions: 1, nb_visits_converted: 1, revenue: 30, revenue_subtotal: 25, revenue_tax: 3, revenue_shipping: 2, revenue_discount: 0, items: 3,
        },
        'idgoal=ecommerceAbandonedCart': { nb_conversions: 1, nb_visits_converted: 1, revenue: 12, items: 2 },
      });
    });

    it('adds order columns with idGoal=ecommerceOrder', { skip }, async () => {
      assert.deepEqual(goalViewOf(await shopWebsites('&idGoal=ecommerceOrder')), [
        // The abandoned cart is lost revenue, so revenue per visit is (5 + 30) / 2.
        ['shop.example.com', {
          revenue_per_visit: 17.5, goal_ecommerceOrder_conversion_rate: '50%', goal_ecommerceOrder_nb_conversions: 1,
          goal_ecommerceOrder_revenue_per_visit: 15, goal_ecommerceOrder_revenue: 30, goal_ecommerceOrder_avg_order_revenue: 30, goal_ecommerceOrder_items: 3,
        }],
        ['other.example.net', {
          revenue_per_visit: 20, goal_ecommerceOrder_conversion_rate: '100%', goal_ecommerceOrder_nb_conversions: 1,
          goal_ecommerceOrder_revenue_per_visit: 20, goal_ecommerceOrder_revenue: 20, goal_ecommerceOrder_avg_order_revenue: 20, goal_ecommerceOrder_items: 1,
        }],
      ]);
    });

    it('adds cart columns with idGoal=ecommerceAbandonedCart', { skip }, async () => {
      assert.deepEqual(goalViewOf(await shopWebsites('&idGoal=ecommerceAbandonedCart')), [
        ['shop.example.com', {
          revenue_per_visit: 17.5, goal_ecommerceAbandonedCart_conversion_rate: '50%', goal_ecommerceAbandonedCart_nb_conversions: 1,
          goal_ecommerceAbandonedCart_revenue_per_visit: 6, goal_ecommerceAbandonedCart_revenue: 12, goal_ecommerceAbandonedCart_avg_order_revenue: 12, goal_ecommerceAbandonedCart_items: 2,
        }],
        ['other.example.net', {
          revenue_per_visit: 20, goal_ecommerceAbandonedCart_conversion_rate: '0%', goal_ecommerceAbandonedCart_nb_conversions: 0,
          goal_ecommerceAbandonedCart_revenue_per_visit: 0, goal_ecommerceAbandonedCart_revenue: 0, goal_ecommerceAbandonedCart_avg_order_revenue: 0, goal_ecommerceAbandonedCart_items: 0,
        }],
      ]);
    });

    it('lists e-commerce columns in the full view', { skip }, async () => {
      const [shop] = goalViewOf(await shopWebsites('&idGoal=0'));
      const expected = ['revenue_per_visit'];
      for (const idGoal of ['1', 'ecommerceAbandonedCart', 'ecommerceOrder']) {
        expected.push(`goal_${idGoal}_conversion_rate`, `goal_${idGoal}_nb_conversions`, `goal_${idGoal}_revenue_per_visit`, `goal_${idGoal}_revenue`);
      }
      assert.deepEqual(Object.keys(shop![1]).sort(), expected.sort());
      assert.equal(shop![1].goal_ecommerceOrder_revenue_per_visit, 15);
    });

    it('adds order columns to a subtable', { skip }, async () => {
      const [shop] = await shopWebsites('&idGoal=-2');
      assert.deepEqual(goalViewOf(await shopWebsites(`&idGoal=ecommerceOrder&idSubtable=${shop.idsubdatatable}`)), [
        ['https://shop.example.com/a', {
          revenue_per_visit: 35, goal_ecommerceOrder_conversion_rate: '100%', goal_ecommerceOrder_nb_conversions: 1,
          goal_ecommerceOrder_revenue_per_visit: 30, goal_ecommerceOrder_revenue: 30, goal_ecommerceOrder_avg_order_revenue: 30, goal_ecommerceOrder_items: 3,
        }],
        ['https://shop.example.com/b', {
          revenue_per_visit: 0, goal_ecommerceOrder_conversion_rate: '0%', goal_ecommerceOrder_nb_conversions: 0,
          goal_ecommerceOrder_revenue_per_visit: 0, goal_ecommerceOrder_revenue: 0, goal_ecommerceOrder_avg_order_revenue: 0, goal_ecommerceOrder_items: 0,
        }],
      ]);
    });

    it('sums e-commerce goals over a week', { skip }, async () => {
      const rows = await fixture.getJson(`method=Referrers.getWebsites&idSite=${fixture.siteId}&period=week&date=2024-05-10&filter_update_columns_when_show_all_goals=1&idGoal=ecommerceOrder&showColumns=goals`);
      const shop = rows.find((row: any) => row.label === 'shop.example.com');
      assert.deepEqual(shop.goals['idgoal=ecommerceOrder'], {
        nb_conversions: 1, nb_visits_converted: 1, revenue: 30, revenue_subtotal: 25, revenue_tax: 3, revenue_shipping: 2, revenue_discount: 0, items: 3,
      });
    });

    it('serves Goals.get for orders in the goal view', { skip }, async () => {
      const orders = await fixture.getJson(`method=Goals.get&idSite=${fixture.siteId}&period=day&date=2024-05-10&idGoal=ecommerceOrder&filter_update_columns_when_show_all_goals=1`);
      assert.deepEqual(orders, {
        nb_conversions: 2, nb_visits_converted: 2, revenue: 50, conversion_rate: '66.67%', items: 4, revenue_subtotal: 45,
        revenue_tax: 3, revenue_shipping: 2, revenue_discount: 0, avg_order_revenue: 25,
      });
    });

    it('rejects an unknown idGoal word', { skip }, async () => {
      const response = await fixture.app.inject({
        method: 'GET', headers: { host: fixture.host },
        url: `/index.php?module=API&format=json&token_auth=${fixture.token}&method=Referrers.getWebsites&idSite=${fixture.siteId}&period=day&date=2024-05-10&filter_update_columns_when_show_all_goals=1&idGoal=ecommerce`,
      });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().code, 'PARAMETER_INVALID');
      assert.match(response.json().message, /'ecommerce'.*ecommerceOrder or ecommerceAbandonedCart/);
    });

    it('rejects an idGoal below -2', { skip }, async () => {
      const response = await fixture.app.inject({
        method: 'GET', headers: { host: fixture.host },
        url: `/index.php?module=API&format=json&token_auth=${fixture.token}&method=Referrers.getWebsites&idSite=${fixture.siteId}&period=day&date=2024-05-09&filter_update_columns_when_show_all_goals=1&idGoal=-3`,
      });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().code, 'PARAMETER_INVALID');
    });
  });
}
