import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Writable } from 'node:stream';
import { buildApiMethodRegistry } from '../../src/api/modules/index.js';
import { Settings } from '../../src/config/settings.js';
import { buildServer } from '../../src/http/server.js';
import { chooseContentEncoding } from '../../src/http/tracker-script-routes.js';
import { createLogger } from '../../src/logging.js';
import { SYSTEM_CLOCK } from '../../src/time.js';
import { buildTestServer, createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';
import { ensureTrackerBundle } from '../support/tracker-bundle.js';
import { useTestRoot } from '../support/suite-root.js';

function tenantConfigFile(root: TestRoot, host: string): string {
  return resolve(root.rootPaths.miscUserDir, host, 'config.ini.php');
}

describe('tracker script routes', () => {
  const suite = useTestRoot(async (root) => {
    const bundle = readFileSync(await ensureTrackerBundle(), 'utf8');
    const hostA = (await createTestTenant(root)).host;
    const hostB = (await createTestTenant(root)).host;
    appendFileSync(tenantConfigFile(root, hostA), '\n[CustomJsTracker]\ncookie_domain = "*.shop-a.example"\ndisable_cookies = 1\n');
    appendFileSync(tenantConfigFile(root, hostB), '\n[CustomJsTracker]\ncookie_domain = "*.shop-b.example"\nheartbeat_seconds = 20\ncache_max_age = 600\n');
    const app = await buildTestServer(root);
    return { bundle, hostA, hostB, app };
  });

  it('serves each tenant its own build', async () => {
    const responseA = await suite.app.inject({ method: 'GET', url: '/matomo.js', headers: { host: suite.hostA } });
    const responseB = await suite.app.inject({ method: 'GET', url: '/matomo.js', headers: { host: suite.hostB } });

    assert.equal(responseA.statusCode, 200);
    assert.equal(responseA.headers['content-type'], 'application/javascript; charset=utf-8');
    assert.equal(responseA.body, `/* Footfall tracker for ${suite.hostA} */\n(function(footfallTenantDefaults){\n${suite.bundle.trim()}\n})({"disableCookies":true,"cookieDomain":"*.shop-a.example"});\n`);
    assert.equal(responseB.body, `/* Footfall tracker for ${suite.hostB} */\n(function(footfallTenantDefaults){\n${suite.bundle.trim()}\n})({"heartBeatSeconds":20,"cookieDomain":"*.shop-b.example"});\n`);
    assert.equal(responseA.body.includes('shop-b.example'), false);
    assert.equal(responseB.body.includes('shop-a.example'), false);
  });

  it('writes the build to the tenant tmp folder', async () => {
    const response = await suite.app.inject({ method: 'GET', url: '/piwik.js', headers: { host: suite.hostB } });
    assert.equal(readFileSync(resolve(suite.root.rootPaths.tmpDir, suite.hostB, 'tracker', 'matomo.js'), 'utf8'), response.body);
  });

  it('serves the same script on /matomo.js, /piwik.js and /js/', async () => {
    const bodies = await Promise.all(['/matomo.js', '/piwik.js', '/js/', '/js'].map(async (url) => (await suite.app.inject({ method: 'GET', url, headers: { host: suite.hostA } })).body));
    assert.equal(new Set(bodies).size, 1);
    assert.match(bodies[0]!, /^\/\* Footfall tracker for /);
  });

  it('sends caching headers from the tenant settings', async () => {
    const responseA = await suite.app.inject({ method: 'GET', url: '/matomo.js', headers: { host: suite.hostA } });
    const responseB = await suite.app.inject({ method: 'GET', url: '/matomo.js', headers: { host: suite.hostB } });

    assert.equal(responseA.headers['cache-control'], 'public, max-age=864000');
    assert.equal(responseB.headers['cache-control'], 'public, max-age=600');
    assert.equal(responseA.headers.vary, 'Accept-Encoding');
    assert.match(String(responseA.headers.etag), /^"[0-9a-f]{32}"$/);
    assert.notEqual(responseA.headers.etag, responseB.headers.etag);
    assert.equal(Number.isNaN(Date.parse(String(responseA.headers['last-modified']))), false);
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await suite.app.inject({ method: 'GET', url: '/matomo.js', headers: { host: suite.hostA } });
    const second = await suite.app.inject({ method: 'GET', url: '/matomo.js', headers: { host: suite.hostA, 'if-none-match': String(first.headers.etag) } });

    assert.equal(second.statusCode, 304);
    assert.equal(second.body, '');
    assert.equal(second.headers.etag, first.headers.etag);
  });

  it('answers 304 to a current If-Modified-Since', async () => {
    const first = await suite.app.inject({ method: 'GET', url: '/matomo.js', headers: { host: suite.hostA } });
    const current = await suite.app.inject({ method: 'GET', url: '/matomo.js', headers: { host: suite.hostA, 'if-modified-since': String(first.headers['last-modified']) } });
    const older = new Date(Date.parse(String(first.headers['last-modified'])) - 1000).toUTCString();
    const stale = await suite.app.inject({ method: 'GET', url: '/matomo.js', headers: { host: suite.hostA, 'if-modified-since': older } });

    assert.equal(current.statusCode, 304);
    assert.equal(stale.statusCode, 200);
  });

  it('prefers If-None-Match over If-Modified-Since', async () => {
    const first = await suite.app.inject({ method: 'GET', url: '/matomo.js', headers: { host: suite.hostA } });
    const response = await suite.app.inject({ method: 'GET', url: '/matomo.js', headers: { host: suite.hostA, 'if-none-match': '"other"', 'if-modified-since': String(first.headers['last-modified']) } });
    assert.equal(response.statusCode, 200);
  });

  it('answers 200 to an ETag of the other tenant', async () => {
    const fromB = await suite.app.inject({ method: 'GET', url: '/matomo.js', headers: { host: suite.hostB } });
    const response = await suite.app.inject({ method: 'GET', url: '/matomo.js', headers: { host: suite.hostA, 'if-none-match': String(fromB.headers.etag) } });

    assert.equal(response.statusCode, 200);
    assert.equal(response.body.includes('shop-a.example'), true);
  });

  it('serves gzip and brotli by Accept-Encoding', async () => {
    const plain = await suite.app.inject({ method: 'GET', url: '/matomo.js', headers: { host: suite.hostA } });
    const gzip = await suite.app.inject({ method: 'GET', url: '/matomo.js', headers: { host: suite.hostA, 'accept-encoding': 'gzip, deflate' } });
    const brotli = await suite.app.inject({ method: 'GET', url: '/matomo.js', headers: { host: suite.hostA, 'accept-encoding': 'gzip, deflate, br' } });

    assert.equal(gzip.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gzip.rawPayload).toString('utf8'), plain.body);
    assert.equal(gzip.headers.etag, `${String(plain.headers.etag).slice(0, -1)}-gzip"`);
    assert.equal(brotli.headers['content-encoding'], 'br');
    assert.equal(brotliDecompressSync(brotli.rawPayload).toString('utf8'), plain.body);
    assert.equal(brotli.headers.etag, `${String(plain.headers.etag).slice(0, -1)}-br"`);
  });

  it('tracks a /js/ GET that has a query', async () => {
    const response = await suite.app.inject({ method: 'GET', url: '/js/?idsite=1&rec=1&url=https%3A%2F%2Fexample.org%2F', headers: { host: suite.hostA } });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'image/gif');
    assert.equal(response.rawPayload.length, 43);
  });

  it('tracks a POST on /js/', async () => {
    const response = await suite.app.inject({ method: 'POST', url: '/js/', headers: { host: suite.hostA, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'idsite=1&rec=1&send_image=0' });
    assert.equal(response.statusCode, 204);
  });

  it('rebuilds after the tenant config changes', async () => {
    const before = await suite.app.inject({ method: 'GET', url: '/matomo.js', headers: { host: suite.hostB } });
    appendFileSync(tenantConfigFile(suite.root, suite.hostB), 'require_consent = 1\n');
    const afterChange = await suite.app.inject({ method: 'GET', url: '/matomo.js', headers: { host: suite.hostB, 'if-none-match': String(before.headers.etag) } });

    assert.equal(afterChange.statusCode, 200);
    assert.notEqual(afterChange.headers.etag, before.headers.etag);
    assert.equal(afterChange.body.endsWith('})({"requireConsent":true,"heartBeatSeconds":20,"cookieDomain":"*.shop-b.example"});\n'), true);
  });

  it('answers 404 to an unknown host', async () => {
    const response = await suite.app.inject({ method: 'GET', url: '/matomo.js', headers: { host: 'unknown.test.example' } });
    assert.equal(response.statusCode, 404);
  });
});

