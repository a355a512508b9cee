import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
import { FixedOffsetZone } from 'luxon';
import { LogQuery } from '../../src/archiving/log-query.js';
import { countOptionalActions, hasOptionalActionColumn } from '../../src/reports/log-contents.js';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { createAction, createVisit } from '../support/log-factories.js';
import { useTestRoot } from '../support/suite-root.js';
import { createTestTenant } from '../support/test-root.js';

const BOUNDS = { start: '2024-05-01 00:00:00', end: '2024-05-02 00:00:00' };

for (const adapter of ALL_ENGINES) {
  describe(`optional action counts on ${adapter}`, async () => {
    const skip = await engineSkip(adapter);
    const suite = useTestRoot(async (root) => {
      const created = await createTestTenant(root, { adapter, timezone: 'UTC' });
      const db = root.registry.require(created.host).db();
      const idvisit = await createVisit(db, { idsite: created.idSite, visit_last_action_time: '2024-05-01 10:05:00' });
      const action = { idsite: created.idSite, idvisit };
      await createAction(db, { ...action, server_time: '2024-05-01 10:00:00', url: 'https://example.org/plain' });
      await createAction(db, { ...action, server_time: '2024-05-01 10:01:00', url: 'https://example.org/timed', time_network: 10, time_on_load: 30 });
      await createAction(db, { ...action, server_time: '2024-05-01 10:02:00', url: 'https://example.org/server', time_server: 5 });
      await createAction(db, { ...action, server_time: '2024-05-01 10:03:00', url: 'https://example.org/product', idaction_product_sku: 1, idaction_product_cat: 2 });
      await createAction(db, { ...action, server_time: '2024-05-01 10:04:00', eventCategory: 'Video', eventAction: 'Play' });
      // Outside the bounds, so nothing of it is counted.
      await createAction(db, { ...action, server_time: '2024-05-02 00:00:00', url: 'https://example.org/next', time_network: 99, idaction_product_name: 3 });
      return { query: new LogQuery(db, created.idSite, BOUNDS, null, FixedOffsetZone.utcInstance) };
    }, { deleteTenants: true, skip });

    it('counts events, timings and products', { skip }, async () => {
      const counts = await countOptionalActions(suite.query);
      assert.equal(counts.events, 1);
      assert.equal(counts.timings, 2);
      assert.deepEqual(counts.timingSums.time_network, { total: 10, hits: 1 });
      assert.deepEqual(counts.timingSums.time_server, { total: 5, hits: 1 });
      assert.deepEqual(counts.timingSums.time_on_load, { total: 30, hits: 1 });
      assert.deepEqual(counts.timingSums.time_transfer, { total: 0, hits: 0 });
      assert.deepEqual(counts.timingSums.page_load, { total: 45, hits: 2 });
      assert.equal(counts.productSkus, 1);
      assert.equal(counts.productNames, 0);
      assert.equal(counts.productCategories, 1);
    });

    // EXPLAIN QUERY PLAN and its output are SQLite's own, so the plan is checked there only.
    if (adapter === 'sqlite') {
      it('reads only the partial index', { skip }, async () => {
        const compiled = suite.query.actions().where(hasOptionalActionColumn()).select(sql<number>`count(*)`.as('actions')).compile();
        const plan = await suite.query.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${compiled.sql}`, [...compiled.parameters]));
        const details = plan.rows.map((row) => row.detail).join(' | ');
        assert.match(details, /USING INDEX \S*log_link_visit_action_idsite_servertime_optional/);
      });
    }
  });
}
