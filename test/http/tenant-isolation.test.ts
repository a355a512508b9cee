import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { callApi } from '../support/api-client.js';
import { editConfigFile, tenantConfigFile } from '../support/tenant-config.js';
import { buildTestServer, createTestTenant } from '../support/test-root.js';
import { useTestRoot } from '../support/suite-root.js';

interface SiteRow {
  idsite: string;
  name: string;
  currency: string;
  timezone: string;
}

describe('two tenants in one root', () => {
  const tenants: Array<{ host: string; token: string }> = [];

  const suite = useTestRoot(async (root) => {
    for (const label of ['alpha', 'beta']) {
      const created = await createTestTenant(root, { host: `${label}.test.example` });
      tenants.push({ host: created.host, token: created.tokenAuth });
    }
    const app = await buildTestServer(root);
    return { app };
  });

  test('each tenant sees only its own sites', async () => {
    for (const { host, token } of tenants) {
      const response = await callApi(suite.app, host, { method: 'SitesManager.getSitesWithAtLeastViewAccess', token_auth: token });
      assert.deepEqual((response.json() as SiteRow[]).map((site) => [site.idsite, site.name]), [['1', `Site of ${host}`]]);
    }
  });

  test('a site added on one tenant does not appear on the other', async () => {
    const [alpha, beta] = tenants as [{ host: string; token: string }, { host: string; token: string }];
    await callApi(suite.app, alpha.host, { method: 'SitesManager.addSite', siteName: 'Alpha only', urls: 'https://alpha-only.example', token_auth: alpha.token });
    const betaSites = await callApi(suite.app, beta.host, { method: 'SitesManager.getSitesIdWithAtLeastViewAccess', token_auth: beta.token });
    assert.deepEqual(betaSites.json(), ['1']);
    const byUrl = await callApi(suite.app, beta.host, { method: 'SitesManager.getSitesIdFromSiteUrl', url: 'https://alpha-only.example', token_auth: beta.token });
    assert.deepEqual(byUrl.json(), []);
  });

  test('token of another tenant is TOKEN_INVALID', async () => {
    const [alpha, beta] = tenants as [{ host: string; token: string }, { host: string; token: string }];
    for (const [tokenOwner, target] of [[alpha, beta], [beta, alpha]] as const) {
      const response = await callApi(suite.app, target.host, { method: 'SitesManager.getSitesIdWithAtLeastViewAccess', token_auth: tokenOwner.token });
      assert.equal(response.statusCode, 401);
      assert.equal((response.json() as { code: string }).code, 'TOKEN_INVALID');
    }
  });

  test('foreign token in a POST body is TOKEN_INVALID', async () => {
    const [alpha, beta] = tenants as [{ host: string; token: string }, { host: string; token: string }];
    const response = await callApi(suite.app, beta.host, { method: 'UsersManager.getUser', userLogin: 'admin', token_auth: alpha.token }, { post: true });
    assert.equal(response.statusCode, 401);
    assert.equal((response.json() as { code: string }).code, 'TOKEN_INVALID');
  });
});

describe('config layers across tenants', () => {
  async function addSiteOn(tenant: { host: string; token: string }, name: string): Promise<SiteRow> {
    const added = await callApi(suite.app, tenant.host, { method: 'SitesManager.addSite', siteName: name, urls: `https://${name}.example`, token_auth: tenant.token });
    assert.equal(added.statusCode, 200, added.body);
    const siteId = String((added.json() as { value: number }).value);
    return (await callApi(suite.app, tenant.host, { method: 'SitesManager.getSiteFromId', idSite: siteId, token_auth: tenant.token })).json() as SiteRow;
  }

  const suite = useTestRoot(async (root) => {
    // The common file ends in its [General] section, so these lines land there.
    appendFileSync(root.rootPaths.commonConfig, 'default_currency = "EUR"\ndefault_timezone = "Europe/Berlin"\n');
    const first = await createTestTenant(root);
    const second = await createTestTenant(root);
    const plain = { host: first.host, token: first.tokenAuth };
    const custom = { host: second.host, token: second.tokenAuth };
    editConfigFile(tenantConfigFile(root, custom.host), 'General', 'default_currency', 'JPY');
    const app = await buildTestServer(root);
    return { plain, custom, app };
  });

  test('a common setting reaches every tenant and a tenant file wins there only', async () => {
    const plainSite = await addSiteOn(suite.plain, 'plain');
    const customSite = await addSiteOn(suite.custom, 'custom');
    assert.deepEqual([plainSite.currency, plainSite.timezone], ['EUR', 'Europe/Berlin']);
    assert.deepEqual([customSite.currency, customSite.timezone], ['JPY', 'Europe/Berlin']);
  });

  test('edited tenant file applies without restart', async () => {
    const file = tenantConfigFile(suite.root, suite.plain.host);
    editConfigFile(file, 'General', 'default_currency', 'GBP');
    const edited = await addSiteOn(suite.plain, 'edited');
    assert.equal(edited.currency, 'GBP');

    editConfigFile(file, 'General', 'default_currency', undefined);
    const restored = await addSiteOn(suite.plain, 'restored');
    assert.equal(restored.currency, 'EUR');
  });

  test('edited common file applies without restart', async () => {
    editConfigFile(suite.root.rootPaths.commonConfig, 'General', 'default_timezone', 'Asia/Tokyo');
    const site = await addSiteOn(suite.plain, 'tokyo');
    assert.equal(site.timezone, 'Asia/Tokyo');
  });
});
