import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { callApi } from '../support/api-client.js';
import { buildTestServer, createTestTenant } from '../support/test-root.js';
import { useTestRoot } from '../support/suite-root.js';

const FIXED_NOW = new Date('2024-01-01T00:00:00Z');
const clock = () => FIXED_NOW;
const REGISTERED = '2024-01-01 00:00:00';

function codeOf(response: { json(): unknown }): string {
  return (response.json() as { code: string }).code;
}

describe('UsersManager API', () => {
  async function addUserWithToken(login: string, role: string | null): Promise<string> {
    const added = await callApi(suite.app, suite.host, { method: 'UsersManager.addUser', userLogin: login, password: `${login}-password`, email: `${login}@example.org`, token_auth: suite.superToken });
    assert.equal(added.statusCode, 200, added.body);
    if (role) {
      const granted = await callApi(suite.app, suite.host, { method: 'UsersManager.setUserAccess', userLogin: login, access: role, idSites: '1', token_auth: suite.superToken });
      assert.equal(granted.statusCode, 200, granted.body);
    }
    const token = await callApi(suite.app, suite.host, { method: 'UsersManager.createAppSpecificTokenAuth', userLogin: login, passwordConfirmation: `${login}-password`, description: 'tests' });
    return (token.json() as { value: string }).value;
  }

  const suite = useTestRoot(async (root) => {
    const tenant = await createTestTenant(root, { clock });
    const host = tenant.host;
    const superToken = tenant.tokenAuth;
    const app = await buildTestServer(root, clock);
    return { host, superToken, app };
  });

  test('getUsers returns every user without password hashes to a superuser', async () => {
    await addUserWithToken('reader', 'view');
    const response = await callApi(suite.app, suite.host, { method: 'UsersManager.getUsers', token_auth: suite.superToken });
    assert.deepEqual(response.json(), [
      { login: 'admin', email: `admin@${suite.host}`, superuser_access: '1', date_registered: REGISTERED, invite_status: 'active', uses_2fa: false },
      { login: 'reader', email: 'reader@example.org', superuser_access: '0', date_registered: REGISTERED, invite_status: 'active', uses_2fa: false },
    ]);
  });

  test('getUsers filters by userLogins', async () => {
    const response = await callApi(suite.app, suite.host, { method: 'UsersManager.getUsers', userLogins: 'reader', token_auth: suite.superToken });
    assert.deepEqual((response.json() as Array<{ login: string }>).map((user) => user.login), ['reader']);
  });

  test('getUsers for a site admin limits fields', async () => {
    const adminToken = await addUserWithToken('siteadmin', 'admin');
    await addUserWithToken('stranger', null);
    const response = await callApi(suite.app, suite.host, { method: 'UsersManager.getUsers', token_auth: adminToken });
    assert.deepEqual(response.json(), [
      { login: 'admin', email: `admin@${suite.host}`, superuser_access: '1', invite_status: 'active' },
      { login: 'reader', superuser_access: '0', invite_status: 'active' },
      { login: 'siteadmin', email: 'siteadmin@example.org', superuser_access: '0', invite_status: 'active' },
    ]);
  });

  test('getUsers is ACCESS_DENIED for a view user', async () => {
    const viewToken = await addUserWithToken('viewonly', 'view');
    const response = await callApi(suite.app, suite.host, { method: 'UsersManager.getUsers', token_auth: viewToken });
    assert.equal(response.statusCode, 401);
    assert.equal(codeOf(response), 'ACCESS_DENIED');
  });

  test('getUser returns the user itself to a view user', async () => {
    const viewToken = await addUserWithToken('self', 'view');
    const response = await callApi(suite.app, suite.host, { method: 'UsersManager.getUser', userLogin: 'self', token_auth: viewToken });
    assert.deepEqual(response.json(), { login: 'self', email: 'self@example.org', superuser_access: '0', invite_status: 'active' });
  });

  test('getUser renders one row in XML', async () => {
    const response = await callApi(suite.app, suite.host, { method: 'UsersManager.getUser', userLogin: 'admin', format: 'xml', token_auth: suite.superToken });
    assert.equal(response.body, [
      '<?xml version="1.0" encoding="utf-8" ?>', '<result>', '\t<row>', '\t\t<login>admin</login>', `\t\t<email>admin@${suite.host}</email>`,
      '\t\t<superuser_access>1</superuser_access>', `\t\t<date_registered>${REGISTERED}</date_registered>`,
      '\t\t<invite_status>active</invite_status>', '\t\t<uses_2fa>0</uses_2fa>', '\t</row>', '</result>',
    ].join('\n'));
  });

  test('getUser of another user is ACCESS_DENIED for a view user', async () => {
    const viewToken = await addUserWithToken('nosy', 'view');
    const response = await callApi(suite.app, suite.host, { method: 'UsersManager.getUser', userLogin: 'admin', token_auth: viewToken });
    assert.equal(response.statusCode, 401);
    assert.equal(codeOf(response), 'ACCESS_DENIED');
  });

  test('getUser of an unknown login gives USER_NOT_FOUND', async () => {
    const response = await callApi(suite.app, suite.host, { method: 'UsersManager.getUser', userLogin: 'ghost', token_auth: suite.superToken });
    assert.equal(response.statusCode, 400);
    assert.equal(codeOf(response), 'USER_NOT_FOUND');
  });

  describe('addUser', () => {
    test('gives the new user view access on initialIdSite', async () => {
      const added = await callApi(suite.app, suite.host, { method: 'UsersManager.addUser', userLogin: 'starter', password: 'starter-password', email: 'starter@example.org', initialIdSite: '1', token_auth: suite.superToken });
      assert.deepEqual(added.json(), { result: 'success', message: 'ok' });
      const roles = await callApi(suite.app, suite.host, { method: 'UsersManager.getSitesAccessFromUser', userLogin: 'starter', token_auth: suite.superToken });
      assert.deepEqual(roles.json(), [{ site: '1', access: 'view' }]);
    });

    const badUsers: Array<[string, Record<string, string>, string]> = [
      ['a taken login', { userLogin: 'admin' }, 'USER_EXISTS'],
      ['a login with a slash', { userLogin: 'a/b' }, 'LOGIN_INVALID'],
      ['an email without @', { email: 'nobody' }, 'EMAIL_INVALID'],
      ['a short password', { password: 'abc' }, 'PASSWORD_INVALID'],
      ['an unknown initialIdSite', { initialIdSite: '77' }, 'SITE_NOT_FOUND'],
    ];
    for (const [label, params, code] of badUsers) {
      test(`with ${label} gives ${code}`, async () => {
        const response = await callApi(suite.app, suite.host, { method: 'UsersManager.addUser', userLogin: 'fresh', password: 'fresh-password', email: 'fresh@example.org', ...params, token_auth: suite.superToken });
        assert.equal(response.statusCode, 400);
        assert.equal(codeOf(response), code);
      });
    }

    test('is ACCESS_DENIED for a view user', async () => {
      const viewToken = await addUserWithToken('viewer2', 'view');
      const response = await callApi(suite.app, suite.host, { method: 'UsersManager.addUser', userLogin: 'sneaky', password: 'sneaky-password', email: 'sneaky@example.org', initialIdSite: '1', token_auth: viewToken });
      assert.equal(response.statusCode, 401);
      assert.equal(codeOf(response), 'ACCESS_DENIED');
    });

    test('lets a site admin add a user to its site', async () => {
      const adminToken = await addUserWithToken('admin2', 'admin');
      const response = await callApi(suite.app, suite.host, { method: 'UsersManager.addUser', userLogin: 'helper', password: 'helper-password', email: 'helper@example.org', initialIdSite: '1', token_auth: adminToken });
      assert.deepEqual(response.json(), { result: 'success', message: 'ok' });
    });
  });

  describe('setUserAccess', () => {
    test('sets, replaces and removes a role', async () => {
      await addUserWithToken('roled', null);
      const set = (access: string) => callApi(suite.app, suite.host, { method: 'UsersManager.setUserAccess', userLogin: 'roled', access, 'idSites[]': '1', token_auth: suite.superToken });
      const roles = async () => (await callApi(suite.app, suite.host, { method: 'UsersManager.getSitesAccessFromUser', userLogin: 'roled', token_auth: suite.superToken })).json();

      assert.deepEqual((await set('write')).json(), { result: 'success', message: 'ok' });
      assert.deepEqual(await roles(), [{ site: '1', access: 'write' }]);
      await set('admin');
      assert.deepEqual(await roles(), [{ site: '1', access: 'admin' }]);
      await set('noaccess');
      assert.deepEqual(await roles(), []);
    });

    test('with idSites all covers every site', async () => {
      await callApi(suite.app, suite.host, { method: 'SitesManager.addSite', siteName: 'Second', urls: 'https://second.example', token_auth: suite.superToken });
      await addUserWithToken('everywhere', null);
      await callApi(suite.app, suite.host, { method: 'UsersManager.setUserAccess', userLogin: 'everywhere', access: 'view', idSites: 'all', token_auth: suite.superToken });
      const roles = await callApi(suite.app, suite.host, { method: 'UsersManager.getSitesAccessFromUser', userLogin: 'everywhere', token_auth: suite.superToken });
      assert.deepEqual(roles.json(), [{ site: '1', access: 'view' }, { site: '2', access: 'view' }]);
    });

    const badAccess: Array<[string, Record<string, string>, string]> = [
      ['an unknown role', { access: 'owner' }, 'ACCESS_INVALID'],
      ['an unknown site', { idSites: '99' }, 'SITE_NOT_FOUND'],
      ['a non-numeric site', { idSites: 'abc' }, 'PARAMETER_INVALID'],
      ['an unknown login', { userLogin: 'ghost' }, 'USER_NOT_FOUND'],
      ['a superuser', { userLogin: 'admin' }, 'ACCESS_INVALID'],
      ['write for the anonymous user', { userLogin: 'anonymous', access: 'write' }, 'ACCESS_INVALID'],
    ];
    for (const [label, params, code] of badAccess) {
      test(`with ${label} gives ${code}`, async () => {
        const response = await callApi(suite.app, suite.host, { method: 'UsersManager.setUserAccess', userLogin: 'reader', access: 'view', idSites: '1', ...params, token_auth: suite.superToken });
        assert.equal(response.statusCode, 400);
        assert.equal(codeOf(response), code);
      });
    }

    test('is ACCESS_DENIED for a view user', async () => {
      const viewToken = await addUserWithToken('climber', 'view');
      const response = await callApi(suite.app, suite.host, { method: 'UsersManager.setUserAccess', userLogin: 'climber', access: 'admin', idSites: '1', token_auth: viewToken });
      assert.equal(response.statusCode, 401);
      assert.equal(codeOf(response), 'ACCESS_DENIED');
    });
  });

  test('getSitesAccessFromUser is ACCESS_DENIED for a view user', async () => {
    const viewToken = await addUserWithToken('curious', 'view');
    const response = await callApi(suite.app, suite.host, { method: 'UsersManager.getSitesAccessFromUser', userLogin: 'curious', token_auth: viewToken });
    assert.equal(response.statusCode, 401);
    assert.equal(codeOf(response), 'ACCESS_DENIED');
  });

  describe('setSuperUserAccess', () => {
    test('grants and removes superuser access with the caller password', async () => {
      await addUserWithToken('promoted', 'view');
      const grant = await callApi(suite.app, suite.host, { method: 'UsersManager.setSuperUserAccess', userLogin: 'promoted', hasSuperUserAccess: '1', passwordConfirmation: 'secret-password', token_auth: suite.superToken });
      assert.deepEqual(grant.json(), { result: 'success', message: 'ok' });
      const user = await callApi(suite.app, suite.host, { method: 'UsersManager.getUser', userLogin: 'promoted', token_auth: suite.superToken });
      assert.equal((user.json() as { superuser_access: string }).superuser_access, '1');
      const roles = await callApi(suite.app, suite.host, { method: 'UsersManager.getSitesAccessFromUser', userLogin: 'promoted', token_auth: suite.superToken });
      const siteIds = (await callApi(suite.app, suite.host, { method: 'SitesManager.getSitesIdWithAtLeastViewAccess', token_auth: suite.superToken })).json() as string[];
      assert.deepEqual(roles.json(), siteIds.map((siteId) => ({ site: siteId, access: 'admin' })));

      const remove = await callApi(suite.app, suite.host, { method: 'UsersManager.setSuperUserAccess', userLogin: 'promoted', hasSuperUserAccess: '0', passwordConfirmation: 'secret-password', token_auth: suite.superToken });
      assert.deepEqual(remove.json(), { result: 'success', message: 'ok' });
      const rolesAfter = await callApi(suite.app, suite.host, { method: 'UsersManager.getSitesAccessFromUser', userLogin: 'promoted', token_auth: suite.superToken });
      assert.deepEqual(rolesAfter.json(), []);
    });

    test('with a wrong password gives PASSWORD_INCORRECT', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'UsersManager.setSuperUserAccess', userLogin: 'reader', hasSuperUserAccess: '1', passwordConfirmation: 'wrong-password', token_auth: suite.superToken });
      assert.equal(response.statusCode, 401);
      assert.equal(codeOf(response), 'PASSWORD_INCORRECT');
    });

    test('keeps the last superuser', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'UsersManager.setSuperUserAccess', userLogin: 'admin', hasSuperUserAccess: '0', passwordConfirmation: 'secret-password', token_auth: suite.superToken });
      assert.equal(response.statusCode, 400);
      assert.equal(codeOf(response), 'SUPERUSER_LAST_REMAINING');
    });

    test('is ACCESS_DENIED for a view user', async () => {
      const viewToken = await addUserWithToken('wannabe', 'view');
      const response = await callApi(suite.app, suite.host, { method: 'UsersManager.setSuperUserAccess', userLogin: 'wannabe', hasSuperUserAccess: '1', passwordConfirmation: 'wannabe-password', token_auth: viewToken });
      assert.equal(response.statusCode, 401);
      assert.equal(codeOf(response), 'ACCESS_DENIED');
    });
  });

  describe('createAppSpecificTokenAuth', () => {
    test('returns a token that authenticates its user', async () => {
      const token = await addUserWithToken('tokened', 'view');
      assert.match(token, /^[0-9a-f]{32}$/);
      const user = await callApi(suite.app, suite.host, { method: 'UsersManager.getUser', userLogin: 'tokened', token_auth: token });
      assert.equal((user.json() as { login: string }).login, 'tokened');
    });

    test('gives a token without expiry for expireHours 0', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'UsersManager.createAppSpecificTokenAuth', userLogin: 'reader', passwordConfirmation: 'reader-password', description: 'forever', expireHours: '0' });
      const token = (response.json() as { value: string }).value;
      const muchLater = await buildTestServer(suite.root, () => new Date('2099-01-01T00:00:00Z'));
      const user = await callApi(muchLater, suite.host, { method: 'UsersManager.getUser', userLogin: 'reader', token_auth: token });
      await muchLater.close();
      assert.equal(user.statusCode, 200);
    });

    test('accepts the email address as userLogin', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'UsersManager.createAppSpecificTokenAuth', userLogin: 'reader@example.org', passwordConfirmation: 'reader-password', description: 'by email' });
      assert.equal(response.statusCode, 200);
      assert.match((response.json() as { value: string }).value, /^[0-9a-f]{32}$/);
    });

    test('gives a token that stops working after expireHours', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'UsersManager.createAppSpecificTokenAuth', userLogin: 'reader', passwordConfirmation: 'reader-password', description: 'short', expireHours: '1' });
      const token = (response.json() as { value: string }).value;
      const now = await callApi(suite.app, suite.host, { method: 'UsersManager.getUser', userLogin: 'reader', token_auth: token });
      assert.equal(now.statusCode, 200);

      const later = await buildTestServer(suite.root, () => new Date(FIXED_NOW.getTime() + 2 * 3_600_000));
      const expired = await callApi(later, suite.host, { method: 'UsersManager.getUser', userLogin: 'reader', token_auth: token });
      await later.close();
      assert.equal(expired.statusCode, 401);
      assert.equal(codeOf(expired), 'TOKEN_INVALID');
    });

    const badTokens: Array<[string, Record<string, string>, number, string]> = [
      ['a wrong password', { passwordConfirmation: 'wrong-password' }, 401, 'PASSWORD_INCORRECT'],
      ['an unknown login', { userLogin: 'ghost' }, 401, 'PASSWORD_INCORRECT'],
      ['no description', { description: '' }, 400, 'PARAMETER_MISSING'],
      ['an expireDate in the past', { expireDate: '2000-01-01' }, 400, 'PARAMETER_INVALID'],
      ['a malformed expireDate', { expireDate: 'tomorrow' }, 400, 'PARAMETER_INVALID'],
      ['negative expireHours', { expireHours: '-1' }, 400, 'PARAMETER_INVALID'],
    ];
    for (const [label, params, status, code] of badTokens) {
      test(`with ${label} gives ${code}`, async () => {
        const response = await callApi(suite.app, suite.host, { method: 'UsersManager.createAppSpecificTokenAuth', userLogin: 'reader', passwordConfirmation: 'reader-password', description: 'x', ...params });
        assert.equal(response.statusCode, status);
        assert.equal(codeOf(response), code);
      });
    }
  });

  describe('deleteUser', () => {
    test('deletes a user and its tokens', async () => {
      const token = await addUserWithToken('leaving', 'view');
      const deleted = await callApi(suite.app, suite.host, { method: 'UsersManager.deleteUser', userLogin: 'leaving', token_auth: suite.superToken });
      assert.deepEqual(deleted.json(), { result: 'success', message: 'ok' });
      const after = await callApi(suite.app, suite.host, { method: 'SitesManager.getSitesIdWithAtLeastViewAccess', token_auth: token });
      assert.equal(after.statusCode, 401);
      assert.equal(codeOf(after), 'TOKEN_INVALID');
    });

    test('keeps the last superuser', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'UsersManager.deleteUser', userLogin: 'admin', token_auth: suite.superToken });
      assert.equal(response.statusCode, 400);
      assert.equal(codeOf(response), 'SUPERUSER_LAST_REMAINING');
    });

    test('of an unknown login gives USER_NOT_FOUND', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'UsersManager.deleteUser', userLogin: 'ghost', token_auth: suite.superToken });
      assert.equal(response.statusCode, 400);
      assert.equal(codeOf(response), 'USER_NOT_FOUND');
    });

    test('is ACCESS_DENIED for a view user', async () => {
      const viewToken = await addUserWithToken('vandal', 'view');
      const response = await callApi(suite.app, suite.host, { method: 'UsersManager.deleteUser', userLogin: 'reader', token_auth: viewToken });
      assert.equal(response.statusCode, 401);
      assert.equal(codeOf(response), 'ACCESS_DENIED');
    });
  });
});
