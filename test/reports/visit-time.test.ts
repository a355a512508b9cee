import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createVisit } from '../support/log-factories.js';
import { FIXTURE_CLOCK } from '../support/report-fixture.js';
import { buildTestServer, createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';

describe('VisitTime hours', () => {
  let root: TestRoot;
  let app: FastifyInstance;
  const sites: Record<string, { host: string; token: string; siteId: number }> = {};

  async function hours(zone: string, date: string): Promise<[string, number][]> {
    const site = sites[zone]!;
    const response = await app.inject({
      method: 'GET', headers: { host: site.host },
      url: `/index.php?module=API&format=json&token_auth=${site.token}&method=VisitTime.getVisitInformationPerServerTime&idSite=${site.siteId}&period=day&date=${date}`,
    });
    const rows = response.json() as { label: string; nb_visits: number }[];
    assert.deepEqual(rows.map((row) => row.label), Array.from({ length: 24 }, (_, hour) => `${hour}h`));
    return rows.filter((row) => row.nb_visits > 0).map((row) => [row.label, row.nb_visits]);
  }

  before(async () => {
    root = createTestRoot();
    for (const [zone, times] of [
      // Kathmandu is UTC+5:45, so the UTC hour 18 contains 23:45 to 23:59 of one local day and 00:00 to 00:44 of the next.
      ['Asia/Kathmandu', ['2024-05-01 18:10:00', '2024-05-01 18:20:00', '2024-05-02 18:14:59']],
      // New York goes back from 02:00 EDT to 01:00 EST on 2024-11-03, so 01:xx local happens twice.
      ['America/New_York', ['2024-11-03 05:30:00', '2024-11-03 06:30:00', '2024-11-03 07:30:00']],
    ] as const) {
      const tenant = await createTestTenant(root, { timezone: zone, clock: FIXTURE_CLOCK });
      const db = root.registry.require(tenant.host).db();
      for (const time of times) await createVisit(db, { idsite: tenant.idSite, visit_last_action_time: time });
      sites[zone] = { host: tenant.host, token: tenant.tokenAuth, siteId: tenant.idSite };
    }
    app = await buildTestServer(root, () => new Date('2024-12-01T00:00:00Z'));
  });

  after(async () => {
    await app.close();
    await root.cleanup();
  });

  it('splits a UTC hour across two local hours at +5:45', async () => {
    assert.deepEqual(await hours('Asia/Kathmandu', '2024-05-01'), [['23h', 1]]);
    assert.deepEqual(await hours('Asia/Kathmandu', '2024-05-02'), [['0h', 1], ['23h', 1]]);
  });

  it('lists all 24 hours with zeros for hours without visits', async () => {
    const site = sites['Asia/Kathmandu']!;
    const response = await app.inject({
      method: 'GET', headers: { host: site.host },
      url: `/index.php?module=API&format=json&token_auth=${site.token}&method=VisitTime.getVisitInformationPerServerTime&idSite=${site.siteId}&period=day&date=2024-05-01&filter_limit=1`,
    });
    assert.deepEqual(response.json(), [{ label: '0h', nb_uniq_visitors: 0, nb_visits: 0, nb_actions: 0, max_actions: 0, sum_visit_length: 0, bounce_count: 0, nb_visits_converted: 0 }]);
  });

  it('returns [] without visits', async () => {
    const site = sites['Asia/Kathmandu']!;
    const response = await app.inject({
      method: 'GET', headers: { host: site.host },
      url: `/index.php?module=API&format=json&token_auth=${site.token}&method=VisitTime.getVisitInformationPerServerTime&idSite=${site.siteId}&period=day&date=2024-04-01`,
    });
    assert.deepEqual(response.json(), []);
  });

  it('counts the repeated hour of a fall-back day once', async () => {
    assert.deepEqual(await hours('America/New_York', '2024-11-03'), [['1h', 2], ['2h', 1]]);
  });
});
