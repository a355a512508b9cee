import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestServer, createTestRoot, createTestTenant, listenOnLoopback, type TestRoot } from '../support/test-root.js';

/** Lists every file and folder under `dir`, relative to it, sorted. */
function snapshotTree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((entry) => `${relative(dir, join(entry.parentPath, entry.name))}${entry.isDirectory() ? '/' : ''}`)
    .sort();
}

/** A response read from a socket: the status code, the header lines, and the body as text. */
interface RawResponse {
  status: number;
  head: string;
  body: string;
}

/** Sends raw request text to a listening server and returns its response, read until the server closes the connection. */
async function exchangeRaw(port: number, text: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('no response within 5 s')));
    socket.on('data', (chunk) => { received += chunk.toString('latin1'); });
    socket.on('error', reject);
    socket.on('close', () => {
      const split = received.indexOf('\r\n\r\n');
      const head = split < 0 ? received : received.slice(0, split);
      resolve({ status: Number(/^HTTP\/1\.[01] ([0-9]{3})/.exec(received)?.[1] ?? 0), head, body: split < 0 ? '' : received.slice(split + 4) });
    });
    socket.end(text);
  });
}

/** Sends raw request text to a listening server and returns the status code of the response. */
async function sendRaw(port: number, text: string): Promise<number> {
  return (await exchangeRaw(port, text)).status;
}

/** Builds a GET request with the given target and header lines, which closes the connection after the response. */
function rawGet(target: string, headerLines: string[]): string {
  return `GET ${target} HTTP/1.1\r\n${headerLines.map((line) => `${line}\r\n`).join('')}Connection: close\r\n\r\n`;
}

const VERSION_PATH = '/index.php?module=API&method=API.getMatomoVersion&format=json';

const LONG_LABELS = `${'a'.repeat(59)}.`.repeat(5);

/** Host header values with the status each gets on `/`. */
const HOST_CASES: Array<[string, string, number]> = [
  ['a parent-folder path', '../x', 400],
  ['a slash', 'a/b', 400],
  ['percent-encoded dots', '%2e%2e', 400],
  ['a backslash', 'a\\b', 400],
  ['a 300-character label', 'a'.repeat(300), 400],
  ['300 characters of short labels', LONG_LABELS, 400],
  ['an invalid punycode label', 'xn--zz.example', 400],
  ['a non-numeric port', 'shop.example:http', 400],
  ['a shorthand IPv4 address', '127.1', 400],
  ['a hexadecimal IPv4 address', '0x7f.1', 400],
  ['an IPv4 address as one number', '2130706433', 400],
  ['an octal IPv4 address', '0177.0.0.1:8080', 400],
  ['an IPv4 address', '127.0.0.1', 404],
  ['an IPv4 address with a port', '127.0.0.1:8080', 404],
  ['an IPv6 address', '[::1]', 404],
  ['an IPv6 address with a port', '[::1]:8080', 404],
  ['an unknown name', 'unknown.example', 404],
  ['an unknown punycode name', 'xn--mnchen-3ya.example', 404],
  ['the tenant name', 'shop.example', 200],
  ['the tenant name in upper case', 'SHOP.EXAMPLE', 200],
  ['the tenant name with a port', 'shop.example:8080', 200],
  ['the tenant name with a trailing dot', 'shop.example.', 200],
  ['the punycode tenant name', 'xn--bcher-kva.example', 200],
  ['the Unicode tenant name', 'bücher.example', 200],
  ['the Unicode tenant name in upper case with a port', 'BÜCHER.example:443', 200],
];

