import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { MAX_BODY_BYTES } from '../../src/http/server.js';
import { TRANSPARENT_GIF } from '../../src/tracking/tracker-response.js';
import { buildCapturedServer } from '../support/session-server.js';
import { createTenantServer } from '../support/test-root.js';
import { useTestRoot } from '../support/suite-root.js';

describe('server hardening', () => {
  const suite = useTestRoot((root) => createTenantServer(root));

  it('rejects Host common, the shared config name', async () => {
    const response = await suite.app.inject({ url: '/matomo.php?idsite=1&rec=1&url=http%3A%2F%2Fx%2F', headers: { host: 'common' } });
    assert.equal(response.statusCode, 400);
    assert.match(String(response.headers['x-footfall-error']), /^HOST_INVALID: .*'common' is reserved/);
  });

  it('rejects a port above 65535', async () => {
    const response = await suite.app.inject({ url: '/healthz', headers: { host: `${suite.host}:99999` } });
    assert.equal(response.statusCode, 200);
    const api = await suite.app.inject({ url: '/index.php?module=API&method=API.getMatomoVersion&format=json', headers: { host: `${suite.host}:99999` } });
    assert.equal(api.statusCode, 400);
  });

  it('rejects an oversized API body naming the limit', async () => {
    const body = `token_auth=${suite.token}&pad=${'a'.repeat(MAX_BODY_BYTES)}`;
    const response = await suite.app.inject({
      method: 'POST', url: '/index.php?module=API&method=API.getMatomoVersion&format=json', headers: { host: suite.host, 'content-type': 'application/x-www-form-urlencoded' }, payload: body,
    });
    assert.equal(response.statusCode, 413);
    const error = response.json() as { result: string; message: string; code: string };
    assert.equal(error.result, 'error');
    assert.equal(error.code, 'REQUEST_BODY_TOO_LARGE');
    assert.match(error.message, new RegExp(`body of ${Buffer.byteLength(body)} bytes is larger than the limit of ${MAX_BODY_BYTES} bytes`));
  });

  it('rejects an oversized bulk tracking body as text', async () => {
    const response = await suite.app.inject({
      method: 'POST', url: '/matomo.php', headers: { host: suite.host, 'content-type': 'text/plain' }, payload: `{"requests":["${'a'.repeat(MAX_BODY_BYTES)}"]}`,
    });
    assert.equal(response.statusCode, 413);
    assert.match(response.body, /^The request body of \d+ bytes is larger than the limit of 10485760 bytes on \/matomo\.php\./);
  });

  it('still answers a route error with its own status', async () => {
    const response = await suite.app.inject({ method: 'POST', url: '/matomo.php', headers: { host: suite.host, 'content-type': 'text/plain' }, payload: '{"requests":' });
    assert.equal(response.statusCode, 400);
  });

  it('answers invalid JSON with REQUEST_BODY_INVALID', async () => {
    for (const url of ['/login', '/logout', '/index.php?module=API&method=API.getMatomoVersion&format=json']) {
      const response = await suite.app.inject({ method: 'POST', url, headers: { host: suite.host, 'content-type': 'application/json' }, payload: '{"login":' });
      assert.equal(response.statusCode, 400, url);
      assert.match(String(response.headers['x-footfall-error']), /^REQUEST_BODY_INVALID: Invalid request body with Content-Type application\/json: it is not valid JSON\./, url);
      const body = response.json() as { result: string; message: string; code: string };
      assert.equal(body.result, 'error', url);
      assert.equal(body.code, 'REQUEST_BODY_INVALID', url);
      assert.match(body.message, /Send valid JSON/, url);
    }
  });

  it('renders a JSON body error as XML', async () => {
    const response = await suite.app.inject({
      method: 'POST', url: '/index.php?module=API&method=API.getMatomoVersion', headers: { host: suite.host, 'content-type': 'application/json; charset=utf-8' }, payload: '[1,',
    });
    assert.equal(response.statusCode, 400);
    assert.match(String(response.headers['content-type']), /^text\/xml/);
    assert.match(response.body, /<error message="Invalid request body[^"]*" code="REQUEST_BODY_INVALID" \/>/);
  });

  it('rejects a JSON prototype key', async () => {
    const response = await suite.app.inject({ method: 'POST', url: '/login', headers: { host: suite.host, 'content-type': 'application/json' }, payload: '{"__proto__":{"admin":true}}' });
    assert.equal(response.statusCode, 400);
    assert.equal((response.json() as { code: string }).code, 'REQUEST_BODY_INVALID');
    assert.match(String(response.headers['x-footfall-error']), /"__proto__" key/);
  });

  it('reads an empty JSON body as none', async () => {
    const response = await suite.app.inject({ method: 'POST', url: '/login', headers: { host: suite.host, 'content-type': 'application/json' }, payload: '' });
    assert.equal(response.statusCode, 400);
    assert.equal((response.json() as { code: string }).code, 'PARAMETER_MISSING');
  });

  it('rejects a range longer than 25 years', async () => {
    const response = await suite.app.inject({
      url: `/index.php?module=API&method=VisitsSummary.get&idSite=1&period=range&date=1000-01-01,9999-12-31&format=json&token_auth=${suite.token}`,
      headers: { host: suite.host },
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'DATE_INVALID');
  });

  it('counts a deeply nested bulk entry as invalid', async () => {
    const payload = `{"requests":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const response = await suite.app.inject({ method: 'POST', url: '/matomo.php', headers: { host: suite.host, 'content-type': 'text/plain' }, payload });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'success', tracked: 0, invalid: 1 });
  });

  it('names the reason of a rejected hit in a header', async () => {
    const response = await suite.app.inject({ url: '/matomo.php?idsite=abc&rec=1&url=http%3A%2F%2Fa%2F', headers: { host: suite.host } });
    assert.equal(response.statusCode, 400);
    assert.equal(response.headers['content-type'], 'image/gif');
    assert.match(String(response.headers['x-footfall-error']), /^[A-Z_]+: /);
  });

  it('answers bad-host hits with the image', async () => {
    const response = await suite.app.inject({ url: '/matomo.php?idsite=1&rec=1', headers: { host: 'bad_host' } });
    assert.equal(response.statusCode, 400);
    assert.equal(response.headers['content-type'], 'image/gif');
    assert.deepEqual(response.rawPayload, TRANSPARENT_GIF);
    assert.equal(response.headers['x-footfall-error'], "HOST_INVALID: Invalid host name 'bad_host': use letters, digits, dots and inner hyphens only.");
    assert.equal(response.headers['cache-control'], 'no-store');
  });

  it('answers unknown-host hits with the image', async () => {
    const response = await suite.app.inject({ method: 'POST', url: '/piwik.php', headers: { host: 'unknown.hardening.example', origin: 'https://shop.example' }, payload: { idsite: '1', rec: '1' } });
    assert.equal(response.statusCode, 404);
    assert.equal(response.headers['content-type'], 'image/gif');
    assert.equal(response.headers['x-footfall-error'], "TENANT_NOT_FOUND: No Footfall tenant is configured for host 'unknown.hardening.example'.");
    assert.equal(response.headers['access-control-allow-origin'], 'https://shop.example');
  });

  it('sends no body for send_image=0', async () => {
    const response = await suite.app.inject({ url: '/js/?idsite=1&rec=1&send_image=0', headers: { host: 'unknown.hardening.example' } });
    assert.equal(response.statusCode, 404);
    assert.equal(response.body, '');
    assert.match(String(response.headers['x-footfall-error']), /^TENANT_NOT_FOUND: /);
  });

  it('answers script requests as text', async () => {
    const response = await suite.app.inject({ url: '/js/', headers: { host: 'unknown.hardening.example' } });
    assert.equal(response.statusCode, 404);
    assert.equal(response.body, "No Footfall tenant is configured for host 'unknown.hardening.example'.\n");
    assert.equal(response.headers['x-footfall-error'], undefined);
  });

  it('answers misconfigured-tenant hits with the image', async () => {
    const brokenHost = 'broken.hardening.example';
    mkdirSync(resolve(suite.root.dir, 'misc/user', brokenHost), { recursive: true });
    writeFileSync(resolve(suite.root.dir, 'misc/user', brokenHost, 'config.ini.php'), '; <?php exit; ?> DO NOT REMOVE THIS LINE\n[database]\nadapter = "oracle"\n');
    const response = await suite.app.inject({ url: '/matomo.php/?idsite=1&rec=1', headers: { host: brokenHost } });
    assert.equal(response.statusCode, 500);
    assert.equal(response.headers['content-type'], 'image/gif');
    assert.equal(response.headers['x-footfall-error'], 'CONFIG_INVALID: This host is misconfigured. The operator can find the details in the server log.');
  });

  it('does not echo any part of a wrong token', async () => {
    const wrong = 'abcdef0123456789abcdef0123456789';
    const response = await suite.app.inject({ url: `/index.php?module=API&method=API.getMatomoVersion&format=json&token_auth=${wrong}`, headers: { host: suite.host } });
    assert.equal(response.statusCode, 401);
    assert.doesNotMatch(response.body, /abcd/);
  });

  it('answers 503 to hits for a tenant whose database has no schema', async () => {
    const emptyHost = 'empty.hardening.example';
    mkdirSync(resolve(suite.root.dir, 'misc/user', emptyHost), { recursive: true });
    writeFileSync(resolve(suite.root.dir, 'misc/user', emptyHost, 'config.ini.php'), '; <?php exit; ?> DO NOT REMOVE THIS LINE\n');
    const response = await suite.app.inject({ url: '/matomo.php?idsite=1&rec=1&url=http%3A%2F%2Fx%2F', headers: { host: emptyHost } });
    assert.equal(response.statusCode, 503);
    assert.match(String(response.headers['x-footfall-error']), /core:update/);
  });
});

describe('tracking errors before the tenant', () => {
  const suite = useTestRoot(async (root) => ({ server: await buildCapturedServer(root) }));

  it('logs a rejected hit at info', async () => {
    const response = await suite.server.app.inject({ url: '/matomo.php?idsite=1&rec=1', headers: { host: 'unknown.hardening.example' } });
    assert.equal(response.statusCode, 404);
    const rejected = suite.server.logLines().filter((line) => line.msg === 'tracking request rejected');
    assert.equal(rejected.length, 1);
    assert.equal(rejected[0]?.level, 30);
    assert.equal(rejected[0]?.code, 'TENANT_NOT_FOUND');
  });
});
