import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCapturedServer, signInForTest } from '../support/session-server.js';
import { createTestTenant } from '../support/test-root.js';
import { useTestRoot } from '../support/suite-root.js';

const VERSION_URL = '/index.php?module=API&method=API.getMatomoVersion&format=json';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('force_api_session', () => {
  const suite = useTestRoot(async (root) => {
    const hostA = (await createTestTenant(root)).host;
    const hostB = (await createTestTenant(root)).host;
    const app = (await buildCapturedServer(root)).app;
    return { hostA, hostB, app };
  });

  it('runs as the signed-in user', async () => {
    const { cookie, token } = await signInForTest(suite.app, suite.hostA);
    const response = await suite.app.inject({
      method: 'POST', url: VERSION_URL, headers: { host: suite.hostA, ...FORM }, cookies: { footfall_session: cookie },
      payload: `force_api_session=1&token_auth=${token}`,
    });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { value: '5.1.0' });
  });

  it('rejects the session token without the session cookie', async () => {
    const { token } = await signInForTest(suite.app, suite.hostA);
    const response = await suite.app.inject({
      method: 'POST', url: VERSION_URL, headers: { host: suite.hostA, ...FORM }, payload: `force_api_session=1&token_auth=${token}`,
    });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'SESSION_INVALID');
  });

  it('rejects the session cookie without its token', async () => {
    const { cookie } = await signInForTest(suite.app, suite.hostA);
    const response = await suite.app.inject({
      method: 'POST', url: VERSION_URL, headers: { host: suite.hostA, ...FORM }, cookies: { footfall_session: cookie },
      payload: `force_api_session=1&token_auth=${'a'.repeat(32)}`,
    });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'SESSION_INVALID');
  });

  it('rejects the session token sent in the URL', async () => {
    const { cookie, token } = await signInForTest(suite.app, suite.hostA);
    const response = await suite.app.inject({
      method: 'GET', url: `${VERSION_URL}&force_api_session=1&token_auth=${token}`, headers: { host: suite.hostA }, cookies: { footfall_session: cookie },
    });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'SESSION_INVALID');
  });

  it('does not accept the session token as an API token', async () => {
    const { token } = await signInForTest(suite.app, suite.hostA);
    const response = await suite.app.inject({ method: 'POST', url: VERSION_URL, headers: { host: suite.hostA, ...FORM }, payload: `token_auth=${token}` });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'TOKEN_INVALID');
  });

  it('does not accept the session of tenant A on tenant B', async () => {
    const { cookie, token } = await signInForTest(suite.app, suite.hostA);
    const session = await suite.app.inject({ method: 'GET', url: '/session', headers: { host: suite.hostB }, cookies: { footfall_session: cookie } });
    assert.deepEqual(session.json(), { signedIn: false });

    const response = await suite.app.inject({
      method: 'POST', url: VERSION_URL, headers: { host: suite.hostB, ...FORM }, cookies: { footfall_session: cookie },
      payload: `force_api_session=1&token_auth=${token}`,
    });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'SESSION_INVALID');
  });

  it('stops working after sign-out', async () => {
    const { cookie, token } = await signInForTest(suite.app, suite.hostA);
    await suite.app.inject({ method: 'POST', url: '/logout', headers: { host: suite.hostA, 'x-footfall-token': token }, cookies: { footfall_session: cookie } });
    const response = await suite.app.inject({
      method: 'POST', url: VERSION_URL, headers: { host: suite.hostA, ...FORM }, cookies: { footfall_session: cookie },
      payload: `force_api_session=1&token_auth=${token}`,
    });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'SESSION_INVALID');
  });
});
