import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { callApi } from '../support/api-client.js';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { buildTestServer, createTestTenant } from '../support/test-root.js';
import { useTestRoot } from '../support/suite-root.js';

function codeOf(response: { json(): unknown }): string {
  return (response.json() as { code: string }).code;
}

for (const adapter of ALL_ENGINES) {
  describe(`site admin access on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    async function api(params: Record<string, string>, token: string) {
      return callApi(suite.app, suite.host, { ...params, token_auth: token }, { post: true });
    }

    /** Adds a user with roles through the superuser's token and returns a token of the new user. */
    async function addUser(server: { app: FastifyInstance; host: string; superToken: string }, login: string, grants: Record<string, string>): Promise<string> {
      const asSuperuser = (params: Record<string, string>) => callApi(server.app, server.host, { ...params, token_auth: server.superToken }, { post: true });
      const added = await asSuperuser({ method: 'UsersManager.addUser', userLogin: login, password: `${login}-password`, email: `${login}@example.org` });
      assert.equal(added.statusCode, 200, added.body);
      for (const [idSites, role] of Object.entries(grants)) {
        const granted = await asSuperuser({ method: 'UsersManager.setUserAccess', userLogin: login, access: role, idSites });
        assert.equal(granted.statusCode, 200, granted.body);
      }
      const created = await callApi(server.app, server.host, { method: 'UsersManager.createAppSpecificTokenAuth', userLogin: login, passwordConfirmation: `${login}-password`, description: 'tests' }, { post: true });
      return (created.json() as { value: string }).value;
    }

    const suite = useTestRoot(async (root) => {
      const tenant = await createTestTenant(root, { adapter, siteUrl: 'https://one.example' });
      const host = tenant.host;
      const superToken = tenant.tokenAuth;
      const app = await buildTestServer(root);
      const server = { app, host, superToken };
      await callApi(app, host, { method: 'SitesManager.addSite', siteName: 'Two', urls: 'https://two.example', token_auth: superToken }, { post: true });
      await callApi(app, host, { method: 'SitesManager.addSite', siteName: 'Three', urls: 'https://three.example', token_auth: superToken }, { post: true });
      const adminToken = await addUser(server, 'siteadmin', { 1: 'admin', 2: 'view' });
      const viewToken = await addUser(server, 'reader', { 1: 'view' });
      await addUser(server, 'stranger', { 3: 'view' });
      return { host, superToken, app, adminToken, viewToken };
    }, { deleteTenants: true });

    test('getSitesWithAdminAccess lists administered sites', async () => {
      const forAdmin = await api({ method: 'SitesManager.getSitesWithAdminAccess' }, suite.adminToken);
      assert.deepEqual((forAdmin.json() as { idsite: string }[]).map((site) => site.idsite), ['1']);
      const forSuperuser = await api({ method: 'SitesManager.getSitesWithAdminAccess' }, suite.superToken);
      assert.deepEqual((forSuperuser.json() as { idsite: string }[]).map((site) => site.idsite), ['1', '2', '3']);
      const forReader = await api({ method: 'SitesManager.getSitesWithAdminAccess' }, suite.viewToken);
      assert.deepEqual(forReader.json(), []);
      const anonymous = await callApi(suite.app, suite.host, { method: 'SitesManager.getSitesWithAdminAccess' });
      assert.equal(codeOf(anonymous), 'ACCESS_DENIED');
    });

    test('getUsersPlusRole returns roles on the site', async () => {
      const response = await api({ method: 'UsersManager.getUsersPlusRole', idSite: '1' }, suite.adminToken);
      assert.equal(response.statusCode, 200, response.body);
      const roles = (response.json() as { login: string; role: string; email?: string }[]).map((user) => [user.login, user.role]);
      assert.deepEqual(roles, [['admin', 'superuser'], ['reader', 'view'], ['siteadmin', 'admin']]);
    });

    test('getUsersPlusRole filters by role and search', async () => {
      const viewers = await api({ method: 'UsersManager.getUsersPlusRole', idSite: '1', filter_access: 'view' }, suite.superToken);
      assert.deepEqual((viewers.json() as { login: string }[]).map((user) => user.login), ['reader']);
      const everyone = await api({ method: 'UsersManager.getUsersPlusRole', idSite: '3' }, suite.superToken);
      assert.deepEqual((everyone.json() as { login: string; role: string }[]).map((user) => [user.login, user.role]), [
        ['admin', 'superuser'], ['reader', 'noaccess'], ['siteadmin', 'noaccess'], ['stranger', 'view'],
      ]);
      // A site admin cannot see the reader's email, so searching for it finds nothing.
      const byHiddenEmail = await api({ method: 'UsersManager.getUsersPlusRole', idSite: '1', filter_search: 'reader@example' }, suite.adminToken);
      assert.deepEqual(byHiddenEmail.json(), []);
      const byLogin = await api({ method: 'UsersManager.getUsersPlusRole', idSite: '1', filter_search: 'READ' }, suite.adminToken);
      assert.deepEqual((byLogin.json() as { login: string }[]).map((user) => user.login), ['reader']);
    });

    test('getUsersPlusRole rejects sites not administered', async () => {
      const otherSite = await api({ method: 'UsersManager.getUsersPlusRole', idSite: '2' }, suite.adminToken);
      assert.equal(codeOf(otherSite), 'ACCESS_DENIED');
      const asReader = await api({ method: 'UsersManager.getUsersPlusRole', idSite: '1' }, suite.viewToken);
      assert.equal(codeOf(asReader), 'ACCESS_DENIED');
    });

    test('site admin manages its own site', async () => {
      const renamed = await api({ method: 'SitesManager.updateSite', idSite: '1', siteName: 'One renamed' }, suite.adminToken);
      assert.deepEqual(renamed.json(), { result: 'success', message: 'ok' });
      const goal = await api({ method: 'Goals.addGoal', idSite: '1', name: 'Signup', matchAttribute: 'url', pattern: '/signup' }, suite.adminToken);
      assert.equal(goal.statusCode, 200, goal.body);
      const promoted = await api({ method: 'UsersManager.setUserAccess', userLogin: 'reader', access: 'write', idSites: '1' }, suite.adminToken);
      assert.deepEqual(promoted.json(), { result: 'success', message: 'ok' });
      const added = await api({ method: 'UsersManager.addUser', userLogin: 'newcomer', password: 'newcomer-password', email: 'newcomer@example.org', initialIdSite: '1' }, suite.adminToken);
      assert.deepEqual(added.json(), { result: 'success', message: 'ok' });
      const tag = await api({ method: 'SitesManager.getJavascriptTag', idSite: '1' }, suite.adminToken);
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
        const response = await api(params, suite.adminToken);
        assert.equal(codeOf(response), code, params.method);
      }
    });
  });
}
