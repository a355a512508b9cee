import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { callApi } from '../support/api-client.js';
import { buildTestServer, createTestRoot, createTestTenant } from '../support/test-root.js';
import { useTestRoot } from '../support/suite-root.js';

const FIXED_NOW = new Date('2024-01-01T00:00:00Z');
const clock = () => FIXED_NOW;

/** Builds the expected first site of a tenant made with site URL https://example.org and time zone Europe/Paris. */
function firstSite(host: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    idsite: '1', name: `Site of ${host}`, main_url: 'https://example.org', ts_created: '2024-01-01 00:00:00',
    ecommerce: '0', sitesearch: '1', sitesearch_keyword_parameters: '', sitesearch_category_parameters: '',
    timezone: 'Europe/Paris', currency: 'USD', exclude_unknown_urls: '0', excluded_ips: '', excluded_parameters: '',
    excluded_user_agents: '', excluded_referrers: '', group: '', type: 'website', keep_url_fragment: '0',
    ...extra, timezone_name: 'France', currency_name: 'US Dollar',
  };
}

describe('SitesManager API', () => {
  const suite = useTestRoot(async (root) => {
    const tenant = await createTestTenant(root, { clock, timezone: 'Europe/Paris', siteUrl: 'https://example.org' });
    const host = tenant.host;
    const superToken = tenant.tokenAuth;
    const app = await buildTestServer(root, clock);
    const added = await callApi(app, host, { method: 'UsersManager.addUser', userLogin: 'viewer', password: 'viewer-password', email: 'viewer@example.org', initialIdSite: '1', token_auth: superToken });
    assert.equal(added.statusCode, 200, added.body);
    const token = await callApi(app, host, { method: 'UsersManager.createAppSpecificTokenAuth', userLogin: 'viewer', passwordConfirmation: 'viewer-password', description: 'tests' });
    const viewToken = (token.json() as { value: string }).value;
    return { host, superToken, app, viewToken };
  });

  describe('reading sites', () => {
    test('getSitesWithAtLeastViewAccess returns site rows with strings for a superuser', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.getSitesWithAtLeastViewAccess', token_auth: suite.superToken });
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.json(), [firstSite(suite.host, { creator_login: 'admin' })]);
    });

    test('getSitesWithAtLeastViewAccess leaves out creator_login for a view user', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.getSitesWithAtLeastViewAccess', token_auth: suite.viewToken });
      assert.deepEqual(response.json(), [firstSite(suite.host)]);
    });

    test('getSitesWithAtLeastViewAccess returns no site to the anonymous user', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.getSitesWithAtLeastViewAccess' });
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.json(), []);
    });

    test('getSiteFromId returns one site object', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.getSiteFromId', idSite: '1', token_auth: suite.viewToken });
      assert.deepEqual(response.json(), firstSite(suite.host));
    });

    test('getSiteFromId of an unknown site gives SITE_NOT_FOUND', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.getSiteFromId', idSite: '99', token_auth: suite.superToken });
      assert.equal(response.statusCode, 400);
      assert.equal((response.json() as { code: string }).code, 'SITE_NOT_FOUND');
    });

    test('getSiteFromId rejects idSite 0 as PARAMETER_INVALID', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.getSiteFromId', idSite: '0', token_auth: suite.superToken });
      assert.equal(response.statusCode, 400);
      assert.equal((response.json() as { code: string }).code, 'PARAMETER_INVALID');
    });

    test('getSiteFromId without a token is ACCESS_DENIED', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.getSiteFromId', idSite: '1' });
      assert.equal(response.statusCode, 401);
      assert.equal((response.json() as { code: string }).code, 'ACCESS_DENIED');
    });

    test('getSiteUrlsFromId returns the main URL', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.getSiteUrlsFromId', idSite: '1', token_auth: suite.viewToken });
      assert.deepEqual(response.json(), ['https://example.org']);
    });

    test('getSitesIdWithAtLeastViewAccess returns id strings', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.getSitesIdWithAtLeastViewAccess', token_auth: suite.viewToken });
      assert.deepEqual(response.json(), ['1']);
    });

    test('getAllSites is ACCESS_DENIED for a view user', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.getAllSites', token_auth: suite.viewToken });
      assert.equal(response.statusCode, 401);
      assert.equal((response.json() as { code: string }).code, 'ACCESS_DENIED');
    });

    test('getAllSites returns sites keyed by id for a superuser', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.getAllSites', token_auth: suite.superToken });
      assert.deepEqual(response.json(), { 1: firstSite(suite.host, { creator_login: 'admin' }) });
    });
  });

  describe('getSitesIdFromSiteUrl', () => {
    for (const url of ['https://example.org', 'http://example.org', 'http://www.example.org/', 'https://www.example.org', 'example.org']) {
      test(`matches the main URL as ${url}`, async () => {
        const response = await callApi(suite.app, suite.host, { method: 'SitesManager.getSitesIdFromSiteUrl', url, token_auth: suite.viewToken });
        assert.deepEqual(response.json(), [{ idsite: '1' }]);
      });
    }

    test('returns nothing for another host', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.getSitesIdFromSiteUrl', url: 'https://example.com', token_auth: suite.superToken });
      assert.deepEqual(response.json(), []);
    });

    test('returns nothing to a user without access', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.getSitesIdFromSiteUrl', url: 'https://example.org' });
      assert.deepEqual(response.json(), []);
    });
  });

  describe('adding, changing and deleting', () => {
    test('addSite stores every parameter and matches aliases', async () => {
      const added = await callApi(suite.app, suite.host, {
        method: 'SitesManager.addSite', token_auth: suite.superToken, siteName: 'Shop', 'urls[0]': 'https://shop.example', 'urls[1]': 'https://alias.example',
        ecommerce: '1', siteSearch: '0', searchKeywordParameters: 'q,query', searchCategoryParameters: 'cat', excludedIps: '192.0.2.1,198.51.100.0/24,203.0.113.*',
        excludedQueryParameters: 'sid', excludedUserAgents: 'bot', excludedReferrers: 'https://spam.example', timezone: 'America/New_York',
        currency: 'EUR', group: 'Shops', startDate: '2023-06-01', excludeUnknownUrls: '1', keepURLFragments: '2', type: 'intranet',
      });
      assert.equal(added.statusCode, 200, added.body);
      assert.deepEqual(added.json(), { value: 2 });

      const site = await callApi(suite.app, suite.host, { method: 'SitesManager.getSiteFromId', idSite: '2', token_auth: suite.superToken });
      assert.deepEqual(site.json(), {
        idsite: '2', name: 'Shop', main_url: 'https://shop.example', ts_created: '2023-06-01 00:00:00', ecommerce: '1', sitesearch: '0',
        sitesearch_keyword_parameters: 'q,query', sitesearch_category_parameters: 'cat', timezone: 'America/New_York', currency: 'EUR',
        exclude_unknown_urls: '1', excluded_ips: '192.0.2.1,198.51.100.0/24,203.0.113.*', excluded_parameters: 'sid',
        excluded_user_agents: 'bot', excluded_referrers: 'https://spam.example', group: 'Shops', type: 'intranet', keep_url_fragment: '2',
        creator_login: 'admin', timezone_name: 'United States - New York', currency_name: 'Euro',
      });
      const byAlias = await callApi(suite.app, suite.host, { method: 'SitesManager.getSitesIdFromSiteUrl', url: 'http://www.alias.example', token_auth: suite.superToken });
      assert.deepEqual(byAlias.json(), [{ idsite: '2' }]);
    });

    test('addSite takes a comma-separated urls list', async () => {
      const added = await callApi(suite.app, suite.host, { method: 'SitesManager.addSite', token_auth: suite.superToken, siteName: 'Blog', urls: 'https://blog.example,https://www.blog.example' });
      const siteId = String((added.json() as { value: number }).value);
      const urls = await callApi(suite.app, suite.host, { method: 'SitesManager.getSiteUrlsFromId', idSite: siteId, token_auth: suite.superToken });
      assert.deepEqual(urls.json(), ['https://blog.example', 'https://www.blog.example']);
    });

    test('addSite without urls adds a site without URLs', async () => {
      const added = await callApi(suite.app, suite.host, { method: 'SitesManager.addSite', siteName: 'App', type: 'mobileapp', token_auth: suite.superToken });
      const siteId = String((added.json() as { value: number }).value);
      const urls = await callApi(suite.app, suite.host, { method: 'SitesManager.getSiteUrlsFromId', idSite: siteId, token_auth: suite.superToken });
      assert.deepEqual(urls.json(), []);
    });

    test('getSitesWithAtLeastViewAccess returns at most limit sites', async () => {
      const all = await callApi(suite.app, suite.host, { method: 'SitesManager.getSitesWithAtLeastViewAccess', token_auth: suite.superToken });
      assert.ok((all.json() as unknown[]).length > 1);
      const limited = await callApi(suite.app, suite.host, { method: 'SitesManager.getSitesWithAtLeastViewAccess', limit: '1', token_auth: suite.superToken });
      assert.deepEqual((limited.json() as Array<{ idsite: string }>).map((site) => site.idsite), ['1']);
    });

    test('addSite is ACCESS_DENIED for a view user', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.addSite', siteName: 'X', urls: 'https://x.example', token_auth: suite.viewToken });
      assert.equal(response.statusCode, 401);
      assert.equal((response.json() as { code: string }).code, 'ACCESS_DENIED');
    });

    const badValues: Array<[string, Record<string, string>, string]> = [
      ['a time zone on Mars', { timezone: 'Mars/Olympus' }, 'TIMEZONE_INVALID'],
      ['an unknown currency', { currency: 'XYZ' }, 'CURRENCY_INVALID'],
      ['a URL of colons', { urls: '::' }, 'SITE_URL_INVALID'],
      ['an out-of-range IP', { excludedIps: '192.0.2.300' }, 'IP_INVALID'],
      ['a wildcard before a number', { excludedIps: '192.*.2.1' }, 'IP_INVALID'],
      ['an unknown type', { type: 'spaceship' }, 'PARAMETER_INVALID'],
      ['a malformed startDate', { startDate: '01/02/2024' }, 'PARAMETER_INVALID'],
      ['an empty name', { siteName: '' }, 'PARAMETER_MISSING'],
      ['an empty urls list', { urls: '' }, 'SITE_URL_INVALID'],
    ];
    for (const [label, params, code] of badValues) {
      test(`addSite with ${label} gives ${code}`, async () => {
        const response = await callApi(suite.app, suite.host, { method: 'SitesManager.addSite', siteName: 'Bad', urls: 'https://bad.example', ...params, token_auth: suite.superToken });
        assert.equal(response.statusCode, 400);
        assert.equal((response.json() as { code: string }).code, code);
      });
    }

    test('updateSite changes only the fields sent', async () => {
      const updated = await callApi(suite.app, suite.host, { method: 'SitesManager.updateSite', idSite: '1', siteName: 'Renamed', currency: 'JPY', token_auth: suite.superToken });
      assert.deepEqual(updated.json(), { result: 'success', message: 'ok' });
      const site = await callApi(suite.app, suite.host, { method: 'SitesManager.getSiteFromId', idSite: '1', token_auth: suite.superToken });
      assert.deepEqual(site.json(), { ...firstSite(suite.host, { creator_login: 'admin' }), name: 'Renamed', currency: 'JPY', currency_name: 'Japanese Yen' });
    });

    test('updateSite with urls replaces every URL', async () => {
      const added = await callApi(suite.app, suite.host, { method: 'SitesManager.addSite', siteName: 'Moving', urls: 'https://old.example,https://old-alias.example', token_auth: suite.superToken });
      const siteId = String((added.json() as { value: number }).value);
      await callApi(suite.app, suite.host, { method: 'SitesManager.updateSite', idSite: siteId, 'urls[]': 'new.example/', group: '  Moved  ', token_auth: suite.superToken });
      const urls = await callApi(suite.app, suite.host, { method: 'SitesManager.getSiteUrlsFromId', idSite: siteId, token_auth: suite.superToken });
      assert.deepEqual(urls.json(), ['http://new.example']);
      const site = (await callApi(suite.app, suite.host, { method: 'SitesManager.getSiteFromId', idSite: siteId, token_auth: suite.superToken })).json() as Record<string, string>;
      assert.deepEqual([site.main_url, site.group], ['http://new.example', 'Moved']);
      const byOldUrl = await callApi(suite.app, suite.host, { method: 'SitesManager.getSitesIdFromSiteUrl', url: 'https://old-alias.example', token_auth: suite.superToken });
      assert.deepEqual(byOldUrl.json(), []);
    });

    test('updateSite is ACCESS_DENIED for a view user', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.updateSite', idSite: '1', siteName: 'Mine', token_auth: suite.viewToken });
      assert.equal(response.statusCode, 401);
      assert.equal((response.json() as { code: string }).code, 'ACCESS_DENIED');
    });

    test('updateSite of an unknown site gives SITE_NOT_FOUND', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.updateSite', idSite: '404', siteName: 'Ghost', token_auth: suite.superToken });
      assert.equal(response.statusCode, 400);
      assert.equal((response.json() as { code: string }).code, 'SITE_NOT_FOUND');
    });

    test('updateSite with a time zone on Mars gives TIMEZONE_INVALID', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.updateSite', idSite: '1', timezone: 'Mars/Olympus', token_auth: suite.superToken });
      assert.equal(response.statusCode, 400);
      assert.equal((response.json() as { code: string }).code, 'TIMEZONE_INVALID');
    });

    test('deleteSite is ACCESS_DENIED for a view user', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.deleteSite', idSite: '1', token_auth: suite.viewToken });
      assert.equal(response.statusCode, 401);
      assert.equal((response.json() as { code: string }).code, 'ACCESS_DENIED');
    });

    test('deleteSite of an unknown site gives SITE_NOT_FOUND', async () => {
      const response = await callApi(suite.app, suite.host, { method: 'SitesManager.deleteSite', idSite: '404', token_auth: suite.superToken });
      assert.equal(response.statusCode, 400);
      assert.equal((response.json() as { code: string }).code, 'SITE_NOT_FOUND');
    });
  });
});

describe('SitesManager.deleteSite', () => {
  test('deletes a site but refuses the last one', async () => {
    const root = createTestRoot();
    try {
      const tenant = await createTestTenant(root);
      const app = await buildTestServer(root);
      const token = tenant.tokenAuth;
      await callApi(app, tenant.host, { method: 'SitesManager.addSite', siteName: 'Second', urls: 'https://second.example', token_auth: token });

      const deleted = await callApi(app, tenant.host, { method: 'SitesManager.deleteSite', idSite: '2', token_auth: token });
      assert.deepEqual(deleted.json(), { result: 'success', message: 'ok' });
      const remaining = await callApi(app, tenant.host, { method: 'SitesManager.getSitesIdWithAtLeastViewAccess', token_auth: token });
      assert.deepEqual(remaining.json(), ['1']);

      const last = await callApi(app, tenant.host, { method: 'SitesManager.deleteSite', idSite: '1', token_auth: token });
      assert.equal(last.statusCode, 400);
      assert.equal((last.json() as { code: string }).code, 'SITE_LAST_REMAINING');
      await app.close();
    } finally {
      await root.cleanup();
    }
  });
});
