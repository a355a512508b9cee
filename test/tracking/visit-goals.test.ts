import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GoalTable } from '../../src/db/schema.js';
import { matchesVisitGoal, matchGoals, type VisitTotals } from '../../src/tracking/goal-matcher.js';
import type { EnrichedHit } from '../../src/tracking/hit.js';
import { TrackingParams } from '../../src/tracking/tracking-params.js';
import { callApi } from '../support/api-client.js';
import { useTestRoot } from '../support/suite-root.js';
import { createTenantServer } from '../support/test-root.js';
import { tenantDb } from '../support/tracking.js';

const START = Date.parse('2024-05-20T10:00:00Z');

function goal(idgoal: number, matchAttribute: string, pattern: string, allowMultiple = 0): GoalTable {
  return {
    idsite: 1, idgoal, name: `Goal ${idgoal}`, description: '', match_attribute: matchAttribute, pattern, pattern_type: 'greater_than',
    case_sensitive: 0, allow_multiple: allowMultiple, revenue: 1, deleted: 0, event_value_as_revenue: 0,
  };
}

function visit(minutes: number, totalActions: number, pageviews: number, convertedGoals: number[] = []): VisitTotals {
  return { firstActionTime: START, lastActionTime: START + minutes * 60_000, totalActions, pageviews, convertedGoals: new Set(convertedGoals) };
}

/** Builds a pageview hit with only the fields matchGoals reads: the action, the conversion request and the parameters. */
function pageviewHit(): EnrichedHit {
  return {
    action: { kind: 'pageview', pageUrl: 'https://example.org/', strings: { url: null, name: null, eventCategory: null, eventAction: null }, eventValue: null },
    conversion: null,
    params: TrackingParams.fromRecords({ url: 'https://example.org/' }),
  } as unknown as EnrichedHit;
}

describe('visit goal matching', () => {
  test('visit_duration compares minutes', () => {
    const duration = goal(1, 'visit_duration', '5');
    assert.equal(matchesVisitGoal(duration, visit(4, 3, 3)), false);
    assert.equal(matchesVisitGoal(duration, visit(5, 3, 3)), false);
    assert.equal(matchesVisitGoal(duration, visit(5.5, 3, 3)), true);
    assert.equal(matchesVisitGoal(goal(1, 'visit_duration', '0.5'), visit(0.75, 1, 1)), true);
  });

  test('visit_total_actions needs more than the pattern', () => {
    const actions = goal(2, 'visit_total_actions', '3');
    assert.equal(matchesVisitGoal(actions, visit(0, 3, 3)), false);
    assert.equal(matchesVisitGoal(actions, visit(0, 4, 1)), true);
  });

  test('visit_total_pageviews counts pageviews only', () => {
    const pageviews = goal(3, 'visit_total_pageviews', '2');
    assert.equal(matchesVisitGoal(pageviews, visit(0, 5, 2)), false);
    assert.equal(matchesVisitGoal(pageviews, visit(0, 3, 3)), true);
  });

  test('converts once per visit', () => {
    assert.equal(matchesVisitGoal(goal(2, 'visit_total_actions', '1', 1), visit(0, 5, 5, [2])), false);
  });

  test('matchGoals needs the visit', () => {
    const goals = [goal(1, 'visit_duration', '5'), goal(2, 'visit_total_actions', '1'), goal(3, 'visit_total_pageviews', '9')];
    assert.deepEqual(matchGoals(pageviewHit(), goals), []);
    const matched = matchGoals(pageviewHit(), goals, visit(6, 2, 2));
    assert.deepEqual(matched.map((conversion) => Number(conversion.goal.idgoal)), [1, 2]);
    assert.deepEqual(matched.map((conversion) => conversion.revenue), [1, 1]);
  });

  test('a visit crossing the threshold converts on that hit', () => {
    const goals = [goal(1, 'visit_total_pageviews', '2')];
    const converted: number[] = [];
    const perHit: number[][] = [];
    for (let pageviews = 1; pageviews <= 5; pageviews++) {
      const ids = matchGoals(pageviewHit(), goals, visit(pageviews, pageviews, pageviews, converted)).map((conversion) => Number(conversion.goal.idgoal));
      converted.push(...ids);
      perHit.push(ids);
    }
    assert.deepEqual(perHit, [[], [], [1], [], []]);
  });
});

