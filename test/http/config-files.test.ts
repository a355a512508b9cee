import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { tenantConfigFile } from '../support/tenant-config.js';
import { buildTestServer, createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';

describe('config files over HTTP', () => {
  let root: TestRoot;
  let app: FastifyInstance;
  let host: string;
  let salt: string;

  before(async () => {
    root = createTestRoot();
    host = (await createTestTenant(root)).host;
    salt = /salt = "([0-9a-f]+)"/.exec(readFileSync(tenantConfigFile(root, host), 'utf8'))?.[1] ?? '';
    assert.equal(salt.length, 64);
    // A legacy tenant file and a single-tenant file exist too, so each path names a real file.
    writeFileSync(`${root.rootPaths.configDir}/${host}.config.ini.php`, readFileSync(tenantConfigFile(root, host)));
    writeFileSync(root.rootPaths.singleTenantConfig, readFileSync(tenantConfigFile(root, host)));
    app = await buildTestServer(root);
  });

  after(async () => {
    await app.close();
    await root.cleanup();
  });

  const paths = () => [
    '/config/config.ini.php', '/config/global.ini.php', '/config/common.config.ini.php', `/config/${host}.config.ini.php`,
    `/misc/user/${host}/config.ini.php`, `/misc/user/${host}/footfall.sqlite`, '/config/../config/config.ini.php', '/%2e%2e/config/config.ini.php',
  ];

  for (const hostHeader of ['tenant', 'unknown.example']) {
    test(`answers 404 without file content to the ${hostHeader} host`, async () => {
      for (const url of paths()) {
        const response = await app.inject({ url, headers: { host: hostHeader === 'tenant' ? host : hostHeader } });
        assert.equal(response.statusCode, 404, url);
        assert.equal(response.body.includes('DO NOT REMOVE'), false, url);
        assert.equal(response.body.includes(salt), false, url);
      }
    });
  }
});
