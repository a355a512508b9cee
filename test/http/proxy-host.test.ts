import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestServer, createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';

const VERSION_URL = '/index.php?module=API&method=API.getMatomoVersion&format=json';

describe('tenant choice behind a reverse proxy', () => {
  let root: TestRoot;
  let app: FastifyInstance;
  let tenantA: { host: string; tokenAuth: string };
  let tenantB: { host: string; tokenAuth: string };

  before(async () => {
    root = createTestRoot();
    tenantA = await createTestTenant(root);
    tenantB = await createTestTenant(root);
    const common = `${readCommon(root)}\n[General]\nproxy_ips[] = "127.0.0.1"\nproxy_host_headers[] = "X-Forwarded-Host"\n`;
    writeFileSync(root.rootPaths.commonConfig, common);
    app = await buildTestServer(root);
  });
  after(async () => {
    await app.close();
    await root.cleanup();
  });

  it('reads the proxy header when the peer is a trusted proxy', async () => {
    const response = await app.inject({
      method: 'GET', url: `${VERSION_URL}&token_auth=${tenantB.tokenAuth}`, remoteAddress: '127.0.0.1',
      headers: { host: tenantA.host, 'x-forwarded-host': `${tenantB.host}, proxy.internal` },
    });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { value: '5.1.0' });
  });

  it('ignores the proxy header from any other peer', async () => {
    const response = await app.inject({
      method: 'GET', url: `${VERSION_URL}&token_auth=${tenantB.tokenAuth}`, remoteAddress: '192.0.2.10',
      headers: { host: tenantA.host, 'x-forwarded-host': tenantB.host },
    });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'TOKEN_INVALID');
  });

  it('checks the forwarded host against the host grammar', async () => {
    const response = await app.inject({
      method: 'GET', url: VERSION_URL, remoteAddress: '127.0.0.1', headers: { host: tenantA.host, 'x-forwarded-host': '../etc' },
    });
    assert.equal(response.statusCode, 400);
    assert.match(response.body, /Invalid host name '\.\.\/etc'/);
  });
});

function readCommon(root: TestRoot): string {
  return readFileSync(root.rootPaths.commonConfig, 'utf8');
}