describe('Host header handling', () => {
  let outer: string;
  let root: TestRoot;
  let app: FastifyInstance;
  let bookToken: string;
  let treeBefore: string[];
  let port: number;

  before(async () => {
    outer = mkdtempSync(join(tmpdir(), 'footfall-hosts-'));
    root = createTestRoot({ parentDir: outer });
    await createTestTenant(root, { host: 'shop.example' });
    bookToken = (await createTestTenant(root, { host: 'bücher.example' })).tokenAuth;
    app = await buildTestServer(root);
    // One request per tenant opens its database first, so its SQLite files exist in the snapshot.
    for (const host of ['shop.example', 'xn--bcher-kva.example']) await app.inject({ url: '/index.php?module=API&method=API.getMatomoVersion', headers: { host } });
    treeBefore = snapshotTree(outer);
    port = await listenOnLoopback(app);
  });

  after(async () => {
    await app.close();
    await root.cleanup();
    rmSync(outer, { recursive: true, force: true });
  });

  for (const [label, host, status] of HOST_CASES) {
    test(`answers ${status} to ${label}`, async () => {
      const response = await app.inject({ url: '/', headers: { host } });
      assert.equal(response.statusCode, status);
    });
  }

  test('answers API calls for a bad host with HOST_INVALID', async () => {
    const response = await app.inject({ url: '/index.php?module=API&method=API.getMatomoVersion&format=json', headers: { host: '../x' } });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json(), { result: 'error', message: "Invalid host name '../x': use letters, digits, dots and inner hyphens only.", code: 'HOST_INVALID' });
  });

  test('names the expected form of IPv4', async () => {
    const response = await app.inject({ url: VERSION_PATH, headers: { host: '0x7f.1' } });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json(), {
      result: 'error', code: 'HOST_INVALID',
      message: "Invalid host name '0x7f.1': expected a dotted-quad IPv4 address in canonical form, such as 192.0.2.10, or a DNS name. "
        + 'A name that ends in a number is read as an IPv4 address, and a shorthand, octal or hexadecimal form of one is ambiguous.',
    });
  });

  test('answers API calls for an unknown host with TENANT_NOT_FOUND', async () => {
    const response = await app.inject({ url: '/?module=API&method=API.getMatomoVersion&format=JSON', headers: { host: 'unknown.example' } });
    assert.equal(response.statusCode, 404);
    assert.deepEqual(response.json(), { result: 'error', message: "No Footfall tenant is configured for host 'unknown.example'.", code: 'TENANT_NOT_FOUND' });
  });

  test('resolves the Unicode name to the punycode tenant folder', async () => {
    const response = await app.inject({
      url: `/index.php?module=API&format=json&method=SitesManager.getSiteFromId&idSite=1&token_auth=${bookToken}`,
      headers: { host: 'bücher.example' },
    });
    assert.equal(response.statusCode, 200);
    assert.equal((response.json() as { name: string }).name, 'Site of xn--bcher-kva.example');
  });

  test('answers 400 to a request without a Host header', async () => {
    assert.equal(await sendRaw(port, 'GET / HTTP/1.0\r\n\r\n'), 400);
    assert.equal(await sendRaw(port, 'GET / HTTP/1.1\r\nConnection: close\r\n\r\n'), 400);
    assert.equal(await sendRaw(port, 'GET / HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n'), 400);
    assert.equal(await sendRaw(port, 'GET / HTTP/1.1\r\nHost: ../../etc\r\nConnection: close\r\n\r\n'), 400);
  });

  test('HTTP/1.1 without Host is HOST_INVALID', async () => {
    const message = "The request has no Host header, which HTTP/1.1 requires. Send the tenant's host name in the Host header.";
    const resolve = root.registry.resolve;
    let lookups = 0;
    root.registry.resolve = (...args) => {
      lookups += 1;
      return resolve.apply(root.registry, args);
    };
    try {
      const api = await exchangeRaw(port, rawGet(VERSION_PATH, []));
      assert.equal(api.status, 400);
      assert.deepEqual(JSON.parse(api.body), { result: 'error', code: 'HOST_INVALID', message });

      const page = await exchangeRaw(port, rawGet('/', []));
      assert.equal(page.status, 400);
      assert.equal(page.body, `${message}\n`);

      const hit = await exchangeRaw(port, rawGet('/matomo.php?idsite=1&rec=1', []));
      assert.equal(hit.status, 400);
      assert.match(hit.head, /\r\nx-footfall-error: HOST_INVALID: The request has no Host header/i);
      assert.match(hit.head, /\r\ncontent-type: image\/gif/i);

      assert.equal(await sendRaw(port, rawGet('/healthz', [])), 400);
      assert.equal(await sendRaw(port, rawGet('http://shop.example/', [])), 400);
      assert.equal(lookups, 0);
    } finally {
      root.registry.resolve = resolve;
    }
  });

  test('HTTP/1.0 without Host reaches healthz', async () => {
    assert.equal(await sendRaw(port, 'GET /healthz HTTP/1.0\r\n\r\n'), 200);
    const page = await exchangeRaw(port, 'GET / HTTP/1.0\r\n\r\n');
    assert.equal(page.status, 400);
    assert.equal(page.body, "Missing host name. Send the tenant's host name in the Host header.\n");
  });

  test('rejects two different Host headers', async () => {
    const response = await exchangeRaw(port, rawGet(VERSION_PATH, ['Host: shop.example', 'Host: unknown.example']));
    assert.equal(response.status, 400);
    assert.deepEqual(JSON.parse(response.body), {
      result: 'error', code: 'HOST_INVALID',
      message: "The request has 2 Host headers ('shop.example', 'unknown.example'). Send exactly one Host header.",
    });
  });

  test('rejects a repeated Host header', async () => {
    assert.equal(await sendRaw(port, rawGet('/', ['Host: shop.example', 'Host: shop.example'])), 400);
    assert.equal(await sendRaw(port, rawGet('/', ['host: shop.example', 'HOST: shop.example'])), 400);
  });

  test('rejects two Host headers on healthz', async () => {
    assert.equal(await sendRaw(port, rawGet('/healthz', ['Host: shop.example', 'Host: unknown.example'])), 400);
    assert.equal(await sendRaw(port, rawGet('/healthz', ['Host: shop.example'])), 200);
  });

  test('rejects absolute target with another host', async () => {
    const response = await exchangeRaw(port, rawGet(`http://unknown.example${VERSION_PATH}`, ['Host: shop.example']));
    assert.equal(response.status, 400);
    assert.deepEqual(JSON.parse(response.body), {
      result: 'error', code: 'HOST_INVALID',
      message: "The request line names host 'unknown.example' but the Host header is 'shop.example'. Send the same host in both, or send a path such as /index.php as the request target.",
    });
  });

  test('rejects absolute target of another tenant', async () => {
    const target = `http://xn--bcher-kva.example/index.php?module=API&format=json&method=SitesManager.getSiteFromId&idSite=1&token_auth=${bookToken}`;
    const response = await exchangeRaw(port, rawGet(target, ['Host: shop.example']));
    assert.equal(response.status, 400);
    assert.equal(JSON.parse(response.body).code, 'HOST_INVALID');
  });

  test('serves an absolute target matching Host', async () => {
    const target = `http://XN--BCHER-KVA.example:8080/index.php?module=API&format=json&method=SitesManager.getSiteFromId&idSite=1&token_auth=${bookToken}`;
    const response = await exchangeRaw(port, rawGet(target, ['Host: xn--bcher-kva.example.']));
    assert.equal(response.status, 200);
    assert.equal(JSON.parse(response.body).name, 'Site of xn--bcher-kva.example');
  });

  test('checks absolute targets of health checks', async () => {
    assert.equal(await sendRaw(port, rawGet('http://unknown.example/healthz', ['Host: shop.example'])), 400);
    assert.equal(await sendRaw(port, rawGet('http://shop.example/healthz', ['Host: shop.example'])), 200);
  });

  test('rejects shorthand IPv4 in the target', async () => {
    for (const target of ['http://0x7f.1/', 'http://127.1:8080/', 'http://2130706433/', 'http://x@0177.0.0.1/']) {
      const response = await exchangeRaw(port, rawGet(target, ['Host: 127.0.0.1']));
      assert.equal(response.status, 400, target);
      assert.match(response.body, /^Invalid host name '[^']+': expected a dotted-quad IPv4 address in canonical form/, target);
    }
    assert.equal(await sendRaw(port, rawGet('http://127.0.0.1/', ['Host: 127.0.0.1'])), 404);
  });

  test('ignores user info in the target', async () => {
    const response = await exchangeRaw(port, rawGet('http://shop.example@unknown.example/', ['Host: shop.example']));
    assert.equal(response.status, 400);
    assert.equal(response.body, "The request line names host 'unknown.example' but the Host header is 'shop.example'. Send the same host in both, or send a path such as /index.php as the request target.\n");
  });

  test('creates no file or folder for any Host header', () => {
    assert.equal(treeBefore.filter((path) => path.endsWith('/misc/user/xn--bcher-kva.example/config.ini.php')).length, 1);
    assert.deepEqual(snapshotTree(outer), treeBefore);
  });
});
