import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { createVisit } from '../support/log-factories.js';
import { buildTestServer, createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';

const CLOCK = () => new Date('2024-05-20T12:00:00Z');

describe('VisitsSummary.get', () => {
  let root: TestRoot;
  let app: FastifyInstance;
  let host: string;
  let token: string;
  let siteId: number;

  before(async () => {
    root = createTestRoot();
    const tenant = await createTestTenant(root, { clock: CLOCK, timezone: 'UTC' });
    host = tenant.host;
    token = tenant.tokenAuth;
    siteId = tenant.idSite;
    const db: Kysely<Database> = root.registry.require(host).db();
    await createVisit(db, { idsite: siteId, idvisitor: 'aaaaaaaaaaaaaaaa', user_id: 'u1', visit_last_action_time: '2024-05-01 10:00:00', visit_total_actions: 7, visit_total_time: 1600, visit_goal_converted: 1 });
    await createVisit(db, { idsite: siteId, idvisitor: 'aaaaaaaaaaaaaaaa', visit_last_action_time: '2024-05-01 15:00:00', visit_total_actions: 1, visit_total_time: 22, visit_goal_converted: 1 });
    await createVisit(db, { idsite: siteId, idvisitor: 'bbbbbbbbbbbbbbbb', visit_last_action_time: '2024-05-02 09:00:00', visit_total_actions: 3, visit_total_time: 100, visitor_returning: 1 });
    await createVisit(db, { idsite: siteId, idvisitor: 'aaaaaaaaaaaaaaaa', user_id: 'u1', visit_last_action_time: '2024-05-02 09:30:00', visit_total_actions: 2, visit_total_time: 50, visitor_returning: 2 });
    app = await buildTestServer(root, CLOCK);
  });

  after(async () => {
    await app.close();
    await root.cleanup();
  });

  async function getJson(query: string): Promise<unknown> {
    const response = await app.inject({ method: 'GET', url: `/index.php?module=API&format=json&token_auth=${token}&${query}`, headers: { host } });
    assert.equal(response.statusCode, 200, response.body);
    return response.json();
  }

  it('returns the metrics of a day', async () => {
    assert.deepEqual(await getJson(`method=VisitsSummary.get&idSite=${siteId}&period=day&date=2024-05-01`), {
      nb_uniq_visitors: 1, nb_users: 1, nb_visits: 2, nb_actions: 8, nb_visits_converted: 2, bounce_count: 1,
      sum_visit_length: 1622, max_actions: 7, bounce_rate: '50%', nb_actions_per_visit: 4, avg_time_on_site: 811,
    });
  });

  it('sums a week from its days and counts its unique visitors from logs', async () => {
    assert.deepEqual(await getJson(`method=VisitsSummary.get&idSite=${siteId}&period=week&date=2024-05-01`), {
      nb_uniq_visitors: 2, nb_users: 1, nb_visits: 4, nb_actions: 13, nb_visits_converted: 2, bounce_count: 1,
      sum_visit_length: 1772, max_actions: 7, bounce_rate: '25%', nb_actions_per_visit: 3.3, avg_time_on_site: 443,
    });
  });

  it('leaves unique visitors out of a year', async () => {
    assert.deepEqual(await getJson(`method=VisitsSummary.get&idSite=${siteId}&period=year&date=2024-05-01`), {
      nb_visits: 4, nb_actions: 13, nb_visits_converted: 2, bounce_count: 1,
      sum_visit_length: 1772, max_actions: 7, bounce_rate: '25%', nb_actions_per_visit: 3.3, avg_time_on_site: 443,
    });
  });

  it('keys days by date, [] when empty', async () => {
    const result = await getJson(`method=VisitsSummary.get&idSite=${siteId}&period=day&date=2024-05-02,2024-05-03`) as Record<string, unknown>;
    assert.deepEqual(Object.keys(result), ['2024-05-02', '2024-05-03']);
    assert.deepEqual(result['2024-05-03'], []);
    assert.equal((result['2024-05-02'] as Record<string, unknown>).nb_visits, 2);
  });

  it('sums a range of days', async () => {
    const result = await getJson(`method=VisitsSummary.get&idSite=${siteId}&period=range&date=2024-05-01,2024-05-02`) as Record<string, unknown>;
    assert.equal(result.nb_visits, 4);
    assert.equal(result.nb_uniq_visitors, undefined);
  });

  it('VisitFrequency.get splits returning and new visits', async () => {
    assert.deepEqual(await getJson(`method=VisitFrequency.get&idSite=${siteId}&period=day&date=2024-05-02`), {
      nb_uniq_visitors_returning: 2, nb_users_returning: 1, nb_visits_returning: 2, nb_actions_returning: 5, nb_visits_converted_returning: 0,
      bounce_count_returning: 0, sum_visit_length_returning: 150, max_actions_returning: 3, bounce_rate_returning: '0%',
      nb_actions_per_visit_returning: 2.5, avg_time_on_site_returning: 75,
      nb_uniq_visitors_new: 0, nb_users_new: 0, nb_visits_new: 0, nb_actions_new: 0, nb_visits_converted_new: 0,
      bounce_count_new: 0, sum_visit_length_new: 0, max_actions_new: 0, bounce_rate_new: '0%',
      nb_actions_per_visit_new: 0, avg_time_on_site_new: 0,
    });
  });

  it('VisitFrequency.get counts unique returning visitors of a week from logs', async () => {
    const week = await getJson(`method=VisitFrequency.get&idSite=${siteId}&period=week&date=2024-05-02&showColumns=nb_uniq_visitors_returning,nb_uniq_visitors_new,nb_visits_new`);
    assert.deepEqual(week, { nb_uniq_visitors_returning: 2, nb_visits_new: 2, nb_uniq_visitors_new: 1 });
  });

  it('rejects an unknown period with PERIOD_INVALID', async () => {
    const response = await app.inject({ method: 'GET', url: `/index.php?module=API&format=json&token_auth=${token}&method=VisitsSummary.get&idSite=${siteId}&period=qtr&date=today`, headers: { host } });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'PERIOD_INVALID');
  });

  it('denies an anonymous request', async () => {
    const response = await app.inject({ method: 'GET', url: `/index.php?module=API&format=json&method=VisitsSummary.get&idSite=${siteId}&period=day&date=2024-05-01`, headers: { host } });
    assert.equal(response.json().code, 'ACCESS_DENIED');
  });
});
