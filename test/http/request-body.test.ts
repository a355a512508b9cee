import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { describe, it } from 'node:test';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { MAX_BODY_BYTES } from '../../src/http/server.js';
import { TRANSPARENT_GIF } from '../../src/tracking/tracker-response.js';
import { useTestRoot } from '../support/suite-root.js';
import { createTenantServer, listenOnLoopback } from '../support/test-root.js';
import { countRows, tenantDb } from '../support/tracking.js';
import { createCapturedTenantServer } from '../support/session-server.js';

const COMPRESSORS = {
  gzip: gzipSync,
  deflate: deflateSync,
  br: brotliCompressSync,
} as const;

type Coding = keyof typeof COMPRESSORS;

const CODINGS = Object.keys(COMPRESSORS) as Coding[];

/** A body of zeros just over the server's limit, which each coding compresses to a few kilobytes. */
const BOMB_SOURCE = Buffer.alloc(MAX_BODY_BYTES + 1024 * 1024);

interface ApiError {
  result: string;
  message: string;
  code: string;
}

describe('request body decoding', () => {
  const suite = useTestRoot((root) => createTenantServer(root));

  const countVisits = (): Promise<number> => countRows(tenantDb(suite.root, suite.host), 'log_visit');

  async function countActionsNamed(fragment: string): Promise<number> {
    const rows = await tenantDb(suite.root, suite.host).selectFrom('log_action').select('name').where('name', 'like', `%${fragment}%`).execute();
    return rows.length;
  }

  function postEncoded(url: string, coding: string, body: Buffer, contentType = 'application/x-www-form-urlencoded') {
    return suite.app.inject({ method: 'POST', url, headers: { host: suite.host, 'content-type': contentType, 'content-encoding': coding }, payload: body });
  }

  it('decodes a single hit', async () => {
    for (const coding of CODINGS) {
      const before = await countVisits();
      const body = COMPRESSORS[coding](`idsite=1&rec=1&new_visit=1&url=https%3A%2F%2Fexample.org%2Fsingle-${coding}`);
      const response = await postEncoded('/matomo.php', coding, body);
      assert.equal(response.statusCode, 200, coding);
      assert.deepEqual(response.rawPayload, TRANSPARENT_GIF, coding);
      assert.equal(await countVisits(), before + 1, coding);
      assert.equal(await countActionsNamed(`single-${coding}`), 1, coding);
    }
  });

  it('decodes a bulk body', async () => {
    for (const coding of CODINGS) {
      const requests = [`?idsite=1&rec=1&url=https%3A%2F%2Fexample.org%2Fbulk-${coding}-a`, { idsite: 1, rec: 1, url: `https://example.org/bulk-${coding}-b` }];
      const body = COMPRESSORS[coding](JSON.stringify({ requests }));
      // The JavaScript tracker sends bulk JSON with a form content type.
      const response = await postEncoded('/piwik.php', coding, body);
      assert.equal(response.statusCode, 200, coding);
      assert.deepEqual(response.json(), { status: 'success', tracked: 2, invalid: 0 }, coding);
      assert.equal(await countActionsNamed(`bulk-${coding}-`), 2, coding);
    }
  });

  it('decodes a Reporting API form', async () => {
    for (const coding of CODINGS) {
      const body = COMPRESSORS[coding](`method=SitesManager.getSiteFromId&idSite=1&token_auth=${suite.token}`);
      const response = await postEncoded('/index.php?module=API&format=json', coding, body);
      assert.equal(response.statusCode, 200, `${coding}: ${response.body}`);
      assert.equal((response.json() as { idsite: string }).idsite, '1', coding);
    }
  });

  it('decodes a JSON sign-in body', async () => {
    const body = gzipSync(JSON.stringify({ login: 'nobody', password: 'wrong password' }));
    const response = await postEncoded('/login', 'gzip', body, 'application/json');
    assert.equal(response.statusCode, 401);
    assert.equal((response.json() as ApiError).code, 'LOGIN_FAILED');
  });

  it('reads x-gzip and identity codings', async () => {
    const cases: [string, Buffer][] = [
      ['x-gzip', gzipSync('idsite=1&rec=1&url=https%3A%2F%2Fexample.org%2Falias-x-gzip')],
      ['GZIP', gzipSync('idsite=1&rec=1&url=https%3A%2F%2Fexample.org%2Falias-upper')],
      ['identity', Buffer.from('idsite=1&rec=1&url=https%3A%2F%2Fexample.org%2Falias-identity')],
      ['gzip, identity', gzipSync('idsite=1&rec=1&url=https%3A%2F%2Fexample.org%2Falias-list')],
    ];
    for (const [coding, body] of cases) {
      const response = await postEncoded('/matomo.php', coding, body);
      assert.equal(response.statusCode, 200, coding);
    }
    for (const name of ['alias-x-gzip', 'alias-upper', 'alias-identity', 'alias-list']) assert.equal(await countActionsNamed(name), 1, name);
  });

  it('rejects an unknown coding with 415', async () => {
    const before = await countVisits();
    for (const coding of ['zstd', 'compress', 'gzip, br']) {
      const response = await postEncoded('/matomo.php', coding, gzipSync('idsite=1&rec=1&url=https%3A%2F%2Fexample.org%2F'));
      assert.equal(response.statusCode, 415, coding);
      assert.equal(response.headers['accept-encoding'], 'gzip, deflate, br', coding);
      assert.match(String(response.headers['x-footfall-error']), /^REQUEST_ENCODING_UNSUPPORTED: Content-Encoding '/, coding);
      assert.ok(response.body.includes(`'${coding}'`), response.body);
      assert.ok(response.body.includes('gzip, deflate or br'), response.body);
    }
    assert.equal(await countVisits(), before);
  });

  it('rejects an unknown API coding', async () => {
    const response = await postEncoded('/index.php?module=API&format=json', 'zstd', Buffer.from(`method=API.getMatomoVersion&token_auth=${suite.token}`));
    assert.equal(response.statusCode, 415);
    const error = response.json() as ApiError;
    assert.equal(error.result, 'error');
    assert.equal(error.code, 'REQUEST_ENCODING_UNSUPPORTED');
    assert.equal(error.message, "Content-Encoding 'zstd' is not supported. Send the body uncompressed or with gzip, deflate or br.");
  });

  it('ignores the coding of no body', async () => {
    const response = await suite.app.inject({
      method: 'POST', url: '/matomo.php?idsite=1&rec=1&url=https%3A%2F%2Fexample.org%2Fno-body', headers: { host: suite.host, 'content-encoding': 'zstd', 'content-length': '0' },
    });
    assert.equal(response.statusCode, 200);
    assert.equal(await countActionsNamed('no-body'), 1);
  });

  it('rejects a corrupt body with 400', async () => {
    const single = Buffer.from('idsite=1&rec=1&url=https%3A%2F%2Fexample.org%2Fcorrupt');
    const compressedLong = (coding: Coding): Buffer => COMPRESSORS[coding](Buffer.from(Array.from({ length: 400 }, (_, index) => `idsite=1&rec=1&x${index}=${index * 7919}`).join('&')));
    const damaged = (coding: Coding): Buffer => {
      const bytes = Buffer.from(compressedLong(coding));
      bytes.fill(0xff, 20, 60);
      return bytes;
    };
    const cases: [string, string, Buffer, RegExp][] = [
      ['gzip truncated', 'gzip', compressedLong('gzip').subarray(0, 100), /its gzip data \(Content-Encoding gzip\) stops before its end, so the body is truncated/],
      ['deflate truncated', 'deflate', compressedLong('deflate').subarray(0, 100), /its zlib \(RFC 1950\) data \(Content-Encoding deflate\) stops before its end/],
      ['br truncated', 'br', compressedLong('br').subarray(0, 100), /its br data \(Content-Encoding br\) stops before its end/],
      ['gzip of plain text', 'gzip', single, /Content-Encoding is gzip, but the body does not start as gzip data/],
      ['raw deflate', 'deflate', deflateRawSync(single), /Content-Encoding is deflate, but the body does not start as zlib \(RFC 1950\) data/],
      ['gzip damaged', 'gzip', damaged('gzip'), /its gzip data \(Content-Encoding gzip\) is damaged and cannot be decoded \(/],
      ['deflate damaged', 'deflate', damaged('deflate'), /its zlib \(RFC 1950\) data \(Content-Encoding deflate\) is damaged/],
      ['br damaged', 'br', damaged('br'), /its br data \(Content-Encoding br\) is damaged/],
    ];
    const before = await countVisits();
    for (const [name, coding, body, message] of cases) {
      const response = await postEncoded('/matomo.php', coding, body);
      assert.equal(response.statusCode, 400, name);
      assert.match(String(response.headers['x-footfall-error']), /^REQUEST_BODY_DECODING_FAILED: Invalid request body/, name);
      assert.match(response.body, message, name);
    }
    assert.equal(await countVisits(), before);
  });

  it('rejects a corrupt API body', async () => {
    const body = gzipSync(`method=API.getMatomoVersion&token_auth=${suite.token}`).subarray(0, 15);
    const response = await postEncoded('/index.php?module=API&format=json', 'gzip', body);
    assert.equal(response.statusCode, 400);
    const error = response.json() as ApiError;
    assert.equal(error.code, 'REQUEST_BODY_DECODING_FAILED');
    assert.match(error.message, /truncated/);
  });

  it('stops a zip bomb at the limit', async () => {
    const before = await countVisits();
    for (const coding of CODINGS) {
      const bomb = COMPRESSORS[coding](BOMB_SOURCE);
      assert.ok(bomb.length < 64 * 1024, `${coding} bomb is ${bomb.length} bytes`);
      for (const url of ['/matomo.php', '/index.php?module=API&format=json']) {
        const response = await postEncoded(url, coding, bomb);
        assert.equal(response.statusCode, 413, `${coding} ${url}`);
        assert.equal(response.headers.connection, 'close', `${coding} ${url}`);
        assert.match(String(response.headers['x-footfall-error']), /^REQUEST_BODY_TOO_LARGE: /, `${coding} ${url}`);
        const message = url === '/matomo.php' ? response.body : (response.json() as ApiError).message;
        assert.match(message, new RegExp(`^The request body, decoded from Content-Encoding ${coding}, is larger than the limit of ${MAX_BODY_BYTES} bytes on /`), `${coding} ${url}`);
      }
    }
    assert.equal(await countVisits(), before);
  });

  it('applies the branding route limit', async () => {
    const bomb = gzipSync(Buffer.alloc(MAX_BODY_BYTES / 2));
    const response = await postEncoded('/ui/branding', 'gzip', bomb, 'application/json');
    assert.equal(response.statusCode, 413);
    const limit = /the limit of (\d+) bytes on \/ui\/branding\./.exec(response.body)?.[1];
    assert.ok(limit !== undefined, response.body);
    assert.ok(Number(limit) < MAX_BODY_BYTES / 2, response.body);
  });

  it('answers a chunked bomb on a socket', async () => {
    const port = await listenOnLoopback(suite.app);
    const bomb = gzipSync(BOMB_SOURCE);

    // No Content-Length, so Node sends the body with chunked transfer coding.
    const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest({
        host: '127.0.0.1', port, method: 'POST', path: '/matomo.php',
        headers: { host: suite.host, 'content-type': 'text/plain', 'content-encoding': 'gzip' }, timeout: 10_000,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      });
      request.on('timeout', () => request.destroy(new Error('Request timed out: no response within 10 s.')));
      request.on('error', reject);
      for (let offset = 0; offset < bomb.length; offset += 1024) request.write(bomb.subarray(offset, offset + 1024));
      request.end();
    });
    assert.equal(response.status, 413);
    assert.match(response.body, /^The request body, decoded from Content-Encoding gzip, is larger than the limit of \d+ bytes on \/matomo\.php\./);
  });
});

describe('request body rejection log', () => {
  const suite = useTestRoot((root) => createCapturedTenantServer(root, { adapter: 'sqlite' }));

  it('logs rejected encodings at info', async () => {
    const cases = [
      { coding: 'zstd', body: Buffer.from('idsite=1&rec=1'), code: 'REQUEST_ENCODING_UNSUPPORTED' },
      { coding: 'gzip', body: Buffer.from('idsite=1&rec=1'), code: 'REQUEST_BODY_DECODING_FAILED' },
    ];
    for (const { coding, body, code } of cases) {
      const before = suite.server.logLines().length;
      const response = await suite.server.app.inject({
        method: 'POST', url: '/matomo.php', payload: body,
        headers: { host: suite.host, 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': coding },
      });
      assert.equal(response.headers['x-footfall-error']?.toString().startsWith(code), true, coding);
      const lines = suite.server.logLines().slice(before).filter((line) => line.msg === 'request body rejected');
      assert.equal(lines.length, 1, coding);
      assert.equal(lines[0]!.code, code, coding);
      assert.equal(lines[0]!.level, 30, coding);
    }
  });
});
