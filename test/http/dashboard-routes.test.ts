import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import type { TenantHost } from '../../src/tenancy/tenant-host.js';
import { DEFAULT_UI_DIR, registerDashboardRoutes } from '../../src/http/dashboard-routes.js';
import { updateTenantConfigFile } from '../../src/tenancy/tenant-config-file.js';
import { ensureDashboardBuilt } from '../support/dashboard-build.js';
import { buildDashboardServer } from '../support/dashboard-server.js';
import { createTestRoot, createTestTenant } from '../support/test-root.js';
import { useTestRoot } from '../support/suite-root.js';

/** Budget of the first page's script, gzipped as the server sends it. */
const DASHBOARD_SCRIPT_BUDGET_BYTES = 150 * 1024;

describe('dashboard routes', () => {
  const suite = useTestRoot(async (root) => {
    await ensureDashboardBuilt();
    const script = readdirSync(resolve(DEFAULT_UI_DIR, 'assets')).find((name) => name.endsWith('.js'));
    const scriptPath = `/ui/assets/${script}`;
    const host = (await createTestTenant(root)).host;
    const brandedHost = (await createTestTenant(root)).host;
    const filesDir = root.registry.get(brandedHost as TenantHost)!.paths.filesDir;
    writeFileSync(resolve(filesDir, 'branding.json'), JSON.stringify({ productName: 'Acme Insights', accentColor: '#aa3300', extra: 'ignored' }));
    writeFileSync(resolve(filesDir, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    const app = await buildDashboardServer(root);
    return { scriptPath, host, brandedHost, app };
  });

  it('serves the page at / with a same-host policy', async () => {
    const response = await suite.app.inject({ method: 'GET', url: '/', headers: { host: suite.host } });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(response.headers['cache-control'], 'no-cache');
    assert.match(String(response.headers['content-security-policy']), /default-src 'self'/);
    assert.match(String(response.headers['content-security-policy']), /connect-src 'self'/);
    assert.equal(response.headers['x-frame-options'], 'DENY');
    assert.match(response.body, new RegExp(`src="${suite.scriptPath}"`));
  });

  it('keeps /?module=API for the Reporting API', async () => {
    const response = await suite.app.inject({ method: 'GET', url: '/?module=API&method=API.getMatomoVersion&format=json', headers: { host: suite.host } });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'ACCESS_DENIED');
  });

  it('answers 404 for the page on an unknown host', async () => {
    const response = await suite.app.inject({ method: 'GET', url: '/', headers: { host: 'unknown.test.example' } });
    assert.equal(response.statusCode, 404);
  });

  it('serves hashed assets with a year of immutable caching', async () => {
    const response = await suite.app.inject({ method: 'GET', url: suite.scriptPath, headers: { host: suite.host } });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(response.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(response.headers['content-encoding'], undefined);
  });

  it('serves assets gzipped when the client accepts gzip', async () => {
    const plain = await suite.app.inject({ method: 'GET', url: suite.scriptPath, headers: { host: suite.host } });
    const gzipped = await suite.app.inject({ method: 'GET', url: suite.scriptPath, headers: { host: suite.host, 'accept-encoding': 'gzip, br' } });
    assert.equal(gzipped.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gzipped.rawPayload).toString(), plain.body);
  });

  it('keeps the first page within 150 KB of gzipped script', async () => {
    const page = await suite.app.inject({ method: 'GET', url: '/', headers: { host: suite.host } });
    const scripts = [...page.body.matchAll(/<(?:script|link)[^>]+(?:src|href)="(\/ui\/assets\/[^"]+\.js)"/g)].map((match) => match[1]!);
    assert.ok(scripts.length > 0);
    let gzippedBytes = 0;
    for (const script of scripts) {
      const response = await suite.app.inject({ method: 'GET', url: script, headers: { host: suite.host, 'accept-encoding': 'gzip' } });
      gzippedBytes += response.rawPayload.length;
    }
    assert.ok(gzippedBytes <= DASHBOARD_SCRIPT_BUDGET_BYTES, `first page script is ${gzippedBytes} bytes gzipped`);
  });

  it('answers 404 for a missing asset and a path outside the folder', async () => {
    for (const url of ['/ui/assets/missing.js', '/ui/assets/..%2Findex.html', '/ui/assets/..%2F..%2F..%2Fpackage.json']) {
      const response = await suite.app.inject({ method: 'GET', url, headers: { host: suite.host } });
      assert.equal(response.statusCode, 404, url);
    }
  });

  it('returns the default branding for a tenant without a branding file', async () => {
    const response = await suite.app.inject({ method: 'GET', url: '/ui/branding.json', headers: { host: suite.host } });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { productName: 'Footfall', accentColor: '#1f6feb', logoUrl: null, faviconUrl: null });
  });

  it('returns the report defaults of the general settings', async () => {
    const defaults = await suite.app.inject({ method: 'GET', url: '/ui/report-defaults.json', headers: { host: suite.host } });
    assert.equal(defaults.statusCode, 200);
    assert.deepEqual(defaults.json(), { period: 'day', date: 'today' });

    const tenant = suite.root.registry.get(suite.brandedHost as TenantHost)!;
    updateTenantConfigFile(tenant.configFile, (document) => {
      document.set('General', 'default_period', 'week');
      document.set('General', 'default_day', 'yesterday');
    });
    await suite.root.registry.forget(suite.brandedHost);
    const changed = await suite.app.inject({ method: 'GET', url: '/ui/report-defaults.json', headers: { host: suite.brandedHost } });
    assert.deepEqual(changed.json(), { period: 'week', date: 'yesterday' });
  });

  it("returns the tenant's branding and logo from its folder", async () => {
    const response = await suite.app.inject({ method: 'GET', url: '/ui/branding.json', headers: { host: suite.brandedHost } });
    assert.deepEqual(response.json(), { productName: 'Acme Insights', accentColor: '#aa3300', logoUrl: '/ui/logo.svg', faviconUrl: null });

    const logo = await suite.app.inject({ method: 'GET', url: '/ui/logo.svg', headers: { host: suite.brandedHost } });
    assert.equal(logo.statusCode, 200);
    assert.equal(logo.headers['content-type'], 'image/svg+xml');
    assert.match(String(logo.headers['content-security-policy']), /sandbox/);
  });

  it("does not serve one tenant's logo on another host", async () => {
    const response = await suite.app.inject({ method: 'GET', url: '/ui/logo.svg', headers: { host: suite.host } });
    assert.equal(response.statusCode, 404);
  });

  it('keeps the defaults for malformed branding values', async () => {
    const filesDir = suite.root.registry.get(suite.host as TenantHost)!.paths.filesDir;
    writeFileSync(resolve(filesDir, 'branding.json'), JSON.stringify({ productName: '', accentColor: 'red; background: url(x)' }));
    const response = await suite.app.inject({ method: 'GET', url: '/ui/branding.json', headers: { host: suite.host } });
    assert.deepEqual(response.json(), { productName: 'Footfall', accentColor: '#1f6feb', logoUrl: null, faviconUrl: null });
  });
});

describe('dashboard routes before a build', () => {
  it('answers 503 until the page is built, then serves it', async () => {
    const uiDir = mkdtempSync(join(tmpdir(), 'footfall-ui-'));
    const tenantRoot = createTestRoot();
    const tenant = tenantRoot.registry.get((await createTestTenant(tenantRoot)).host as TenantHost)!;
    const app = Fastify();
    app.addHook('onRequest', async (request) => {
      request.tenant = tenant;
    });
    registerDashboardRoutes(app, uiDir);
    try {
      const missing = await app.inject({ method: 'GET', url: '/' });
      assert.equal(missing.statusCode, 503);
      assert.equal(missing.body, 'The dashboard is not built. The operator can build it with npm run build:ui.\n');

      writeFileSync(resolve(uiDir, 'index.html'), '<!doctype html><title>built</title>');
      const built = await app.inject({ method: 'GET', url: '/' });
      assert.equal(built.statusCode, 200);
      assert.equal(built.body, '<!doctype html><title>built</title>');
    } finally {
      await app.close();
      await tenantRoot.cleanup();
      rmSync(uiDir, { recursive: true, force: true });
    }
  });
});
