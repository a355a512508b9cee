import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { callApi } from '../support/api-client.js';
import { deleteAllTenants } from '../support/console-runner.js';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { buildTestServer, createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';

function codeOf(response: { json(): unknown }): string {
  return (response.json() as { code: string }).code;
}

for (const adapter of ALL_ENGINES) {
  describe(`site admin access on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    let root: TestRoot;
    let app: FastifyInstance;
    let host: string;
    let superToken: string;
    let adminToken: string;
    let viewToken: string;

    async function api(params: Record<string, string>, token: string) {
      return callApi(app, host, { ...params, token_auth: token }, { post: true });
    }

    async function addUser(login: string, grants: Record<string, string>): Promise<string> {
      const added = await api({ method: 'UsersManager.addUser', userLogin: login, password: `${login}-password`, email: `${login}@example.org` }, superToken);
      assert.equal(added.statusCode, 200, added.body);
      for (const [idSites, role] of Object.entries(grants)) {
        const granted = await api({ method: 'UsersManager.setUserAccess', userLogin: login, access: role, idSites }, superToken);
        assert.equal(granted.statusCode, 200, granted.body);
      }
      const created = await callApi(app, host, { method: 'UsersManager.createAppSpecificTokenAuth', userLogin: login, passwordConfirmation: `${login}-password`, description: 'tests' }, { post: true });
      return (created.json() as { value: string }).value;
    }

    before(async () => {
      root = createTestRoot();
      const tenant = await createTestTenant(root, { adapter, siteUrl: 'https://one.example' });
      host = tenant.host;
      superToken = tenant.tokenAuth;
      app = await buildTestServer(root);
      await api({ method: 'SitesManager.addSite', siteName: 'Two', urls: 'https://two.example' }, superToken);
      await api({ method: 'SitesManager.addSite', siteName: 'Three', urls: 'https://three.example' }, superToken);
      adminToken = await addUser('siteadmin', { 1: 'admin', 2: 'view' });
      viewToken = await addUser('reader', { 1: 'view' });
      await addUser('stranger', { 3: 'view' });
    });

    after(async () => {
      await app?.close();
      await deleteAllTenants(root);
    });

    test('getSitesWithAdminAccess lists administered sites', async () => {
      const forAdmin = await api({ method: 'SitesManager.getSitesWithAdminAccess' }, adminToken);
      assert.deepEqual((forAdmin.json() as { idsite: string }[]).map((site) => site.idsite), ['1']);
      const forSuperuser = await api({ method: 'SitesManager.getSitesWithAdminAccess' }, superToken);
      assert.deepEqual((forSuperuser.json() as { idsite: string }[]).map((site) => site.idsite), ['1', '2', '3']);
      const forReader = await api({ method: 'SitesManager.getSitesWithAdminAccess' }, viewToken);
      assert.deepEqual(forReader.json(), []);
      const anonymous = await callApi(app, host, { method: 'SitesManager.getSitesWithAdminAccess' });
      assert.equal(codeOf(anonymous), 'ACCESS_DENIED');
    });

    test('getUsersPlusRole returns roles on the site', async () => {
      const response = await api({ method: 'UsersManager.getUsersPlusRole', idSite: '1' }, adminToken);
      assert.equal(response.statusCode, 200, response.body);
      const roles = (response.json() as { login: string; role: string; email?: string }[]).map((user) => [user.login, user.role]);
      assert.deepEqual(roles, [['admin', 'superuser'], ['reader', 'view'], ['siteadmin', 'admin']]);
    });

    test('getUsersPlusRole filters by role and search', async () => {
      const viewers = await api({ method: 'UsersManager.getUsersPlusRole', idSite: '1', filter_access: 'view' }, superToken);
      assert.deepEqual((viewers.json() as { login: string }[]).map((user) => user.login), ['reader']);
      const everyone = await api({ method: 'UsersManager.getUsersPlusRole', idSite: '3' }, superToken);
      assert.deepEqual((everyone.json() as { login: string; role: string }[]).map((user) => [user.login, user.role]), [
        ['admin', 'superuser'], ['reader', 'noaccess'], ['siteadmin', 'noaccess'], ['stranger', 'view'],
      ]);
      // A site admin cannot see the reader's email, so searching for it finds nothing.
      const byHiddenEmail = await api({ method: 'UsersManager.getUsersPlusRole', idSite: '1', filter_search: 'reader@example' }, adminToken);
      assert.deepEqual(byHiddenEmail.json(), []);
      const byLogin = await api({ method: 'UsersManager.getUsersPlusRole', idSite: '1', filter_search: 'READ' }, adminToken);
      assert.deepEqual((byLogin.json() as { login: string }[]).map((user) => user.login), ['reader']);
    });

    test('getUsersPlusRole rejects sites not administered', async () => {
      const otherSite = await api({ method: 'UsersManager.getUsersPlusRole', idSite: '2' }, adminToken);
      assert.equal(codeOf(otherSite), 'ACCESS_DENIED');
      const asReader = await api({ method: 'UsersManager.getUsersPlusRole', idSite: '1' }, viewToken);
      assert.equal(codeOf(asReader), 'ACCESS_DENIED');
    });

    test('site admin manages its own site', async () => {
      const renamed = await api({ method: 'SitesManager.updateSite', idSite: '1', siteName: 'One renamed' }, adminToken);
      assert.deepEqual(renamed.json(), { result: 'success', message: 'ok' });
      const goal = await api({ method: 'Goals.addGoal', idSite: '1', name: 'Signup', matchAttribute: 'url', pattern: '/signup' }, adminToken);
      assert.equal(goal.statusCode, 200, goal.body);
      const promoted = await api({ method: 'UsersManager.setUserAccess', userLogin: 'reader', access: 'write', idSites: '1' }, adminToken);
      assert.deepEqual(promoted.json(), { result: 'success', message: 'ok' });
      const added = await api({ method: 'UsersManager.addUser', userLogin: 'newcomer', password: 'newcomer-password', email: 'newcomer@example.org', initialIdSite: '1' }, adminToken);
      assert.deepEqual(added.json(), { result: 'success', message: 'ok' });
      const tag = await api({ method: 'SitesManager.getJavascriptTag', idSite: '1' }, adminToken);
      assert.equal(tag.statusCode, 200, tag.body);
    });

    test('site admin cannot manage other sites', async () => {
      const cases: [Record<string, string>, string][] = [
        [{ method: 'SitesManager.updateSite', idSite: '2', siteName: 'Taken' }, 'ACCESS_DENIED'],
        [{ method: 'Goals.addGoal', idSite: '2', name: 'Other', matchAttribute: 'url', pattern: '/x' }, 'ACCESS_DENIED'],
        [{ method: 'UsersManager.setUserAccess', userLogin: 'reader', access: 'view', idSites: '2' }, 'ACCESS_DENIED'],
        [{ method: 'SitesManager.addSite', siteName: 'Four', urls: 'https://four.example' }, 'ACCESS_DENIED'],
        [{ method: 'SitesManager.deleteSite', idSite: '1' }, 'ACCESS_DENIED'],
        [{ method: 'UsersManager.deleteUser', userLogin: 'reader' }, 'ACCESS_DENIED'],
      ];
      for (const [params, code] of cases) {
        const response = await api(params, adminToken);
        assert.equal(codeOf(response), code, params.method);
      }
    });
  });
}
