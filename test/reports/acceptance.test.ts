import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { runCoreArchive } from '../../src/archiving/core-archive.js';
import { createSilentLogger } from '../../src/logging.js';
import { parseTenantHostName } from '../../src/tenancy/tenant-host.js';
import { deleteTenant } from '../../src/tenancy/tenant-deleter.js';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { buildTestServer, createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0';
const CLOCK = () => new Date('2024-03-20T12:00:00Z');

// America/New_York moves from UTC-5 to UTC-4 at 2024-03-10 02:00 local time.
for (const adapter of ALL_ENGINES) {
  describe(`tracked hits to reports on ${adapter}`, async () => {
    const skip = await engineSkip(adapter);
    let root: TestRoot;
    let app: FastifyInstance;
    let host: string;
    let token: string;
    let siteId: number;

    const track = async (visitor: string, cdt: string, path: string) => {
      const query = new URLSearchParams({ idsite: String(siteId), rec: '1', cid: visitor, cdt, token_auth: token, url: `https://example.org${path}`, send_image: '0' });
      const response = await app.inject({ method: 'GET', url: `/matomo.php?${query}`, headers: { host, 'user-agent': FIREFOX } });
      assert.equal(response.statusCode, 204);
    };
    const report = async (query: string) => {
      const response = await app.inject({ method: 'GET', headers: { host }, url: `/index.php?module=API&format=json&token_auth=${token}&idSite=${siteId}&${query}` });
      assert.equal(response.statusCode, 200, response.body);
      return response.json();
    };
    // NOTE: the tracking writer stamps archive_invalidations with the wall clock, not the injected one,
    // so core:archive runs on the wall clock here to clear the rows it finished.
    const archive = () => runCoreArchive({ db: root.registry.require(host).db(), settings: root.registry.require(host).settings, clock: () => new Date(), logger: createSilentLogger(), tenant: host });

    before(async () => {
      if (skip) return;
      root = createTestRoot();
      const tenant = await createTestTenant(root, { adapter, clock: CLOCK, timezone: 'America/New_York', siteUrl: 'https://example.org' });
      ({ host, tokenAuth: token, idSite: siteId } = tenant);
      app = await buildTestServer(root, CLOCK);
      // Hits across local midnight (2024-03-09 23:50 and 2024-03-10 00:10 in New York) make two visits, as Matomo ends a visit at the site's midnight.
      await track('00000000000000a1', '2024-03-10 04:50:00', '/late');
      await track('00000000000000a1', '2024-03-10 05:10:00', '/after-midnight');
      // Hits out of order: 2024-03-12 arrives before 2024-03-10 (11:00 local, already daylight time).
      await track('00000000000000c3', '2024-03-12 15:00:00', '/c');
      await track('00000000000000b2', '2024-03-10 15:00:00', '/b');
    });

    after(async () => {
      if (skip) return;
      await app.close();
      await deleteTenant(root.registry, parseTenantHostName(host));
      await root.cleanup();
    });

    it('splits a visit at the site\'s midnight', { skip }, async () => {
      await archive();
      const march9 = await report('method=VisitsSummary.get&period=day&date=2024-03-09&showColumns=nb_visits,nb_actions');
      assert.deepEqual(march9, { nb_visits: 1, nb_actions: 1 });
      assert.equal((await report('method=Actions.get&period=day&date=2024-03-09')).nb_pageviews, 1);
      const march10 = await report('method=VisitsSummary.get&period=day&date=2024-03-10&showColumns=nb_visits,nb_actions,bounce_count');
      assert.deepEqual(march10, { nb_visits: 2, nb_actions: 2, bounce_count: 2 });
      assert.equal((await report('method=Actions.get&period=day&date=2024-03-10')).nb_pageviews, 2);
    });

    it('sums days into weeks, months, years and ranges', { skip }, async () => {
      const visits = async (period: string, date: string) => (await report(`method=VisitsSummary.get&period=${period}&date=${date}`)).nb_visits;
      assert.equal(await visits('week', '2024-03-10'), 3);
      assert.equal(await visits('week', '2024-03-12'), 1);
      assert.equal(await visits('month', '2024-03-10'), 4);
      assert.equal(await visits('year', '2024-03-10'), 4);
      assert.equal(await visits('range', '2024-03-09,2024-03-11'), 3);
      const last7 = await report('method=VisitsSummary.get&period=day&date=last7&showColumns=nb_visits');
      assert.deepEqual(Object.keys(last7), ['2024-03-14', '2024-03-15', '2024-03-16', '2024-03-17', '2024-03-18', '2024-03-19', '2024-03-20']);
      const lastDays = await report('method=VisitsSummary.get&period=day&date=2024-03-09,2024-03-12&showColumns=nb_visits');
      assert.deepEqual(lastDays, { '2024-03-09': { nb_visits: 1 }, '2024-03-10': { nb_visits: 2 }, '2024-03-11': [], '2024-03-12': { nb_visits: 1 } });
    });

    it('archives nothing again, then only a new hit\'s day and parents', { skip }, async () => {
      await archive();
      const idle = await archive();
      assert.equal(idle.archives, 0);
      await track('00000000000000d4', '2024-03-13 15:00:00', '/d');
      const next = await archive();
      assert.deepEqual(next.sites.map((site) => [site.idSite, site.days]), [[siteId, ['2024-03-13']]]);
      // Day 2024-03-13, the week from 2024-03-11, March and 2024.
      assert.equal(next.archives, 4);
      assert.equal((await report('method=VisitsSummary.get&period=month&date=2024-03-01')).nb_visits, 5);
    });
  });
}
