import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCoreArchive } from '../../src/archiving/core-archive.js';
import { createSilentLogger } from '../../src/logging.js';
import { deleteAllTenants } from '../support/console-runner.js';
import { engineSkip } from '../support/engines.js';
import { createAction, createVisit } from '../support/log-factories.js';
import { buildTestServer, createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';
import { withoutRowMetadata } from '../support/report-fixture.js';

const CLOCK = () => new Date('2024-05-20T12:00:00Z');

/** Creates a tenant on an engine with the fixture's clock and a +5:45 time zone. */
function createEngineTenant(root: TestRoot, adapter: 'mysql' | 'pgsql') {
  return createTestTenant(root, { adapter, clock: CLOCK, timezone: 'Asia/Kathmandu' });
}

for (const adapter of ['mysql', 'pgsql'] as const) {
  describe(`reports on ${adapter}`, async () => {
    const skip = await engineSkip(adapter);

    it('archives and serves reports with a segment', { skip }, async () => {
      const root = createTestRoot();
      try {
        const tenant = await createEngineTenant(root, adapter);
        const db = root.registry.require(tenant.host).db();
        // 2024-05-01 18:00 UTC is 2024-05-01 23:45 in Kathmandu; 18:30 UTC is already 2024-05-02 there.
        const first = await createVisit(db, { idsite: tenant.idSite, visit_last_action_time: '2024-05-01 18:00:00', visit_total_actions: 2, referer_type: 2, referer_name: 'Google', visitor_count_visits: 2, visitor_seconds_since_last: 129600 });
        await createAction(db, { idsite: tenant.idSite, idvisit: first, server_time: '2024-05-01 18:00:00', url: 'https://example.org/blog/a', title: 'Blog / A' });
        await createVisit(db, { idsite: tenant.idSite, idvisitor: 'bbbbbbbbbbbbbbbb', visit_last_action_time: '2024-05-01 18:30:00', config_browser_name: 'CH' });
        await db.insertInto('archive_invalidations').values({ idsite: tenant.idSite, date: '2024-05-01', ts_invalidated: '2024-05-20 11:00:00' }).execute();

        const result = await runCoreArchive({ db, settings: root.registry.require(tenant.host).settings, clock: CLOCK, logger: createSilentLogger(), tenant: tenant.host });
        assert.equal(result.archives, 4);

        const app = await buildTestServer(root, CLOCK);
        try {
          const get = async (query: string) => (await app.inject({ method: 'GET', headers: { host: tenant.host }, url: `/index.php?module=API&format=json&token_auth=${tenant.tokenAuth}&idSite=${tenant.idSite}&${query}` })).json();
          assert.equal((await get('method=VisitsSummary.get&period=day&date=2024-05-01')).nb_visits, 1);
          assert.equal((await get('method=VisitsSummary.get&period=week&date=2024-05-01')).nb_visits, 2);
          const daysSinceLast = await get('method=VisitorInterest.getNumberOfVisitsByDaysSinceLast&period=week&date=2024-05-01');
          assert.deepEqual(daysSinceLast.filter((row: any) => row.nb_visits > 0).map((row: any) => [row.label, row.nb_visits]), [['1 day', 1]]);
          const weekdays = await get('method=VisitTime.getByDayOfWeek&period=week&date=2024-05-01');
          assert.deepEqual(weekdays.filter((row: any) => row.nb_visits > 0).map((row: any) => [row.label, row.nb_visits]), [['Wednesday', 1], ['Thursday', 1]]);
          assert.equal((await get(`method=VisitsSummary.get&period=month&date=2024-05-01&segment=${encodeURIComponent('browserCode==CH')}`)).nb_visits, 1);
          assert.equal((await get(`method=VisitsSummary.get&period=month&date=2024-05-01&segment=${encodeURIComponent('pageUrl=@blog;referrerType==search')}`)).nb_visits, 1);
          assert.deepEqual((withoutRowMetadata(await get('method=Actions.getPageUrls&period=day&date=2024-05-01&flat=1&showColumns=nb_hits'))), [{ label: '/blog/a', nb_hits: 1 }]);
          assert.deepEqual((withoutRowMetadata(await get('method=DevicesDetection.getOsFamilies&period=week&date=2024-05-01&showColumns=nb_visits'))), [{ label: 'Windows', nb_visits: 2 }]);
        } finally {
          await app.close();
        }
      } finally {
        await deleteAllTenants(root);
      }
    });
  });
}
