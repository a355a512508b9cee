import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ALL_ENGINES, engineSkip } from '../../support/engines.js';
import { createTenantServer } from '../../support/test-root.js';
import { useTestRoot } from '../../support/suite-root.js';
import { tenantDb } from '../../support/tracking.js';

describe('Goals API', () => {
  const suite = useTestRoot((root) => createTenantServer(root));

  async function call(params: Record<string, string>, withToken = true): Promise<{ status: number; body: unknown }> {
    const query = new URLSearchParams({ module: 'API', format: 'json', idSite: '1', ...params, ...(withToken ? { token_auth: suite.token } : {}) });
    const response = await suite.app.inject({ method: 'GET', url: `/index.php?${query}`, headers: { host: suite.host } });
    return { status: response.statusCode, body: response.json() };
  }

  test('add, update, list and delete', async () => {
    assert.deepEqual((await call({ method: 'Goals.addGoal', name: 'Signup', matchAttribute: 'url', pattern: '/welcome', patternType: 'contains' })).body, { value: 1 });
    assert.deepEqual((await call({ method: 'Goals.addGoal', name: 'Video', matchAttribute: 'event_category', pattern: 'video', patternType: 'exact', revenue: '2.5', allowMultipleConversionsPerVisit: '1' })).body, { value: 2 });
    assert.deepEqual((await call({ method: 'Goals.updateGoal', idGoal: '1', name: 'Sign-up', matchAttribute: 'url', pattern: '^/welcome', patternType: 'regex', caseSensitive: '1' })).body, { result: 'success', message: 'ok' });
    assert.deepEqual((await call({ method: 'Goals.deleteGoal', idGoal: '2' })).body, { result: 'success', message: 'ok' });
    assert.deepEqual((await call({ method: 'Goals.getGoals' })).body, {
      1: {
        idsite: '1', idgoal: '1', name: 'Sign-up', description: '', match_attribute: 'url', pattern: '^/welcome', pattern_type: 'regex',
        case_sensitive: '1', allow_multiple: '0', revenue: '0', deleted: '0', event_value_as_revenue: '0',
      },
    });
    assert.deepEqual((await call({ method: 'Goals.addGoal', name: 'Third', matchAttribute: 'manually' })).body, { value: 3 });
  });

  test('overlong pattern is rejected', async () => {
    const pattern = `^/${'a'.repeat(254)}`;
    const response = await call({ method: 'Goals.addGoal', name: 'Long', matchAttribute: 'url', pattern, patternType: 'regex' });
    assert.equal(response.status, 400);
    assert.equal((response.body as { code: string }).code, 'GOAL_INVALID');
    assert.match((response.body as { message: string }).message, /has 256 characters\. Use at most 255/);
    const exact = await call({ method: 'Goals.addGoal', name: 'Exact', matchAttribute: 'url', pattern: pattern.slice(0, 255), patternType: 'regex' });
    assert.equal(exact.status, 200);
  });

  test('invalid match attribute is rejected', async () => {
    const response = await call({ method: 'Goals.addGoal', name: 'Bad', matchAttribute: 'colour', pattern: 'x' });
    assert.equal(response.status, 400);
    assert.equal((response.body as { code: string }).code, 'GOAL_INVALID');
  });

  test('unknown goal update is rejected', async () => {
    const response = await call({ method: 'Goals.updateGoal', idGoal: '99', name: 'X', matchAttribute: 'url', pattern: 'x' });
    assert.equal(response.status, 400);
    assert.equal((response.body as { code: string }).code, 'GOAL_NOT_FOUND');
  });

  test('anonymous caller cannot add goals', async () => {
    const response = await call({ method: 'Goals.addGoal', name: 'X', matchAttribute: 'url', pattern: 'x' }, false);
    assert.equal(response.status, 401);
    assert.equal((response.body as { code: string }).code, 'ACCESS_DENIED');
  });
});

for (const adapter of ALL_ENGINES) {
  describe(`Goals API event value revenue on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    const suite = useTestRoot((root) => createTenantServer(root, { adapter }), { deleteTenants: true });

    async function call(params: Record<string, string>): Promise<{ status: number; body: { code?: string; message?: string } }> {
      const query = new URLSearchParams({ module: 'API', format: 'json', idSite: '1', token_auth: suite.token, ...params });
      const response = await suite.app.inject({ method: 'GET', url: `/index.php?${query}`, headers: { host: suite.host } });
      return { status: response.statusCode, body: response.json() };
    }

    async function storedGoal(idgoal: number) {
      return tenantDb(suite.root, suite.host).selectFrom('goal').select(['name', 'match_attribute', 'event_value_as_revenue'])
        .where('idsite', '=', 1).where('idgoal', '=', idgoal).executeTakeFirstOrThrow();
    }

    test('update rejects non-event goal', async () => {
      const added = await call({ method: 'Goals.addGoal', name: 'Thanks', matchAttribute: 'url', pattern: '/thanks' });
      assert.equal(added.status, 200);
      const idgoal = Number((added.body as { value: number }).value);

      for (const matchAttribute of ['url', 'manually', 'visit_duration']) {
        const pattern = matchAttribute === 'visit_duration' ? '5' : '/thanks';
        const response = await call({ method: 'Goals.updateGoal', idGoal: String(idgoal), name: 'Renamed', matchAttribute, pattern, useEventValueAsRevenue: '1' });
        assert.equal(response.status, 400, matchAttribute);
        assert.equal(response.body.code, 'GOAL_INVALID', matchAttribute);
        assert.ok(response.body.message?.includes('useEventValueAsRevenue'), response.body.message);
        assert.ok(response.body.message?.includes(`matchAttribute ${matchAttribute}`), response.body.message);
      }
      const unchanged = await storedGoal(idgoal);
      assert.equal(unchanged.name, 'Thanks');
      assert.equal(Number(unchanged.event_value_as_revenue), 0);
    });

    test('update accepts event goal', async () => {
      const added = await call({ method: 'Goals.addGoal', name: 'Play', matchAttribute: 'event_action', pattern: 'play' });
      const idgoal = Number((added.body as { value: number }).value);
      for (const matchAttribute of ['event_category', 'event_action', 'event_name']) {
        const response = await call({ method: 'Goals.updateGoal', idGoal: String(idgoal), name: 'Play', matchAttribute, pattern: 'play', useEventValueAsRevenue: '1' });
        assert.equal(response.status, 200, matchAttribute);
        const stored = await storedGoal(idgoal);
        assert.equal(stored.match_attribute, matchAttribute);
        assert.equal(Number(stored.event_value_as_revenue), 1);
      }
    });

    test('add keeps flag on any goal', async () => {
      // Matomo 5's Goals.addGoal does not check the flag, and its tracker ignores it on goals that match no event.
      const added = await call({ method: 'Goals.addGoal', name: 'Landing', matchAttribute: 'url', pattern: '/landing', useEventValueAsRevenue: '1' });
      assert.equal(added.status, 200);
      const stored = await storedGoal(Number((added.body as { value: number }).value));
      assert.equal(Number(stored.event_value_as_revenue), 1);
    });
  });
}
