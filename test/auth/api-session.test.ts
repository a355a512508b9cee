import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildCapturedServer, signInForTest } from '../support/session-server.js';
import { createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';

const VERSION_URL = '/index.php?module=API&method=API.getMatomoVersion&format=json';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('force_api_session', () => {
  let root: TestRoot;
  let app: FastifyInstance;
  let hostA: string;
  let hostB: string;

  before(async () => {
    root = createTestRoot();
    hostA = (await createTestTenant(root)).host;
    hostB = (await createTestTenant(root)).host;
    app = (await buildCapturedServer(root)).app;
  });
  after(async () => {
    await app.close();
    await root.cleanup();
  });

  it('runs as the signed-in user', async () => {
    const { cookie, token } = await signInForTest(app, hostA);
    const response = await app.inject({
      method: 'POST', url: VERSION_URL, headers: { host: hostA, ...FORM }, cookies: { footfall_session: cookie },
      payload: `force_api_session=1&token_auth=${token}`,
    });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { value: '5.1.0' });
  });

  it('rejects the session token without the session cookie', async () => {
    const { token } = await signInForTest(app, hostA);
    const response = await app.inject({
      method: 'POST', url: VERSION_URL, headers: { host: hostA, ...FORM }, payload: `force_api_session=1&token_auth=${token}`,
    });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'SESSION_INVALID');
  });

  it('rejects the session cookie without its token', async () => {
    const { cookie } = await signInForTest(app, hostA);
    const response = await app.inject({
      method: 'POST', url: VERSION_URL, headers: { host: hostA, ...FORM }, cookies: { footfall_session: cookie },
      payload: `force_api_session=1&token_auth=${'a'.repeat(32)}`,
    });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'SESSION_INVALID');
  });

  it('rejects the session token sent in the URL', async () => {
    const { cookie, token } = await signInForTest(app, hostA);
    const response = await app.inject({
      method: 'GET', url: `${VERSION_URL}&force_api_session=1&token_auth=${token}`, headers: { host: hostA }, cookies: { footfall_session: cookie },
    });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'SESSION_INVALID');
  });

  it('does not accept the session token as an API token', async () => {
    const { token } = await signInForTest(app, hostA);
    const response = await app.inject({ method: 'POST', url: VERSION_URL, headers: { host: hostA, ...FORM }, payload: `token_auth=${token}` });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'TOKEN_INVALID');
  });

  it('does not accept the session of tenant A on tenant B', async () => {
    const { cookie, token } = await signInForTest(app, hostA);
    const session = await app.inject({ method: 'GET', url: '/session', headers: { host: hostB }, cookies: { footfall_session: cookie } });
    assert.deepEqual(session.json(), { signedIn: false });

    const response = await app.inject({
      method: 'POST', url: VERSION_URL, headers: { host: hostB, ...FORM }, cookies: { footfall_session: cookie },
      payload: `force_api_session=1&token_auth=${token}`,
    });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'SESSION_INVALID');
  });

  it('stops working after sign-out', async () => {
    const { cookie, token } = await signInForTest(app, hostA);
    await app.inject({ method: 'POST', url: '/logout', headers: { host: hostA, 'x-footfall-token': token }, cookies: { footfall_session: cookie } });
    const response = await app.inject({
      method: 'POST', url: VERSION_URL, headers: { host: hostA, ...FORM }, cookies: { footfall_session: cookie },
      payload: `force_api_session=1&token_auth=${token}`,
    });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'SESSION_INVALID');
  });
});
