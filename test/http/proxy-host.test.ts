import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildTestServer, createTestTenant, type TestRoot } from '../support/test-root.js';
import { useTestRoot } from '../support/suite-root.js';
import { tenantDb } from '../support/tracking.js';

const VERSION_URL = '/index.php?module=API&method=API.getMatomoVersion&format=json';

describe('tenant choice behind a reverse proxy', () => {
  const suite = useTestRoot(async (root) => {
    const tenantA = await createTestTenant(root);
    const tenantB = await createTestTenant(root);
    const common = `${readCommon(root)}\n[General]\nproxy_ips[] = "127.0.0.1"\nproxy_host_headers[] = "X-Forwarded-Host"\nproxy_client_headers[] = "X-Forwarded-For"\n`;
    writeFileSync(root.rootPaths.commonConfig, common);
    const app = await buildTestServer(root);
    return { tenantA, tenantB, app };
  });

  it('reads the proxy header when the peer is a trusted proxy', async () => {
    const response = await suite.app.inject({
      method: 'GET', url: `${VERSION_URL}&token_auth=${suite.tenantB.tokenAuth}`, remoteAddress: '127.0.0.1',
      headers: { host: suite.tenantA.host, 'x-forwarded-host': `${suite.tenantB.host}, proxy.internal` },
    });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { value: '5.1.0' });
  });

  it('ignores the proxy header from any other peer', async () => {
    const response = await suite.app.inject({
      method: 'GET', url: `${VERSION_URL}&token_auth=${suite.tenantB.tokenAuth}`, remoteAddress: '192.0.2.10',
      headers: { host: suite.tenantA.host, 'x-forwarded-host': suite.tenantB.host },
    });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'TOKEN_INVALID');
  });

  it('checks the forwarded host against the host grammar', async () => {
    const response = await suite.app.inject({
      method: 'GET', url: VERSION_URL, remoteAddress: '127.0.0.1', headers: { host: suite.tenantA.host, 'x-forwarded-host': '../etc' },
    });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /Invalid host name '\.\.\/etc'/);
  });

  it('rejects a shorthand IPv4 forwarded host', async () => {
    for (const forwarded of ['0x7f.1', '127.1', '2130706433', '0177.0.0.1']) {
      const response = await suite.app.inject({
        method: 'GET', url: VERSION_URL, remoteAddress: '127.0.0.1', headers: { host: suite.tenantA.host, 'x-forwarded-host': forwarded },
      });
      assert.equal(response.statusCode, 400, forwarded);
      assert.equal(response.json().code, 'HOST_INVALID', forwarded);
      assert.ok(response.json().message.startsWith(`Invalid host name '${forwarded}': expected a dotted-quad IPv4 address in canonical form`), forwarded);
    }
  });

  it('stores the forwarded client address of a hit', async () => {
    const visitorId = 'f0f0f0f0f0f0f0f0';
    const response = await suite.app.inject({
      method: 'GET', url: `/matomo.php?idsite=1&rec=1&cid=${visitorId}&url=https%3A%2F%2Fexample.org%2Fproxied`, remoteAddress: '127.0.0.1',
      headers: { host: suite.tenantA.host, 'x-forwarded-for': '203.0.113.77, 10.0.0.1' },
    });
    assert.equal(response.statusCode, 200);
    const visit = await tenantDb(suite.root, suite.tenantA.host).selectFrom('log_visit').select('location_ip').executeTakeFirst();
    // The default ip_address_mask_length of 2 zeroes the last two bytes.
    assert.equal(visit?.location_ip, '203.0.0.0');
  });

  it('ignores the forwarded client address from any other peer', async () => {
    const response = await suite.app.inject({
      method: 'GET', url: '/matomo.php?idsite=1&rec=1&cid=e0e0e0e0e0e0e0e0&url=https%3A%2F%2Fexample.org%2Fdirect', remoteAddress: '192.0.2.10',
      headers: { host: suite.tenantB.host, 'x-forwarded-for': '203.0.113.77' },
    });
    assert.equal(response.statusCode, 200);
    const visit = await tenantDb(suite.root, suite.tenantB.host).selectFrom('log_visit').select('location_ip').executeTakeFirst();
    assert.equal(visit?.location_ip, '192.0.0.0');
  });
});

function readCommon(root: TestRoot): string {
  return readFileSync(root.rootPaths.commonConfig, 'utf8');
}
