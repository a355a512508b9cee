import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { tenantConfigFile } from '../support/tenant-config.js';
import { buildTestServer, createTestTenant } from '../support/test-root.js';
import { useTestRoot } from '../support/suite-root.js';

describe('config files over HTTP', () => {
  const suite = useTestRoot(async (root) => {
    const host = (await createTestTenant(root)).host;
    const salt = /salt = "([0-9a-f]+)"/.exec(readFileSync(tenantConfigFile(root, host), 'utf8'))?.[1] ?? '';
    assert.equal(salt.length, 64);
    // A legacy tenant file and a single-tenant file exist too, so each path names a real file.
    writeFileSync(`${root.rootPaths.configDir}/${host}.config.ini.php`, readFileSync(tenantConfigFile(root, host)));
    writeFileSync(root.rootPaths.singleTenantConfig, readFileSync(tenantConfigFile(root, host)));
    const app = await buildTestServer(root);
    return { host, salt, app };
  });

  const paths = () => [
    '/config/config.ini.php', '/config/global.ini.php', '/config/common.config.ini.php', `/config/${suite.host}.config.ini.php`,
    `/misc/user/${suite.host}/config.ini.php`, `/misc/user/${suite.host}/footfall.sqlite`, '/config/../config/config.ini.php', '/%2e%2e/config/config.ini.php',
  ];

  for (const hostHeader of ['tenant', 'unknown.example']) {
    test(`answers 404 without file content to the ${hostHeader} host`, async () => {
      for (const url of paths()) {
        const response = await suite.app.inject({ url, headers: { host: hostHeader === 'tenant' ? suite.host : hostHeader } });
        assert.equal(response.statusCode, 404, url);
        assert.equal(response.body.includes('DO NOT REMOVE'), false, url);
        assert.equal(response.body.includes(suite.salt), false, url);
      }
    });
  }
});
