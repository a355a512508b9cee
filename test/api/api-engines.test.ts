import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DatabaseAdapter } from '../../src/db/database-config.js';
import { callApi } from '../support/api-client.js';
import { engineSkip } from '../support/engines.js';
import { createTenantServer } from '../support/test-root.js';
import { useTestRoot } from '../support/suite-root.js';

for (const adapter of ['mysql', 'pgsql'] as const satisfies readonly DatabaseAdapter[]) {
  describe(`sites and users API on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    const suite = useTestRoot((root) => createTenantServer(root, { adapter, siteUrl: 'https://example.org', clock: () => new Date('2024-01-01T00:00:00Z') }), { deleteTenants: true });

    test('adds, finds, updates and deletes a site', async () => {
      const added = await callApi(suite.app, suite.host, { method: 'SitesManager.addSite', siteName: 'Second', 'urls[0]': 'https://second.example', 'urls[1]': 'https://alias.example', currency: 'EUR', token_auth: suite.token });
      assert.deepEqual(added.json(), { value: 2 });
      const found = await callApi(suite.app, suite.host, { method: 'SitesManager.getSitesIdFromSiteUrl', url: 'http://www.alias.example', token_auth: suite.token });
      assert.deepEqual(found.json(), [{ idsite: '2' }]);
      await callApi(suite.app, suite.host, { method: 'SitesManager.updateSite', idSite: '2', siteName: 'Renamed', token_auth: suite.token });
      const site = (await callApi(suite.app, suite.host, { method: 'SitesManager.getSiteFromId', idSite: '2', token_auth: suite.token })).json() as Record<string, string>;
      assert.deepEqual([site.idsite, site.name, site.currency, site.ecommerce, site.currency_name], ['2', 'Renamed', 'EUR', '0', 'Euro']);
      const deleted = await callApi(suite.app, suite.host, { method: 'SitesManager.deleteSite', idSite: '2', token_auth: suite.token });
      assert.deepEqual(deleted.json(), { result: 'success', message: 'ok' });
      const last = await callApi(suite.app, suite.host, { method: 'SitesManager.deleteSite', idSite: '1', token_auth: suite.token });
      assert.equal((last.json() as { code: string }).code, 'SITE_LAST_REMAINING');
    });

    test('adds a user, grants a role and issues its token', async () => {
      await callApi(suite.app, suite.host, { method: 'UsersManager.addUser', userLogin: 'reader', password: 'reader-password', email: 'reader@example.org', initialIdSite: '1', token_auth: suite.token });
      const roles = await callApi(suite.app, suite.host, { method: 'UsersManager.getSitesAccessFromUser', userLogin: 'reader', token_auth: suite.token });
      assert.deepEqual(roles.json(), [{ site: '1', access: 'view' }]);
      const created = await callApi(suite.app, suite.host, { method: 'UsersManager.createAppSpecificTokenAuth', userLogin: 'reader', passwordConfirmation: 'reader-password', description: 'engine test' });
      const readerToken = (created.json() as { value: string }).value;
      const ids = await callApi(suite.app, suite.host, { method: 'SitesManager.getSitesIdWithAtLeastViewAccess', token_auth: readerToken });
      assert.deepEqual(ids.json(), ['1']);
      const lastSuperuser = await callApi(suite.app, suite.host, { method: 'UsersManager.deleteUser', userLogin: 'admin', token_auth: suite.token });
      assert.equal((lastSuperuser.json() as { code: string }).code, 'SUPERUSER_LAST_REMAINING');
      const deleted = await callApi(suite.app, suite.host, { method: 'UsersManager.deleteUser', userLogin: 'reader', token_auth: suite.token });
      assert.deepEqual(deleted.json(), { result: 'success', message: 'ok' });
    });
  });
}
