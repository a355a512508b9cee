import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { createUser } from '../../src/auth/user-store.js';
import { MAX_BRANDING_IMAGE_BYTES } from '../../src/http/branding-upload.js';
import { signInForTest } from '../support/session-server.js';
import { buildTestServer, createTestTenant } from '../support/test-root.js';
import { useTestRoot } from '../support/suite-root.js';

/** A 1×1 transparent PNG. */
const PNG_BYTES = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const SAFE_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><defs><linearGradient id="g"/></defs><rect width="20" height="20" fill="url(#g)"/></svg>';

function image(type: string, bytes: Buffer | string): { type: string; data: string } {
  return { type, data: Buffer.from(bytes).toString('base64') };
}

describe('POST /ui/branding', () => {
  const suite = useTestRoot(async (root) => {
    const host = (await createTestTenant(root)).host;
    const otherHost = (await createTestTenant(root)).host;
    await createUser(root.registry.require(host).db(), { login: 'viewer', password: 'viewer-password', email: 'viewer@example.org', superuser: false, passwordHashCost: 4 });
    const app = await buildTestServer(root);
    const session = await signInForTest(app, host);
    return { host, otherHost, app, session };
  });

  function upload(payload: unknown, options: { cookie?: string; token?: string | null; origin?: string; onHost?: string } = {}) {
    const headers: Record<string, string> = { host: options.onHost ?? suite.host, 'content-type': 'application/json' };
    const token = options.token === undefined ? suite.session.token : options.token;
    if (token !== null) headers['x-footfall-token'] = token;
    if (options.origin) headers.origin = options.origin;
    return suite.app.inject({ method: 'POST', url: '/ui/branding', headers, cookies: { footfall_session: options.cookie ?? suite.session.cookie }, payload: JSON.stringify(payload) });
  }

  function filesOf(tenantHost: string): string[] {
    return readdirSync(suite.root.registry.require(tenantHost).paths.filesDir).filter((name) => /^(logo|favicon|branding)/.test(name)).sort();
  }

  it('stores name, colour and a PNG logo', async () => {
    const response = await upload({ productName: ' Acme Insights ', accentColor: '#AA3300', logo: image('image/png', PNG_BYTES), filename: '../../escape.png' });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), { productName: 'Acme Insights', accentColor: '#aa3300', logoUrl: '/ui/logo.png', faviconUrl: null });
    assert.deepEqual(filesOf(suite.host), ['branding.json', 'logo.png']);
    assert.equal(existsSync(resolve(suite.root.registry.require(suite.host).paths.filesDir, '..', '..', 'escape.png')), false);

    const logo = await suite.app.inject({ method: 'GET', url: '/ui/logo.png', headers: { host: suite.host } });
    assert.equal(logo.statusCode, 200);
    assert.equal(logo.headers['content-type'], 'image/png');
    assert.deepEqual(logo.rawPayload, PNG_BYTES);
  });

  it('shows the logo on its own tenant only', async () => {
    const other = await suite.app.inject({ method: 'GET', url: '/ui/logo.png', headers: { host: suite.otherHost } });
    assert.equal(other.statusCode, 404);
    const branding = await suite.app.inject({ method: 'GET', url: '/ui/branding.json', headers: { host: suite.otherHost } });
    assert.equal(branding.json().logoUrl, null);
    assert.equal(branding.json().productName, 'Footfall');
  });

  it('serves an SVG logo that cannot script', async () => {
    const response = await upload({ logo: image('image/svg+xml', SAFE_SVG), favicon: image('image/svg+xml', SAFE_SVG) });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().logoUrl, '/ui/logo.svg');
    assert.equal(response.json().faviconUrl, '/ui/favicon.svg');
    assert.equal(response.json().productName, 'Acme Insights');
    assert.deepEqual(filesOf(suite.host), ['branding.json', 'favicon.svg', 'logo.svg']);

    const logo = await suite.app.inject({ method: 'GET', url: '/ui/logo.svg', headers: { host: suite.host } });
    assert.equal(logo.headers['content-type'], 'image/svg+xml');
    assert.equal(logo.headers['content-security-policy'], "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    assert.equal(logo.headers['content-disposition'], 'attachment; filename="logo.svg"');
    assert.equal(logo.headers['x-content-type-options'], 'nosniff');
    assert.equal(logo.body, SAFE_SVG);
  });

  const unsafeSvgs: [string, string][] = [
    ['script element', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'],
    ['event handler', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'],
    ['javascript link', '<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect/></a></svg>'],
    ['foreignObject', '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div/></foreignObject></svg>'],
    ['entity', '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>'],
    ['remote image', '<svg xmlns="http://www.w3.org/2000/svg"><image href="https://tracker.example/x.png"/></svg>'],
    ['quoted url()', `<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url('https://x.example/a')"/></svg>`],
    ['not svg', '<html><body>hello</body></html>'],
  ];
  for (const [name, svg] of unsafeSvgs) {
    it(`rejects an SVG with ${name}`, async () => {
      const response = await upload({ logo: image('image/svg+xml', svg) });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().code, 'BRANDING_INVALID');
      assert.deepEqual(filesOf(suite.host), ['branding.json', 'favicon.svg', 'logo.svg']);
    });
  }

  it('rejects a PNG type with other content', async () => {
    const response = await upload({ logo: image('image/png', SAFE_SVG) });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'BRANDING_INVALID');
    assert.equal(response.json().message, 'Invalid logo: the file is not a PNG image.');
  });

  it('rejects a logo over the size limit', async () => {
    const large = Buffer.concat([PNG_BYTES, Buffer.alloc(MAX_BRANDING_IMAGE_BYTES)]);
    const response = await upload({ logo: image('image/png', large) });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().message, `The logo has ${large.length} bytes, more than the ${MAX_BRANDING_IMAGE_BYTES} allowed. Use a smaller image.`);
  });

  it('rejects a bad colour and a long name', async () => {
    const colour = await upload({ accentColor: 'red' });
    assert.equal(colour.statusCode, 400);
    assert.equal(colour.json().message, "Invalid accent colour 'red'. Use a hex colour such as #1f6feb.");
    const name = await upload({ productName: 'x'.repeat(61) });
    assert.equal(name.statusCode, 400);
    assert.equal(name.json().code, 'BRANDING_INVALID');
  });

  it('rejects a request without the session token', async () => {
    const response = await upload({ productName: 'Forged' }, { token: null });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, 'CSRF_TOKEN_INVALID');
  });

  it('rejects a request from another origin', async () => {
    const response = await upload({ productName: 'Forged' }, { origin: 'https://evil.example' });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, 'CSRF_TOKEN_INVALID');
  });

  it('rejects a user who is not a superuser', async () => {
    const viewer = await signInForTest(suite.app, suite.host, 'viewer', 'viewer-password');
    const response = await upload({ productName: 'Forged' }, { cookie: viewer.cookie, token: viewer.token });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'ACCESS_DENIED');
  });

  it('rejects a session of another tenant', async () => {
    const response = await upload({ productName: 'Forged' }, { onHost: suite.otherHost });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'SESSION_INVALID');
    const branding = await suite.app.inject({ method: 'GET', url: '/ui/branding.json', headers: { host: suite.host } });
    assert.equal(branding.json().productName, 'Acme Insights');
  });

  it('removes the logo and favicon on request', async () => {
    const response = await upload({ removeLogo: true, removeFavicon: true });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().logoUrl, null);
    assert.deepEqual(filesOf(suite.host), ['branding.json']);
  });
});
