import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { MAX_BODY_BYTES } from '../../src/http/server.js';
import { createTenantServer } from '../support/test-root.js';
import { useTestRoot } from '../support/suite-root.js';

describe('server hardening', () => {
  const suite = useTestRoot((root) => createTenantServer(root));

  it('rejects Host common, the shared config name', async () => {
    const response = await suite.app.inject({ url: '/matomo.php?idsite=1&rec=1&url=http%3A%2F%2Fx%2F', headers: { host: 'common' } });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /'common' is reserved/);
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
