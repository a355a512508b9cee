import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TenantHost } from '../../src/tenancy/tenant-host.js';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { createCapturedTenantServer, postLogin, signInForTest } from '../support/session-server.js';
import { useTestRoot } from '../support/suite-root.js';

for (const adapter of ALL_ENGINES) {
  describe(`dashboard sign-in on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    const suite = useTestRoot(async (root) => {
      const { host, server } = await createCapturedTenantServer(root, { adapter });
      return { host, server, app: server.app };
    }, { deleteTenants: true });

    it('sets a host-only session cookie on success', async () => {
      const response = await postLogin(suite.app, suite.host, 'admin', 'secret-password');
      assert.equal(response.statusCode, 200);
      const body = response.json();
      assert.equal(body.signedIn, true);
      assert.equal(body.login, 'admin');
      assert.equal(body.superuser, true);
      assert.match(body.token, /^[0-9a-f]{32}$/);
      assert.equal(response.headers['cache-control'], 'no-store');

      const setCookie = String(response.headers['set-cookie']);
      assert.match(setCookie, /^footfall_session=[A-Za-z0-9_-]{43};/);
      assert.match(setCookie, /; HttpOnly/);
      assert.match(setCookie, /; SameSite=Lax/);
      assert.match(setCookie, /; Path=\//);
      assert.match(setCookie, /; Max-Age=86400/);
      assert.doesNotMatch(setCookie, /; Secure/);
      assert.doesNotMatch(setCookie, /Domain=/i);
    });

    it('stores only the hash of the session id', async () => {
      const { cookie } = await signInForTest(suite.app, suite.host);
      const tenant = suite.root.registry.get(suite.host as TenantHost)!;
      const rows = await tenant.db().selectFrom('session').select(['id', 'login']).execute();
      assert.equal(rows.some((row) => row.id === cookie), false);
      assert.equal(rows.every((row) => /^[0-9a-f]{64}$/.test(row.id)), true);
    });

    it('reports the signed-in user on GET /session', async () => {
      const { cookie, token } = await signInForTest(suite.app, suite.host);
      const response = await suite.app.inject({ method: 'GET', url: '/session', headers: { host: suite.host }, cookies: { footfall_session: cookie } });
      assert.equal(response.statusCode, 200);
      const body = response.json();
      assert.equal(body.signedIn, true);
      assert.equal(body.login, 'admin');
      assert.equal(body.token, token);
    });

    it('ends the previous session on a new sign-in', async () => {
      const first = await signInForTest(suite.app, suite.host);
      const response = await suite.app.inject({
        method: 'POST', url: '/login', headers: { host: suite.host }, cookies: { footfall_session: first.cookie }, payload: { login: 'admin', password: 'secret-password' },
      });
      assert.equal(response.statusCode, 200);
      const second = response.cookies.find((entry) => entry.name === 'footfall_session')!.value;
      assert.notEqual(second, first.cookie);

      const old = await suite.app.inject({ method: 'GET', url: '/session', headers: { host: suite.host }, cookies: { footfall_session: first.cookie } });
      assert.deepEqual(old.json(), { signedIn: false });
    });

    it('reports no user on GET /session without a cookie', async () => {
      const response = await suite.app.inject({ method: 'GET', url: '/session', headers: { host: suite.host } });
      assert.deepEqual(response.json(), { signedIn: false });
    });

    it('rejects a wrong password with 401 and no cookie', async () => {
      const response = await postLogin(suite.app, suite.host, 'admin', 'wrong-password', '192.0.2.50');
      assert.equal(response.statusCode, 401);
      assert.equal(response.json().code, 'LOGIN_FAILED');
      assert.equal(response.json().result, 'error');
      assert.equal(response.headers['set-cookie'], undefined);
    });

    it('rejects an unknown login like a wrong password', async () => {
      const response = await postLogin(suite.app, suite.host, 'nobody', 'secret-password', '192.0.2.51');
      assert.equal(response.statusCode, 401);
      assert.equal(response.json().code, 'LOGIN_FAILED');
    });

    it('rejects a sign-in without a password with 400', async () => {
      const response = await suite.app.inject({ method: 'POST', url: '/login', headers: { host: suite.host }, payload: { login: 'admin' } });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().code, 'PARAMETER_MISSING');
    });

    it('rejects a login with NUL with 400', async () => {
      for (const login of ['ad\u0000min', '\u0000']) {
        const response = await postLogin(suite.app, suite.host, login, 'secret-password');
        assert.equal(response.statusCode, 400, response.body);
        assert.equal(response.json().code, 'PARAMETER_INVALID');
        assert.match(response.json().message, /contains a NUL character/);
        assert.equal(response.headers['set-cookie'], undefined);
      }
    });

    it('accepts a form-encoded sign-in', async () => {
      const response = await suite.app.inject({
        method: 'POST', url: '/login', headers: { host: suite.host, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'login=admin&password=secret-password',
      });
      assert.equal(response.statusCode, 200);
      assert.equal(response.json().login, 'admin');
    });

    it('rejects a sign-in posted from another origin', async () => {
      const response = await suite.app.inject({
        method: 'POST', url: '/login', headers: { host: suite.host, origin: 'https://attacker.example' }, payload: { login: 'admin', password: 'secret-password' },
      });
      assert.equal(response.statusCode, 403);
      assert.equal(response.json().code, 'CSRF_TOKEN_INVALID');
    });

    it('rejects sign-out without the token', async () => {
      const { cookie } = await signInForTest(suite.app, suite.host);
      const rejected = await suite.app.inject({ method: 'POST', url: '/logout', headers: { host: suite.host }, cookies: { footfall_session: cookie } });
      assert.equal(rejected.statusCode, 403);
      assert.equal(rejected.json().code, 'CSRF_TOKEN_INVALID');

      const wrongToken = await suite.app.inject({
        method: 'POST', url: '/logout', headers: { host: suite.host, 'x-footfall-token': '0'.repeat(32) }, cookies: { footfall_session: cookie },
      });
      assert.equal(wrongToken.statusCode, 403);

      const session = await suite.app.inject({ method: 'GET', url: '/session', headers: { host: suite.host }, cookies: { footfall_session: cookie } });
      assert.equal(session.json().signedIn, true);
    });

    it('signs out with the session token and forgets the session', async () => {
      const { cookie, token } = await signInForTest(suite.app, suite.host);
      const response = await suite.app.inject({ method: 'POST', url: '/logout', headers: { host: suite.host, 'x-footfall-token': token }, cookies: { footfall_session: cookie } });
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['set-cookie']), /^footfall_session=;/);

      const session = await suite.app.inject({ method: 'GET', url: '/session', headers: { host: suite.host }, cookies: { footfall_session: cookie } });
      assert.deepEqual(session.json(), { signedIn: false });
    });

    it('accepts the session token as a form field on sign-out', async () => {
      const { cookie, token } = await signInForTest(suite.app, suite.host);
      const response = await suite.app.inject({
        method: 'POST', url: '/logout', headers: { host: suite.host, 'content-type': 'application/x-www-form-urlencoded' },
        cookies: { footfall_session: cookie }, payload: `token=${token}`,
      });
      assert.equal(response.statusCode, 200);
    });
  });

  describe(`session cookie behind a TLS proxy on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    const suite = useTestRoot((root) => createCapturedTenantServer(root, { adapter, commonConfig: '\n[General]\nproxy_ips[] = "127.0.0.1"\n' }), { deleteTenants: true });

    it('marks the cookie Secure when a trusted proxy forwarded HTTPS', async () => {
      const response = await suite.server.app.inject({
        method: 'POST', url: '/login', remoteAddress: '127.0.0.1', headers: { host: suite.host, 'x-forwarded-proto': 'https' },
        payload: { login: 'admin', password: 'secret-password' },
      });
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['set-cookie']), /; Secure/);
    });

    it('ignores X-Forwarded-Proto from an untrusted peer', async () => {
      const response = await suite.server.app.inject({
        method: 'POST', url: '/login', remoteAddress: '192.0.2.7', headers: { host: suite.host, 'x-forwarded-proto': 'https' },
        payload: { login: 'admin', password: 'secret-password' },
      });
      assert.equal(response.statusCode, 200);
      assert.doesNotMatch(String(response.headers['set-cookie']), /; Secure/);
    });
  });

  describe(`session cookie lifetime on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    // Each reading is two seconds after the last, as on a slow request.
    let clockMs = Date.now();
    const steppingClock = () => new Date(clockMs += 2000);

    const suite = useTestRoot((root) => createCapturedTenantServer(root, {
      adapter, clock: steppingClock, commonConfig: '\n[General]\nlogin_session_lifetime_seconds = 600\n',
    }), { deleteTenants: true });

    it('sets Max-Age to the stored lifetime', async () => {
      const response = await postLogin(suite.server.app, suite.host, 'admin', 'secret-password');
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['set-cookie']), /; Max-Age=600;/);
    });
  });
}