describe('tracker script build log', () => {
  it('logs one line per build', async () => {
    await ensureTrackerBundle();
    const root = createTestRoot();
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({ write(chunk: Buffer, _encoding, done) { lines.push(JSON.parse(chunk.toString())); done(); } });
    const defaults = Settings.load({ global: root.rootPaths.globalConfig, common: root.rootPaths.commonConfig, local: null });
    const app = await buildServer({ registry: root.registry, apiMethods: buildApiMethodRegistry(), defaults, logger: createLogger('info', destination), clock: SYSTEM_CLOCK });
    try {
      const { host } = await createTestTenant(root);
      const first = await app.inject({ method: 'GET', url: '/matomo.js', headers: { host } });
      await app.inject({ method: 'GET', url: '/matomo.js', headers: { host } });
      const built = lines.filter((line) => line.msg === 'tracker script built');

      assert.equal(built.length, 1);
      assert.equal(built[0]!.tenant, host);
      assert.equal(built[0]!.bytes, first.rawPayload.length);
      assert.equal(typeof built[0]!.gzipBytes, 'number');
    } finally {
      await app.close();
      await root.cleanup();
    }
  });
});

describe('chooseContentEncoding', () => {
  const cases: [string | undefined, string][] = [
    [undefined, 'identity'],
    ['gzip', 'gzip'],
    ['gzip, br', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    ['*', 'br'],
    ['identity', 'identity'],
    ['gzip;q=0', 'identity'],
  ];
  for (const [header, expected] of cases) {
    it(`picks ${expected} for ${header ?? 'no header'}`, () => {
      assert.equal(chooseContentEncoding(header), expected);
    });
  }
});