describe('visit goals API', () => {
  const suite = useTestRoot((root) => createTenantServer(root, { siteUrl: 'https://example.org' }));

  async function call(params: Record<string, string>): Promise<{ statusCode: number; body: Record<string, unknown> }> {
    const response = await callApi(suite.app, suite.host, { idSite: '1', token_auth: suite.token, ...params });
    return { statusCode: response.statusCode, body: response.json() as Record<string, unknown> };
  }

  test('adds and updates visit goals', async () => {
    assert.deepEqual((await call({ method: 'Goals.addGoal', name: 'Long visit', matchAttribute: 'visit_duration', pattern: '5' })).body, { value: 1 });
    assert.deepEqual((await call({ method: 'Goals.addGoal', name: 'Busy', matchAttribute: 'visit_total_actions', pattern: '2', patternType: 'greater_than' })).body, { value: 2 });
    assert.deepEqual((await call({ method: 'Goals.addGoal', name: 'Reader', matchAttribute: 'visit_total_pageviews', pattern: '9' })).body, { value: 3 });
    const updated = await call({ method: 'Goals.updateGoal', idGoal: '1', name: 'Long visit', matchAttribute: 'visit_duration', pattern: '5.5' });
    assert.deepEqual(updated.body, { result: 'success', message: 'ok' });

    const goals = (await call({ method: 'Goals.getGoals' })).body as Record<string, { match_attribute: string; pattern: string; pattern_type: string }>;
    assert.deepEqual(Object.values(goals).map((stored) => [stored.match_attribute, stored.pattern, stored.pattern_type]), [
      ['visit_duration', '5.5', 'greater_than'], ['visit_total_actions', '2', 'greater_than'], ['visit_total_pageviews', '9', 'greater_than'],
    ]);
  });

  test('rejects invalid visit goals', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ matchAttribute: 'visit_duration', pattern: 'five' }, /'five'.*minutes/],
      [{ matchAttribute: 'visit_duration', pattern: '-1' }, /'-1'/],
      [{ matchAttribute: 'visit_total_actions', pattern: '2.5' }, /'2\.5'.*whole number/],
      [{ matchAttribute: 'visit_total_pageviews', pattern: '' }, /''/],
      [{ matchAttribute: 'visit_total_actions', pattern: '3', patternType: 'contains' }, /'contains'.*greater_than/],
      [{ matchAttribute: 'url', pattern: '3', patternType: 'greater_than' }, /'greater_than'/],
    ];
    for (const [params, pattern] of cases) {
      const response = await call({ method: 'Goals.addGoal', name: 'Bad', ...params });
      assert.equal(response.statusCode, 400, JSON.stringify(params));
      assert.equal(response.body.code, 'GOAL_INVALID');
      assert.match(String(response.body.message), pattern);
    }
  });

  test('tracked visits convert visit goals', async () => {
    const base = Date.now() - 3_600_000;
    const track = async (visitorId: string, offsetMinutes: number, page: string): Promise<void> => {
      const cdt = new Date(base + offsetMinutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');
      const query = new URLSearchParams({ idsite: '1', rec: '1', _id: visitorId, cid: visitorId, url: `https://example.org/${page}`, cdt });
      const response = await suite.app.inject({ method: 'GET', url: `/matomo.php?${query}`, headers: { host: suite.host } });
      assert.equal(response.statusCode, 200);
    };
    // The first visitor crosses 5.5 minutes and 2 actions but not 9 pageviews. The second crosses nothing.
    for (const [offset, page] of [[0, 'a'], [2, 'b'], [6, 'c'], [7, 'd']] as const) await track('1111111111111111', offset, page);
    for (const [offset, page] of [[0, 'a'], [1, 'b']] as const) await track('2222222222222222', offset, page);

    const rows = await tenantDb(suite.root, suite.host).selectFrom('log_conversion').select(['idvisitor', 'idgoal']).orderBy('idgoal').execute();
    assert.deepEqual(rows.map((row) => [row.idvisitor, Number(row.idgoal)]), [['1111111111111111', 1], ['1111111111111111', 2]]);
  });

  test('a heartbeat converts visit_duration', async () => {
    const base = Date.now() - 3_600_000;
    const track = async (offsetMinutes: number, extra: Record<string, string>): Promise<void> => {
      const cdt = new Date(base + offsetMinutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');
      const query = new URLSearchParams({ idsite: '1', rec: '1', cid: '3333333333333333', url: 'https://example.org/read', cdt, ...extra });
      const response = await suite.app.inject({ method: 'GET', url: `/matomo.php?${query}`, headers: { host: suite.host } });
      assert.equal(response.statusCode, 200);
    };
    // Goal 1 needs more than 5.5 minutes: the pageview starts the visit and the heartbeat 6 minutes later passes it.
    await track(0, {});
    await track(6, { ping: '1' });

    const db = tenantDb(suite.root, suite.host);
    const rows = await db.selectFrom('log_conversion').select(['idgoal', 'idlink_va']).where('idvisitor', '=', '3333333333333333').execute();
    assert.deepEqual(rows.map((row) => Number(row.idgoal)), [1]);
    const action = await db.selectFrom('log_link_visit_action').select('idlink_va').where('idvisitor', '=', '3333333333333333').executeTakeFirstOrThrow();
    assert.equal(Number(rows[0]!.idlink_va), Number(action.idlink_va), 'the conversion refers to the visit\'s last action');
    const visit = await db.selectFrom('log_visit').select(['visit_goal_converted', 'visit_total_time']).where('idvisitor', '=', '3333333333333333').executeTakeFirstOrThrow();
    assert.equal(Number(visit.visit_goal_converted), 1);
    assert.equal(Number(visit.visit_total_time), 360);
  });
});
