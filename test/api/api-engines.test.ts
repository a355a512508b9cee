import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DatabaseAdapter } from '../../src/db/database-config.js';
import { ApiParams } from '../../src/api/api-params.js';
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

    test('rejects a NUL character with 400', async () => {
      const calls: Record<string, string>[] = [
        { method: 'SitesManager.addSite', siteName: 'a\u0000b', urls: 'https://nul.example' },
        { method: 'SitesManager.getSitesIdFromSiteUrl', url: 'https://a\u0000b.example' },
        { method: 'UsersManager.getUser', userLogin: 'a\u0000b' },
        { method: 'VisitsSummary.get', idSite: '1', period: 'day', date: '2024-01-01', segment: 'pageUrl==a\u0000b' },
        { method: 'SitesManager.addSite', siteName: 'Listed', 'urls[]': 'https://a\u0000b.example' },
      ];
      for (const call of calls) {
        const response = await callApi(suite.app, suite.host, { ...call, token_auth: suite.token });
        assert.equal(response.statusCode, 400, `${call.method}: ${response.body}`);
        const error = response.json() as { code: string; message: string };
        assert.equal(error.code, 'PARAMETER_INVALID', call.method);
        assert.match(error.message, /contains a NUL character/, call.method);
      }
    });
  });
}

describe('ApiParams with a NUL character', () => {
  test('rejects it in a string and in a list', () => {
    const params = new ApiParams({ siteName: 'a\u0000b', 'urls[]': ['https://a.example', 'https://b\u0000.example'], plain: 'ok' });
    assert.throws(() => params.optionalString('siteName'), /Invalid value 'a\\0b' for 'siteName', because it contains a NUL character/);
    assert.throws(() => params.optionalList('urls'), /for 'urls', because it contains a NUL character/);
    assert.equal(params.optionalString('plain'), 'ok');
  });
});
