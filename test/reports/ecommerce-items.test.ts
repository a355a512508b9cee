import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { createAction, createConversion, createVisit, ensureLogAction } from '../support/log-factories.js';
import { createReportFixture, type ReportFixture } from '../support/report-fixture.js';

/** One line of an order or cart. An `idorder` of '0' marks an abandoned cart, as tracking stores it. */
interface ItemLine {
  idvisit: number;
  time: string;
  idorder: string;
  sku: string;
  name: string;
  categories: string[];
  price: number;
  quantity: number;
}

for (const adapter of ALL_ENGINES) {
  describe(`Goals item reports on ${adapter}`, async () => {
    const skip = await engineSkip(adapter);
    let fixture: ReportFixture;
    const items = (query: string) => fixture.getJson(`idSite=${fixture.siteId}&${query}`);

    const addItem = async (line: ItemLine) => {
      const { db, siteId } = fixture;
      const categories = [];
      for (let index = 0; index < 5; index += 1) categories.push(line.categories[index] ? await ensureLogAction(db, line.categories[index]!, 7) : 0);
      await db.insertInto('log_conversion_item').values({
        idsite: siteId, idvisitor: '0123456789abcdef', server_time: line.time, idvisit: line.idvisit, idorder: line.idorder,
        idaction_sku: await ensureLogAction(db, line.sku, 5), idaction_name: await ensureLogAction(db, line.name, 6),
        idaction_category: categories[0]!, idaction_category2: categories[1]!, idaction_category3: categories[2]!, idaction_category4: categories[3]!, idaction_category5: categories[4]!,
        price: line.price, quantity: line.quantity, deleted: 0,
      }).execute();
    };
    const addProductView = async (idvisit: number, time: string, sku: string, category: string, price: number) => {
      await createAction(fixture.db, {
        idsite: fixture.siteId, idvisit, server_time: time, url: `http://example.org/product/${sku}`, title: sku,
        idaction_product_sku: await ensureLogAction(fixture.db, sku, 5), idaction_product_cat: await ensureLogAction(fixture.db, category, 7), product_price: price,
      });
    };

    before(async () => {
      if (skip) return;
      fixture = await createReportFixture({ adapter });
      const { db, siteId } = fixture;
      // 2024-05-08. Visit A views SKU1 and orders 2 shirts and a mug; visit B (Chrome) orders a shirt;
      // visit C leaves 3 mugs in its cart; visit D only views SKU1 and SKU3.
      const visitA = await createVisit(db, { idsite: siteId, idvisitor: 'a0a0a0a0a0a0a0a0', visit_last_action_time: '2024-05-08 10:05:00', visit_goal_converted: 1 });
      await addProductView(visitA, '2024-05-08 10:00:00', 'SKU1', 'Clothes', 20);
      await createConversion(db, { idsite: siteId, idvisit: visitA, idgoal: 0, server_time: '2024-05-08 10:05:00', idorder: 'O1', revenue: 47.5, items: 2 });
      await addItem({ idvisit: visitA, time: '2024-05-08 10:05:00', idorder: 'O1', sku: 'SKU1', name: 'Shirt', categories: ['Clothes'], price: 20, quantity: 2 });
      await addItem({ idvisit: visitA, time: '2024-05-08 10:05:00', idorder: 'O1', sku: 'SKU2', name: 'Mug', categories: ['Kitchen', 'Gifts'], price: 7.5, quantity: 1 });

      const visitB = await createVisit(db, { idsite: siteId, idvisitor: 'b0b0b0b0b0b0b0b0', visit_last_action_time: '2024-05-08 11:00:00', visit_goal_converted: 1, config_browser_name: 'CH' });
      await createConversion(db, { idsite: siteId, idvisit: visitB, idgoal: 0, server_time: '2024-05-08 11:00:00', idorder: 'O2', revenue: 20, items: 1 });
      await addItem({ idvisit: visitB, time: '2024-05-08 11:00:00', idorder: 'O2', sku: 'SKU1', name: 'Shirt', categories: ['Clothes'], price: 20, quantity: 1 });

      const visitC = await createVisit(db, { idsite: siteId, idvisitor: 'c0c0c0c0c0c0c0c0', visit_last_action_time: '2024-05-08 12:00:00' });
      await createConversion(db, { idsite: siteId, idvisit: visitC, idgoal: -1, server_time: '2024-05-08 12:00:00', revenue: 22.5, items: 1 });
      await addItem({ idvisit: visitC, time: '2024-05-08 12:00:00', idorder: '0', sku: 'SKU2', name: 'Mug', categories: ['Kitchen', 'Gifts'], price: 7.5, quantity: 3 });

      const visitD = await createVisit(db, { idsite: siteId, idvisitor: 'd0d0d0d0d0d0d0d0', visit_last_action_time: '2024-05-08 13:01:00', visit_total_actions: 2 });
      await addProductView(visitD, '2024-05-08 13:00:00', 'SKU1', 'Clothes', 20);
      await addProductView(visitD, '2024-05-08 13:01:00', 'SKU3', 'Hats', 15);

      // 2024-05-09: visit E orders a shirt.
      const visitE = await createVisit(db, { idsite: siteId, idvisitor: 'e0e0e0e0e0e0e0e0', visit_last_action_time: '2024-05-09 09:00:00', visit_goal_converted: 1 });
      await createConversion(db, { idsite: siteId, idvisit: visitE, idgoal: 0, server_time: '2024-05-09 09:00:00', idorder: 'O3', revenue: 20, items: 1 });
      await addItem({ idvisit: visitE, time: '2024-05-09 09:00:00', idorder: 'O3', sku: 'SKU1', name: 'Shirt', categories: ['Clothes'], price: 20, quantity: 1 });
    });

    after(async () => {
      if (!skip) await fixture.close();
    });

    it('lists ordered SKUs with views', { skip }, async () => {
      assert.deepEqual(await items('method=Goals.getItemsSku&period=day&date=2024-05-08'), [
        { label: 'SKU1', revenue: 60, quantity: 3, orders: 2, nb_visits: 2, avg_price: 20, avg_quantity: 1.5, conversion_rate: '100%' },
        { label: 'SKU2', revenue: 7.5, quantity: 1, orders: 1, avg_price: 7.5, avg_quantity: 1, conversion_rate: '0%' },
        { label: 'SKU3', nb_visits: 1, avg_price: 15, avg_quantity: 0, conversion_rate: '0%' },
      ]);
    });

    it('lists abandoned cart items', { skip }, async () => {
      assert.deepEqual(await items('method=Goals.getItemsName&period=day&date=2024-05-08&abandonedCarts=1'), [
        { label: 'Mug', revenue: 22.5, quantity: 3, abandoned_carts: 1, avg_price: 7.5, avg_quantity: 3, conversion_rate: '0%' },
      ]);
    });

    it('counts an item in each of its categories', { skip }, async () => {
      assert.deepEqual(await items('method=Goals.getItemsCategory&period=day&date=2024-05-08&showColumns=revenue,orders,nb_visits'), [
        { label: 'Clothes', revenue: 60, orders: 2, nb_visits: 2 },
        // Equal revenue keeps the archive's order, by label.
        { label: 'Gifts', revenue: 7.5, orders: 1 },
        { label: 'Kitchen', revenue: 7.5, orders: 1 },
        { label: 'Hats', nb_visits: 1 },
      ]);
    });

    it('sums days into a week', { skip }, async () => {
      const week = await items('method=Goals.getItemsSku&period=week&date=2024-05-08&label=SKU1');
      assert.deepEqual(week, [{ label: 'SKU1', revenue: 80, quantity: 4, orders: 3, nb_visits: 2, avg_price: 20, avg_quantity: 1.3, conversion_rate: '150%' }]);
    });

    it('counts only the segment\'s visits', { skip }, async () => {
      const result = await items(`method=Goals.getItemsSku&period=day&date=2024-05-08&segment=${encodeURIComponent('browserCode==CH')}`);
      assert.deepEqual(result, [{ label: 'SKU1', revenue: 20, quantity: 1, orders: 1, avg_price: 20, avg_quantity: 1, conversion_rate: '0%' }]);
    });

    it('reports an order tracked with ec_items', { skip }, async () => {
      // 2024-05-10: one tracked order of 2 hats at 15 and a scarf at 12.5 in two categories.
      const items = JSON.stringify([['SKU3', 'Hat', 'Hats', 15, 2], ['SKU4', 'Scarf', ['Clothes', 'Winter'], 12.5, 1]]);
      const query = new URLSearchParams({
        idsite: String(fixture.siteId), rec: '1', cid: 'f6f6f6f6f6f6f6f6', cdt: '2024-05-10 09:00:00', token_auth: fixture.token,
        url: 'https://example.org/thanks', idgoal: '0', ec_id: 'T1', revenue: '42.5', ec_items: items, send_image: '0',
      });
      const response = await fixture.app.inject({ method: 'GET', url: `/matomo.php?${query}`, headers: { host: fixture.host } });
      assert.equal(response.statusCode, 204, response.body);
      const day = (action: string) => fixture.getJson(`idSite=${fixture.siteId}&method=Goals.${action}&period=day&date=2024-05-10&showColumns=revenue,quantity,orders`);
      assert.deepEqual(await day('getItemsSku'), [{ label: 'SKU3', revenue: 30, quantity: 2, orders: 1 }, { label: 'SKU4', revenue: 12.5, quantity: 1, orders: 1 }]);
      assert.deepEqual(await day('getItemsCategory'), [
        { label: 'Hats', revenue: 30, quantity: 2, orders: 1 },
        { label: 'Clothes', revenue: 12.5, quantity: 1, orders: 1 },
        { label: 'Winter', revenue: 12.5, quantity: 1, orders: 1 },
      ]);
    });

    it('rejects an invalid abandonedCarts', { skip }, async () => {
      const response = await fixture.app.inject({
        method: 'GET', headers: { host: fixture.host },
        url: `/index.php?module=API&format=json&token_auth=${fixture.token}&method=Goals.getItemsSku&idSite=${fixture.siteId}&period=day&date=2024-05-08&abandonedCarts=yes`,
      });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().code, 'PARAMETER_INVALID');
    });
  });
}
