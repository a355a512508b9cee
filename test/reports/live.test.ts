import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { callApi } from '../support/api-client.js';
import { deleteAllTenants } from '../support/console-runner.js';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { createAction, createVisit } from '../support/log-factories.js';
import { buildTestServer, createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';
import { tenantDb } from '../support/tracking.js';

/** Noon UTC on Monday 2024-05-20, which is 14:00 in Paris. */
const CLOCK = () => new Date('2024-05-20T12:00:00Z');

/**
 * The visits of the fixture by name, with their last action in UTC. The site is in
 * Europe/Paris (UTC+2 in May), so `lateSunday` is on 2024-05-20 there.
 */
const VISITS = {
  lastWeek: { last: '2024-05-13 10:00:00', browser: 'FF' },
  sunday: { last: '2024-05-19 21:30:00', browser: 'FF' },
  lateSunday: { last: '2024-05-19 22:30:00', browser: 'CH' },
  morning: { last: '2024-05-20 09:00:00', browser: 'FF' },
  noon: { last: '2024-05-20 11:50:00', browser: 'FF' },
} as const;

type VisitName = keyof typeof VISITS;

for (const adapter of ALL_ENGINES) {
  describe(`Live API on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    let root: TestRoot;
    let app: FastifyInstance;
    let host: string;
    let token: string;
    let db: Kysely<Database>;
    const ids = new Map<number, VisitName>();

    before(async () => {
      root = createTestRoot();
      const created = await createTestTenant(root, { adapter, clock: CLOCK, timezone: 'Europe/Paris', siteUrl: 'https://example.org' });
      host = created.host;
      token = created.tokenAuth;
      db = tenantDb(root, host);
      for (const [name, visit] of Object.entries(VISITS) as [VisitName, (typeof VISITS)[VisitName]][]) {
        const converted = name === 'noon';
        const idvisit = await createVisit(db, {
          idsite: 1, visit_first_action_time: visit.last, visit_last_action_time: visit.last, config_browser_name: visit.browser,
          idvisitor: converted ? 'aaaaaaaaaaaaaaaa' : '0123456789abcdef', visit_total_actions: converted ? 3 : 1, visit_goal_converted: converted ? 1 : 0,
        });
        await createAction(db, { idvisit, idsite: 1, server_time: visit.last, url: `https://example.org/${name}`, title: name });
        ids.set(idvisit, name);
      }
      app = await buildTestServer(root, CLOCK);
    });

    after(async () => {
      await app?.close();
      await deleteAllTenants(root);
    });

    async function visitNames(params: Record<string, string>): Promise<VisitName[]> {
      const response = await callApi(app, host, { method: 'Live.getLastVisitsDetails', idSite: '1', token_auth: token, ...params });
      assert.equal(response.statusCode, 200, response.body);
      return (response.json() as { idVisit: number }[]).map((visit) => ids.get(visit.idVisit)!);
    }

    async function errorOf(method: string, params: Record<string, string>): Promise<{ statusCode: number; message: string }> {
      const response = await callApi(app, host, { method, idSite: '1', token_auth: token, ...params });
      return { statusCode: response.statusCode, message: (response.json() as { message: string }).message };
    }

    test('without period returns every visit', async () => {
      assert.deepEqual(await visitNames({}), ['noon', 'morning', 'lateSunday', 'sunday', 'lastWeek']);
    });

    test('day uses the site time zone', async () => {
      assert.deepEqual(await visitNames({ period: 'day', date: '2024-05-20' }), ['noon', 'morning', 'lateSunday']);
      assert.deepEqual(await visitNames({ period: 'day', date: 'today' }), ['noon', 'morning', 'lateSunday']);
      assert.deepEqual(await visitNames({ period: 'day', date: 'yesterday' }), ['sunday']);
    });

    test('range, week and lastN periods', async () => {
      assert.deepEqual(await visitNames({ period: 'range', date: '2024-05-13,2024-05-19' }), ['sunday', 'lastWeek']);
      assert.deepEqual(await visitNames({ period: 'week', date: '2024-05-20' }), ['noon', 'morning', 'lateSunday']);
      assert.deepEqual(await visitNames({ period: 'day', date: 'last2' }), ['noon', 'morning', 'lateSunday', 'sunday']);
      assert.deepEqual(await visitNames({ period: 'range', date: 'previous7' }), ['sunday', 'lastWeek']);
      assert.deepEqual(await visitNames({ period: 'month', date: '2024-04-01' }), []);
    });

    test('segment filters visits', async () => {
      assert.deepEqual(await visitNames({ period: 'day', date: 'today', segment: 'browserCode==FF' }), ['noon', 'morning']);
      assert.deepEqual(await visitNames({ segment: 'browserCode==CH,pageUrl=@lastWeek' }), ['lateSunday', 'lastWeek']);
    });

    test('limit, offset and sort order', async () => {
      assert.deepEqual(await visitNames({ filter_limit: '2' }), ['noon', 'morning']);
      assert.deepEqual(await visitNames({ filter_limit: '2', filter_offset: '1' }), ['morning', 'lateSunday']);
      assert.deepEqual(await visitNames({ filter_sort_order: 'asc', filter_limit: '2' }), ['lastWeek', 'sunday']);
      assert.deepEqual(await visitNames({ filter_limit: '-1', period: 'day', date: 'yesterday' }), ['sunday']);
      assert.deepEqual(await visitNames({ filter_limit: '0' }), []);
    });

    test('minTimestamp keeps later visits', async () => {
      const morning = String(Date.parse('2024-05-20T09:00:00Z') / 1000);
      assert.deepEqual(await visitNames({ minTimestamp: morning }), ['noon', 'morning']);
      assert.deepEqual(await visitNames({ minTimestamp: morning, period: 'day', date: 'yesterday' }), []);
    });

    test('doNotFetchActions leaves actions empty', async () => {
      const withActions = await callApi(app, host, { method: 'Live.getLastVisitsDetails', idSite: '1', token_auth: token, filter_limit: '1' });
      const actions = (withActions.json() as { actionDetails: { url: string }[] }[])[0]!.actionDetails;
      assert.equal(actions.length, 1);
      assert.equal(actions[0]!.url, 'https://example.org/noon');
      const without = await callApi(app, host, { method: 'Live.getLastVisitsDetails', idSite: '1', token_auth: token, filter_limit: '1', doNotFetchActions: '1' });
      assert.deepEqual((without.json() as { actionDetails: unknown[] }[])[0]!.actionDetails, []);
    });

    test('invalid parameters name the value', async () => {
      const cases: [Record<string, string>, RegExp][] = [
        [{ period: 'fortnight', date: 'today' }, /fortnight/],
        [{ period: 'day', date: '2024-13-01' }, /2024-13-01/],
        [{ period: 'day' }, /'date'/],
        [{ date: 'today' }, /'period'/],
        [{ segment: 'browserCod==FF' }, /browserCod/],
        [{ filter_sort_order: 'sideways' }, /sideways/],
        [{ filter_offset: '-3' }, /-3/],
        [{ filter_limit: '-5' }, /-5/],
      ];
      for (const [params, pattern] of cases) {
        const error = await errorOf('Live.getLastVisitsDetails', params);
        assert.equal(error.statusCode, 400, JSON.stringify(params));
        assert.match(error.message, pattern);
      }
    });

    test('getCounters counts lastMinutes', async () => {
      const counters = async (params: Record<string, string>): Promise<unknown> => {
        const response = await callApi(app, host, { method: 'Live.getCounters', idSite: '1', token_auth: token, ...params });
        assert.equal(response.statusCode, 200, response.body);
        return response.json();
      };
      assert.deepEqual(await counters({ lastMinutes: '30' }), [{ visits: 1, actions: 3, visitors: 1, visitsConverted: 1 }]);
      assert.deepEqual(await counters({ lastMinutes: '180' }), [{ visits: 2, actions: 4, visitors: 2, visitsConverted: 1 }]);
      assert.deepEqual(await counters({ lastMinutes: '1440', segment: 'browserCode==CH' }), [{ visits: 1, actions: 1, visitors: 1, visitsConverted: 0 }]);
      assert.deepEqual(await counters({ lastMinutes: '180', showColumns: 'visits,actions', hideColumns: 'actions' }), [{ visits: 2 }]);
    });

    test('getCounters rejects bad input', async () => {
      const zero = await errorOf('Live.getCounters', { lastMinutes: '0' });
      assert.equal(zero.statusCode, 400);
      assert.match(zero.message, /'0'/);
      const column = await errorOf('Live.getCounters', { lastMinutes: '30', showColumns: 'pageviews' });
      assert.equal(column.statusCode, 400);
      assert.match(column.message, /pageviews/);
      const segment = await errorOf('Live.getCounters', { lastMinutes: '30', segment: 'browserCode=' });
      assert.equal(segment.statusCode, 400);
      assert.match(segment.message, /browserCode=/);
    });
  });
}
