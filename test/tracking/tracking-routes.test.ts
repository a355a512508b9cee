import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createTenantServer, createTestRoot, type TestRoot } from '../support/test-root.js';
import { TRANSPARENT_GIF } from '../../src/tracking/tracker-response.js';
import { formatPhpNumber } from '../../src/tracking/tracking-params.js';
import { countRows, tenantDb } from '../support/tracking.js';

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0';

describe('tracking endpoints', () => {
  let root: TestRoot;
  let app: FastifyInstance;
  let host: string;
  let token: string;

  before(async () => {
    root = createTestRoot();
    ({ app, host, token } = await createTenantServer(root));
  });

  after(async () => {
    await app.close();
    await root.cleanup();
  });

  const countVisits = (): Promise<number> => countRows(tenantDb(root, host), 'log_visit');

  test('answers a GET hit with the 43-byte GIF', async () => {
    const response = await app.inject({ method: 'GET', url: '/matomo.php?idsite=1&rec=1&url=https://example.org/&action_name=Home', headers: { host, 'user-agent': FIREFOX } });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'image/gif');
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.deepEqual(response.rawPayload, TRANSPARENT_GIF);
    assert.equal(response.rawPayload.length, 43);
  });

  test('answers send_image=0 with 204 and CORS on POST', async () => {
    const response = await app.inject({
      method: 'POST', url: '/piwik.php', headers: { host, origin: 'https://shop.example', 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'idsite=1&rec=1&send_image=0&url=https%3A%2F%2Fexample.org%2Fa',
    });
    assert.equal(response.statusCode, 204);
    assert.equal(response.body, '');
    assert.equal(response.headers['access-control-allow-origin'], 'https://shop.example');
    assert.equal(response.headers['access-control-allow-credentials'], 'true');
  });

  test('preflight allows compressed bodies', async () => {
    const response = await app.inject({
      method: 'OPTIONS', url: '/matomo.php',
      headers: { host, origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, content-encoding' },
    });
    assert.equal(response.statusCode, 204);
    assert.equal(response.headers['access-control-allow-origin'], 'https://shop.example');
    const allowed = String(response.headers['access-control-allow-headers']).toLowerCase().split(/,\s*/);
    assert.ok(allowed.includes('content-type'), allowed.join(','));
    assert.ok(allowed.includes('content-encoding'), allowed.join(','));
  });

  test('reads a text/plain query string body', async () => {
    const before = await countVisits();
    const response = await app.inject({
      method: 'POST', url: '/matomo.php', headers: { host, 'content-type': 'text/plain;charset=UTF-8' },
      payload: 'idsite=1&rec=1&new_visit=1&url=https%3A%2F%2Fexample.org%2Fbeacon',
    });
    assert.equal(response.statusCode, 200);
    assert.equal(await countVisits(), before + 1);
  });

  async function trackingError(query: string): Promise<{ statusCode: number; error: string }> {
    const response = await app.inject({ method: 'GET', url: `/matomo.php?${query}`, headers: { host } });
    return { statusCode: response.statusCode, error: String(response.headers['x-footfall-error']) };
  }

  test('answers an unknown idsite with 400', async () => {
    for (const idsite of ['99', '1234567890']) {
      const { statusCode, error } = await trackingError(`idsite=${idsite}&rec=1&url=https://example.org/`);
      assert.equal(statusCode, 400, idsite);
      assert.match(error, /^SITE_NOT_FOUND: /);
      assert.ok(error.includes(`'${idsite}'`), error);
    }
  });

  test('answers a missing idsite with PARAMETER_MISSING', async () => {
    for (const query of ['rec=1&url=https://example.org/', 'idsite=&rec=1', 'idsite=%20&rec=1']) {
      const { statusCode, error } = await trackingError(query);
      assert.equal(statusCode, 400, query);
      assert.match(error, /^PARAMETER_MISSING: Missing parameter 'idsite'\./);
    }
  });

  test('answers a malformed idsite with PARAMETER_INVALID', async () => {
    for (const idsite of ['abc', '0', '-1', '1.5', '1e3']) {
      const { statusCode, error } = await trackingError(`idsite=${encodeURIComponent(idsite)}&rec=1`);
      assert.equal(statusCode, 400, idsite);
      assert.ok(error.startsWith(`PARAMETER_INVALID: Invalid value '${idsite}' for 'idsite'.`), error);
    }
    const script = await app.inject({ method: 'GET', url: '/js/?idsite=abc&rec=1', headers: { host } });
    assert.equal(script.statusCode, 400);
    assert.match(String(script.headers['x-footfall-error']), /^PARAMETER_INVALID: /);
  });

  test('bulk counts idsite errors invalid', async () => {
    const before = await countVisits();
    const payload = JSON.stringify({
      requests: ['?rec=1&url=https%3A%2F%2Fexample.org%2F', '?idsite=abc&rec=1', '?idsite=99&rec=1', '?idsite=1&rec=1&new_visit=1&url=https%3A%2F%2Fexample.org%2Fok'],
      token_auth: token,
    });
    const response = await app.inject({ method: 'POST', url: '/matomo.php', headers: { host, 'content-type': 'text/plain' }, payload });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'success', tracked: 1, invalid: 3, invalid_indices: [0, 1, 2] });
    assert.equal(await countVisits(), before + 1);
  });

  test('answers an empty GET with a text page', async () => {
    const response = await app.inject({ method: 'GET', url: '/matomo.php', headers: { host } });
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-type'] as string, /^text\/plain/);
    assert.match(response.body, /Matomo-compatible/);
  });

  test('answers cip without a token with 400 and stores nothing', async () => {
    const before = await countVisits();
    const response = await app.inject({ method: 'GET', url: '/matomo.php?idsite=1&rec=1&cip=192.0.2.5&url=https://example.org/', headers: { host } });
    assert.equal(response.statusCode, 400);
    assert.equal(await countVisits(), before);
  });

  test('counts 3 valid and 2 invalid bulk entries', async () => {
    const before = await countVisits();
    const payload = JSON.stringify({
      requests: [
        '?idsite=1&rec=1&new_visit=1&_id=1111111111111111&url=https%3A%2F%2Fexample.org%2F1',
        { idsite: 1, rec: 1, new_visit: 1, _id: '2222222222222222', url: 'https://example.org/2' },
        '?idsite=77&rec=1&url=https%3A%2F%2Fexample.org%2Fx',
        '?idsite=1&rec=1&new_visit=1&_id=3333333333333333&url=https%3A%2F%2Fexample.org%2F3',
        { idsite: 1, rec: 1, e_c: 'Video' },
      ],
    });
    const response = await app.inject({ method: 'POST', url: '/matomo.php', headers: { host, 'content-type': 'text/plain' }, payload });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'success', tracked: 3, invalid: 2 });
    assert.equal(await countVisits(), before + 3);
  });

  test('adds invalid_indices for a superuser bulk token', async () => {
    const payload = JSON.stringify({ requests: ['?idsite=1&rec=1&url=https%3A%2F%2Fexample.org%2F', '?idsite=0&rec=1'], token_auth: token });
    const response = await app.inject({ method: 'POST', url: '/matomo.php', headers: { host, 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' }, payload });
    assert.deepEqual(response.json(), { status: 'success', tracked: 1, invalid: 1, invalid_indices: [1] });
  });

  test('adds empty invalid_indices for a superuser bulk token', async () => {
    const payload = JSON.stringify({ requests: ['?idsite=1&rec=1&url=https%3A%2F%2Fexample.org%2F'], token_auth: token });
    const response = await app.inject({ method: 'POST', url: '/matomo.php', headers: { host, 'content-type': 'text/plain' }, payload });
    assert.deepEqual(response.json(), { status: 'success', tracked: 1, invalid: 0, invalid_indices: [] });
  });

  test('bulk token covers every cip entry', async () => {
    const before = await countVisits();
    const entries = [1, 2, 3].map((index) => `?idsite=1&rec=1&new_visit=1&_id=444444444444444${index}&cip=192.0.2.${index}&url=https%3A%2F%2Fexample.org%2Fcip`);
    // The first request looks the token up and the second finds it cached, so both paths run.
    for (let request = 0; request < 2; request += 1) {
      const response = await app.inject({ method: 'POST', url: '/matomo.php', headers: { host, 'content-type': 'text/plain' }, payload: JSON.stringify({ requests: entries, token_auth: token }) });
      assert.deepEqual(response.json(), { status: 'success', tracked: 3, invalid: 0, invalid_indices: [] });
    }
    assert.equal(await countVisits(), before + 6);
  });

  test('unknown bulk token rejects cip entries', async () => {
    const before = await countVisits();
    const unknownToken = 'f'.repeat(32);
    const entries = [
      '?idsite=1&rec=1&cip=192.0.2.8&url=https%3A%2F%2Fexample.org%2Fa',
      `?idsite=1&rec=1&new_visit=1&_id=5555555555555555&cip=192.0.2.9&token_auth=${token}&url=https%3A%2F%2Fexample.org%2Fb`,
      '?idsite=1&rec=1&cip=192.0.2.10&url=https%3A%2F%2Fexample.org%2Fc',
    ];
    // Twice, so the second request reads the unknown token from the cache.
    for (let request = 0; request < 2; request += 1) {
      const response = await app.inject({ method: 'POST', url: '/matomo.php', headers: { host, 'content-type': 'text/plain' }, payload: JSON.stringify({ requests: entries, token_auth: unknownToken }) });
      assert.deepEqual(response.json(), { status: 'success', tracked: 1, invalid: 2 });
    }
    assert.equal(await countVisits(), before + 2);
  });

  test('JSON hit with array is rejected', async () => {
    const before = await countVisits();
    const response = await app.inject({
      method: 'POST', url: '/matomo.php', headers: { host, 'content-type': 'application/json' }, payload: JSON.stringify({ idsite: [1], rec: 1 }),
    });
    assert.equal(response.statusCode, 400);
    const error = String(response.headers['x-footfall-error']);
    assert.match(error, /^TRACKING_PARAMETER_INVALID: /);
    assert.ok(error.includes("for 'idsite'"), error);
    assert.equal(await countVisits(), before);
  });

  test('JSON hit must be an object', async () => {
    const response = await app.inject({
      method: 'POST', url: '/matomo.php?idsite=1&rec=1', headers: { host, 'content-type': 'application/json' }, payload: '["idsite",1]',
    });
    assert.equal(response.statusCode, 400);
    assert.match(String(response.headers['x-footfall-error']), /^TRACKING_BULK_INVALID: /);
  });

  test('JSON hit values become text', async () => {
    const before = await countVisits();
    const response = await app.inject({
      method: 'POST', url: '/matomo.php?idsite=99', headers: { host, 'content-type': 'application/json; charset=utf-8' },
      payload: JSON.stringify({ idsite: 1, rec: true, new_visit: 1, url: 'https://example.org/json', urlref: null }),
    });
    assert.equal(response.statusCode, 200, String(response.headers['x-footfall-error']));
    assert.equal(await countVisits(), before + 1);
  });

  test('invalid JSON body is TRACKING_BULK_INVALID', async () => {
    for (const payload of ['{"requests":["?idsite=1&rec=1",', '{bad']) {
      const response = await app.inject({
        method: 'POST', url: '/matomo.php', headers: { host, origin: 'https://shop.example', 'content-type': 'application/json' }, payload,
      });
      assert.equal(response.statusCode, 400, payload);
      const error = String(response.headers['x-footfall-error']);
      assert.match(error, /^TRACKING_BULK_INVALID: Invalid tracking body with Content-Type application\/json: it is not valid JSON\./, payload);
      assert.equal(response.headers['access-control-allow-origin'], 'https://shop.example', payload);
      const body = response.json() as { status: string; tracked: number; invalid: number; code: string };
      assert.equal(body.status, 'error', payload);
      assert.equal(body.tracked, 0, payload);
      assert.equal(body.invalid, 0, payload);
      assert.equal(body.code, 'TRACKING_BULK_INVALID', payload);
    }
  });

  test('invalid bulk text is TRACKING_BULK_INVALID', async () => {
    const payloads = ['{"requests":["?idsite=1&rec=1",}', '{"token_auth":"x","requests":[', "{'requests':['?idsite=1&rec=1']}"];
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
      for (const payload of payloads) {
        const response = await app.inject({ method: 'POST', url: '/matomo.php', headers: { host, 'content-type': contentType }, payload });
        assert.equal(response.statusCode, 400, `${contentType} ${payload}`);
        assert.match(String(response.headers['x-footfall-error']), /^TRACKING_BULK_INVALID: /, `${contentType} ${payload}`);
        assert.equal((response.json() as { code: string }).code, 'TRACKING_BULK_INVALID', `${contentType} ${payload}`);
      }
    }
  });

  const bulkPayload = (path: string) => JSON.stringify({ requests: [`?idsite=1&rec=1&new_visit=1&url=https%3A%2F%2Fexample.org%2F${path}`] });

  test('bulk body after leading whitespace', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/json']) {
      const before = await countVisits();
      const payload = `\n \t\r\n${bulkPayload('spaced')}`;
      const response = await app.inject({ method: 'POST', url: '/matomo.php', headers: { host, 'content-type': contentType }, payload });
      assert.equal(response.statusCode, 200, contentType);
      assert.deepEqual(response.json(), { status: 'success', tracked: 1, invalid: 0 }, contentType);
      assert.equal(await countVisits(), before + 1, contentType);
    }
  });

  test('bulk body after byte order mark', async () => {
    // Some clients write UTF-8 with a byte order mark, which RFC 8259 lets a JSON parser ignore.
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/json']) {
      const before = await countVisits();
      const payload = Buffer.from(`\uFEFF${bulkPayload('bom')}`, 'utf8');
      const response = await app.inject({ method: 'POST', url: '/matomo.php', headers: { host, 'content-type': contentType }, payload });
      assert.equal(response.statusCode, 200, contentType);
      assert.equal(response.headers['content-type'], 'application/json; charset=utf-8', contentType);
      assert.deepEqual(response.json(), { status: 'success', tracked: 1, invalid: 0 }, contentType);
      assert.equal(await countVisits(), before + 1, contentType);
    }
  });

  test('bulk requests key after others', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/json']) {
      const before = await countVisits();
      const payload = JSON.stringify({ send_image: 1, token_auth: token, requests: ['?idsite=1&rec=1&new_visit=1&url=https%3A%2F%2Fexample.org%2Flast', '?idsite=0&rec=1'] });
      const response = await app.inject({ method: 'POST', url: '/matomo.php', headers: { host, 'content-type': contentType }, payload });
      assert.equal(response.statusCode, 200, contentType);
      assert.deepEqual(response.json(), { status: 'success', tracked: 1, invalid: 1, invalid_indices: [1] }, contentType);
      assert.equal(await countVisits(), before + 1, contentType);
    }
  });

  async function hasPageTitle(title: string): Promise<boolean> {
    const row = await tenantDb(root, host).selectFrom('log_action').select('idaction').where('name', '=', title).where('type', '=', 4).executeTakeFirst();
    return row !== undefined;
  }

  test('form hit mentioning requests', async () => {
    const cases: [contentType: string, payload: string, title: string][] = [
      ['application/x-www-form-urlencoded', "idsite=1&rec=1&new_visit=1&action_name=Form%20'requests'%20page", "Form 'requests' page"],
      ['application/x-www-form-urlencoded', 'idsite=1&rec=1&new_visit=1&action_name=Form+"requests"+page', 'Form "requests" page'],
      ['text/plain', 'idsite=1&rec=1&new_visit=1&action_name=Beacon%20requests%20page', 'Beacon requests page'],
      ['text/plain', "idsite=1&rec=1&new_visit=1&action_name=Beacon%20'requests'%20page", "Beacon 'requests' page"],
    ];
    for (const [contentType, payload, title] of cases) {
      const before = await countVisits();
      const response = await app.inject({ method: 'POST', url: '/matomo.php', headers: { host, 'content-type': contentType }, payload });
      assert.equal(response.statusCode, 200, payload);
      assert.equal(response.headers['content-type'], 'image/gif', payload);
      assert.equal(await countVisits(), before + 1, payload);
      assert.ok(await hasPageTitle(title), title);
    }
  });

  test('JSON hit mentioning requests', async () => {
    const hits = [
      { idsite: 1, rec: 1, new_visit: 1, action_name: 'requests' },
      { idsite: 1, rec: 1, new_visit: 1, action_name: "JSON 'requests' page", dimension1: '"requests"' },
    ];
    for (const hit of hits) {
      const before = await countVisits();
      const payload = JSON.stringify(hit);
      const response = await app.inject({ method: 'POST', url: '/matomo.php', headers: { host, 'content-type': 'application/json' }, payload });
      assert.equal(response.statusCode, 200, `${payload}: ${String(response.headers['x-footfall-error'])}`);
      assert.equal(response.headers['content-type'], 'image/gif', payload);
      assert.equal(await countVisits(), before + 1, payload);
      assert.ok(await hasPageTitle(hit.action_name), hit.action_name);
    }
  });

  test('answers a bulk body with send_image 0 with 204', async () => {
    const payload = JSON.stringify({ requests: ['?idsite=1&rec=1&url=https%3A%2F%2Fexample.org%2F'], send_image: 0 });
    const response = await app.inject({ method: 'POST', url: '/matomo.php', headers: { host, 'content-type': 'text/plain' }, payload });
    assert.equal(response.statusCode, 204);
  });
});

describe('PHP number format', () => {
  const cases: [number, string][] = [
    [4, '4'], [-17, '-17'], [1700000000, '1700000000'], [12.5, '12.5'], [0.1 + 0.2, '0.3'], [0.0001, '0.0001'],
    [0.00001, '1.0E-5'], [1e20, '1.0E+20'], [-1.5e20, '-1.5E+20'], [2.5e-7, '2.5E-7'], [123456789012345.67, '1.2345678901235E+14'],
  ];

  for (const [value, text] of cases) {
    test(`formats ${text}`, () => {
      assert.equal(formatPhpNumber(value), text);
    });
  }
});
