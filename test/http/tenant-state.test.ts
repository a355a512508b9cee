import { CODE_SCHEMA_VERSION } from '../../src/db/migrations/index.js';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, test } from 'node:test';
import { parseTenantHostName } from '../../src/tenancy/tenant-host.js';
import { callApi } from '../support/api-client.js';
import { buildCapturedServer } from '../support/session-server.js';
import { editConfigFile, tenantConfigFile } from '../support/tenant-config.js';
import { buildTestServer, createTestTenant, uniqueHost } from '../support/test-root.js';
import { useTestRoot } from '../support/suite-root.js';

/** Paths a disabled tenant must refuse, API and others. */
const PATHS = ['/', '/index.php?module=API&method=API.getMatomoVersion&format=json', '/?module=API&method=SitesManager.getSiteFromId&idSite=1', '/matomo.php?idsite=1&rec=1', '/no/such/page'];

describe('disabled tenant', () => {
  const suite = useTestRoot(async (root) => {
    const host = (await createTestTenant(root)).host;
    const other = (await createTestTenant(root)).host;
    const app = await buildTestServer(root);
    return { host, other, app };
  });

  test('answers 503 to every path once tenant_disabled is set', async () => {
    editConfigFile(tenantConfigFile(suite.root, suite.host), 'General', 'tenant_disabled', '1');
    for (const url of PATHS) {
      for (const method of ['GET', 'POST'] as const) {
        const response = await suite.app.inject({ method, url, headers: { host: suite.host } });
        assert.equal(response.statusCode, 503, `${method} ${url}`);
      }
    }
  });

  test('answers API calls with TENANT_DISABLED in the requested format', async () => {
    const message = 'This host is disabled. Its data is kept; the operator can enable it again.';
    const json = await callApi(suite.app, suite.host, { method: 'API.getMatomoVersion' });
    assert.equal(json.statusCode, 503);
    assert.equal(json.body, `{"result":"error","message":"${message}","code":"TENANT_DISABLED"}`);
    const xml = await callApi(suite.app, suite.host, { method: 'API.getMatomoVersion', format: 'xml' });
    assert.equal(xml.body, `<?xml version="1.0" encoding="utf-8" ?>\n<result>\n\t<error message="${message}" code="TENANT_DISABLED" />\n</result>`);
  });

  test('leaves other tenants of the root serving', async () => {
    const response = await suite.app.inject({ url: '/', headers: { host: suite.other } });
    assert.equal(response.statusCode, 200);
  });

  test('serves again once tenant_disabled is removed, without a restart', async () => {
    editConfigFile(tenantConfigFile(suite.root, suite.host), 'General', 'tenant_disabled', undefined);
    const response = await suite.app.inject({ url: '/', headers: { host: suite.host } });
    assert.equal(response.statusCode, 200);
  });
});

/** Pino's numeric levels. */
const LOG_LEVEL = { debug: 20, info: 30, error: 50 } as const;

describe('request log of tenant states', () => {
  const suite = useTestRoot(async (root) => {
    const disabled = (await createTestTenant(root)).host;
    editConfigFile(tenantConfigFile(root, disabled), 'General', 'tenant_disabled', '1');
    const broken = uniqueHost('broken');
    const brokenFile = tenantConfigFile(root, broken);
    mkdirSync(dirname(brokenFile), { recursive: true });
    writeFileSync(brokenFile, '; <?php exit; ?> DO NOT REMOVE THIS LINE\n[General]\nmax_open_tenant_databases = abc\n');
    const server = await buildCapturedServer(root);
    return { disabled, broken, server };
  });

  /** Sends one request and returns the `request completed` line it logged. */
  async function requestAndReadLogLine(host: string, url: string): Promise<Record<string, unknown>> {
    const linesBefore = suite.server.logLines().length;
    await suite.server.app.inject({ url, headers: { host } });
    const lines = suite.server.logLines().slice(linesBefore).filter((line) => line.msg === 'request completed');
    assert.equal(lines.length, 1);
    return lines[0]!;
  }

  for (const url of ['/', '/matomo.php?idsite=1&rec=1', '/index.php?module=API&method=API.getMatomoVersion']) {
    test(`logs disabled 503 at info: ${url}`, async () => {
      const line = await requestAndReadLogLine(suite.disabled, url);
      assert.equal(line.statusCode, 503);
      assert.equal(line.code, 'TENANT_DISABLED');
      assert.equal(line.level, LOG_LEVEL.info);
    });
  }

  test('logs config error 500 at error', async () => {
    const line = await requestAndReadLogLine(suite.broken, '/');
    assert.equal(line.statusCode, 500);
    assert.equal(line.code, 'CONFIG_INVALID');
    assert.equal(line.level, LOG_LEVEL.error);
  });

  test('logs unknown host 404 at debug', async () => {
    const line = await requestAndReadLogLine(uniqueHost('unknown'), '/');
    assert.equal(line.statusCode, 404);
    assert.equal(line.code, 'TENANT_NOT_FOUND');
    assert.equal(line.level, LOG_LEVEL.debug);
  });
});

describe('tenant whose schema is behind the code', () => {
  const suite = useTestRoot(async (root) => {
    const created = await createTestTenant(root);
    const host = created.host;
    const token = created.tokenAuth;
    const tenant = root.registry.get(parseTenantHostName(created.host));
    assert.ok(tenant);
    // Dropping the newest migration row leaves a schema one version behind the code.
    await tenant.db().deleteFrom('migration').where('version', '=', CODE_SCHEMA_VERSION).execute();
    const app = await buildTestServer(root);
    return { host, token, app };
  });

  for (const format of ['json', 'xml']) {
    test(`answers 503 TENANT_MAINTENANCE to API calls in ${format}`, async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.getSitesIdWithAtLeastViewAccess', token_auth: suite.token, format });
      assert.equal(response.statusCode, 503);
      const expected = format === 'json'
        ? '{"result":"error","message":"This host is in maintenance: its database is being updated. Try again in a few minutes.","code":"TENANT_MAINTENANCE"}'
        : '<?xml version="1.0" encoding="utf-8" ?>\n<result>\n\t<error message="This host is in maintenance: its database is being updated. Try again in a few minutes." code="TENANT_MAINTENANCE" />\n</result>';
      assert.equal(response.body, expected);
    });
  }

  test('answers 503 maintenance on the dashboard page', async () => {
    const response = await suite.app.inject({ method: 'GET', url: '/', headers: { host: suite.host } });
    assert.equal(response.statusCode, 503);
    assert.equal(response.body, 'This host is in maintenance: its database is being updated. Try again in a few minutes.\n');
  });

  test('still accepts tracking hits', async () => {
    const response = await suite.app.inject({ method: 'GET', url: '/matomo.php?idsite=1&rec=1&send_image=0&url=https%3A%2F%2Fexample.org%2F', headers: { host: suite.host } });
    assert.equal(response.statusCode, 204);
  });

  test('answers 503 TENANT_MAINTENANCE without a token too', async () => {
    const response = await callApi(suite.app, suite.host, { method: 'API.getMatomoVersion' });
    assert.equal(response.statusCode, 503);
    assert.equal((response.json() as { code: string }).code, 'TENANT_MAINTENANCE');
  });
});
