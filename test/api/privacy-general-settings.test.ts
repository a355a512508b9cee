import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { parseTenantHost } from '../../src/tenancy/tenant-host.js';
import { callApi } from '../support/api-client.js';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { buildTestServer, createTestTenant } from '../support/test-root.js';
import { tenantDb } from '../support/tracking.js';
import { useTestRoot } from '../support/suite-root.js';

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0';
/** An address of the built-in demo geolocation table, which places 203.0.113.0/24 in Germany. */
const GERMAN_IP = '203.0.113.50';

function codeOf(response: { json(): unknown }): string {
  return (response.json() as { code: string }).code;
}

for (const adapter of ALL_ENGINES) {
  describe(`privacy and general settings on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    let visitorSequence = 0;

    async function api(params: Record<string, string>, token = suite.superToken) {
      return callApi(suite.app, suite.host, { ...params, token_auth: token }, { post: true });
    }

    /** Tracks one pageview of a new visitor and returns its visitor id. */
    async function trackNewVisitor(headers: Record<string, string> = {}): Promise<{ id: string; status: number }> {
      visitorSequence += 1;
      const id = visitorSequence.toString(16).padStart(16, '0');
      const query = new URLSearchParams({ idsite: '1', rec: '1', cid: id, url: 'https://example.org/', cip: GERMAN_IP, token_auth: suite.superToken });
      const response = await suite.app.inject({ method: 'GET', url: `/matomo.php?${query}`, headers: { host: suite.host, 'user-agent': FIREFOX, ...headers } });
      return { id, status: response.statusCode };
    }

    /** Reads a visit through the tenant's current database handle, which a settings change reopens. */
    async function storedVisit(id: string) {
      const db: Kysely<Database> = tenantDb(suite.root, suite.host);
      return db.selectFrom('log_visit').select(['location_ip', 'location_country']).where('idvisitor', '=', id).executeTakeFirst();
    }

    const suite = useTestRoot(async (root) => {
      const tenant = await createTestTenant(root, { adapter, siteUrl: 'https://example.org', timezone: 'UTC' });
      const host = tenant.host;
      const superToken = tenant.tokenAuth;
      const app = await buildTestServer(root);
      await callApi(app, host, { method: 'UsersManager.addUser', userLogin: 'siteadmin', password: 'siteadmin-password', email: 'siteadmin@example.org', initialIdSite: '1', token_auth: superToken }, { post: true });
      await callApi(app, host, { method: 'UsersManager.setUserAccess', userLogin: 'siteadmin', access: 'admin', idSites: '1', token_auth: superToken }, { post: true });
      const created = await callApi(app, host, { method: 'UsersManager.createAppSpecificTokenAuth', userLogin: 'siteadmin', passwordConfirmation: 'siteadmin-password', description: 'tests' }, { post: true });
      const adminToken = (created.json() as { value: string }).value;
      return { host, superToken, app, adminToken };
    }, { deleteTenants: true });

    test('getAnonymizeIpSettings returns the defaults', async () => {
      const response = await api({ method: 'PrivacyManager.getAnonymizeIpSettings' });
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json(), {
        anonymizeIPEnable: true, maskLength: 2, useAnonymizedIpForVisitEnrichment: false,
        anonymizeUserId: false, anonymizeOrderId: false, anonymizeReferrer: '', forceCookielessTracking: false,
      });
    });

    test('setAnonymizeIpSettings changes the stored IP without a restart', async () => {
      const before = await trackNewVisitor();
      assert.equal(before.status, 200);
      assert.equal((await storedVisit(before.id))?.location_ip, '203.0.0.0');

      const oneByte = await api({ method: 'PrivacyManager.setAnonymizeIpSettings', anonymizeIPEnable: '1', maskLength: '1', useAnonymizedIpForVisitEnrichment: '0' });
      assert.deepEqual(oneByte.json(), { result: 'success', message: 'ok' });
      const masked = await trackNewVisitor();
      assert.equal((await storedVisit(masked.id))?.location_ip, '203.0.113.0');

      await api({ method: 'PrivacyManager.setAnonymizeIpSettings', anonymizeIPEnable: '0' });
      const whole = await trackNewVisitor();
      assert.equal((await storedVisit(whole.id))?.location_ip, GERMAN_IP);
      const settings = (await api({ method: 'PrivacyManager.getAnonymizeIpSettings' })).json() as Record<string, unknown>;
      assert.equal(settings.anonymizeIPEnable, false);
      assert.equal(settings.maskLength, 0);
    });

    test('anonymised IP for enrichment changes the location', async () => {
      await api({ method: 'PrivacyManager.setAnonymizeIpSettings', anonymizeIPEnable: '1', maskLength: '2', useAnonymizedIpForVisitEnrichment: '0' });
      const fullLookup = await trackNewVisitor();
      assert.equal((await storedVisit(fullLookup.id))?.location_country, 'de');

      await api({ method: 'PrivacyManager.setAnonymizeIpSettings', anonymizeIPEnable: '1', maskLength: '2', useAnonymizedIpForVisitEnrichment: '1' });
      const maskedLookup = await trackNewVisitor();
      const visit = await storedVisit(maskedLookup.id);
      assert.equal(visit?.location_ip, '203.0.0.0');
      assert.notEqual(visit?.location_country, 'de');
      const settings = (await api({ method: 'PrivacyManager.getAnonymizeIpSettings' })).json() as Record<string, unknown>;
      assert.equal(settings.useAnonymizedIpForVisitEnrichment, true);
    });

    test('settings are written to the tenant config file', () => {
      const tenant = suite.root.registry.resolve(parseTenantHost(suite.host))!;
      const text = readFileSync(tenant.configFile, 'utf8');
      assert.match(text, /ip_address_mask_length = 2/);
      assert.match(text, /use_anonymized_ip_for_visit_enrichment = 1/);
    });

    test('setAnonymizeIpSettings rejects bad input', async () => {
      const tooLong = await api({ method: 'PrivacyManager.setAnonymizeIpSettings', anonymizeIPEnable: '1', maskLength: '4' });
      assert.equal(tooLong.statusCode, 400);
      assert.equal(codeOf(tooLong), 'PARAMETER_INVALID');
      assert.match((tooLong.json() as { message: string }).message, /'4' for 'maskLength'/);

      const missing = await api({ method: 'PrivacyManager.setAnonymizeIpSettings', anonymizeIPEnable: '1' });
      assert.equal(codeOf(missing), 'PARAMETER_MISSING');
      const unsupported = await api({ method: 'PrivacyManager.setAnonymizeIpSettings', anonymizeIPEnable: '0', anonymizeUserId: '1' });
      assert.equal(codeOf(unsupported), 'PARAMETER_INVALID');
    });

    test('Do Not Track drops hits once activated', async () => {
      assert.deepEqual((await api({ method: 'PrivacyManager.hasDoNotTrackSupport' })).json(), { value: false });
      const recorded = await trackNewVisitor({ dnt: '1' });
      assert.notEqual(await storedVisit(recorded.id), undefined);

      await api({ method: 'PrivacyManager.activateDoNotTrack' });
      assert.deepEqual((await api({ method: 'PrivacyManager.hasDoNotTrackSupport' })).json(), { value: true });
      const dropped = await trackNewVisitor({ dnt: '1' });
      assert.equal(await storedVisit(dropped.id), undefined);
      const withoutHeader = await trackNewVisitor();
      assert.notEqual(await storedVisit(withoutHeader.id), undefined);

      await api({ method: 'PrivacyManager.deactivateDoNotTrack' });
      const recordedAgain = await trackNewVisitor({ dnt: '1' });
      assert.notEqual(await storedVisit(recordedAgain.id), undefined);
    });

    test('privacy changes are rejected for a site admin', async () => {
      for (const method of ['PrivacyManager.setAnonymizeIpSettings', 'PrivacyManager.activateDoNotTrack', 'PrivacyManager.getAnonymizeIpSettings']) {
        const response = await api({ method, anonymizeIPEnable: '0' }, suite.adminToken);
        assert.equal(codeOf(response), 'ACCESS_DENIED', method);
        assert.match((response.json() as { message: string }).message, /superuser access/);
      }
      assert.deepEqual((await api({ method: 'PrivacyManager.hasDoNotTrackSupport' }, suite.adminToken)).json(), { value: false });
    });

    test('general settings round-trip', async () => {
      const defaults = await api({ method: 'CoreAdminHome.getGeneralSettings' });
      assert.deepEqual(defaults.json(), {
        enableBrowserTriggerArchiving: true, todayArchiveTimeToLive: 900, defaultReportPeriod: 'day', defaultReportDate: 'today',
        defaultTimezone: 'UTC', defaultCurrency: 'USD',
      });
      const saved = await api({
        method: 'CoreAdminHome.setGeneralSettings', enableBrowserTriggerArchiving: '0', todayArchiveTimeToLive: '60',
        defaultReportPeriod: 'month', defaultReportDate: 'yesterday', defaultTimezone: 'Europe/Paris', defaultCurrency: 'EUR',
      });
      assert.deepEqual(saved.json(), { result: 'success', message: 'ok' });
      assert.deepEqual((await api({ method: 'CoreAdminHome.getGeneralSettings' })).json(), {
        enableBrowserTriggerArchiving: false, todayArchiveTimeToLive: 60, defaultReportPeriod: 'month', defaultReportDate: 'yesterday',
        defaultTimezone: 'Europe/Paris', defaultCurrency: 'EUR',
      });
      const partial = await api({ method: 'CoreAdminHome.setGeneralSettings', enableBrowserTriggerArchiving: '1' });
      assert.equal(partial.statusCode, 200, partial.body);
      const after = (await api({ method: 'CoreAdminHome.getGeneralSettings' })).json() as Record<string, unknown>;
      assert.equal(after.enableBrowserTriggerArchiving, true);
      assert.equal(after.defaultReportPeriod, 'month');
    });

    test('new sites take the default time zone', async () => {
      const added = await api({ method: 'SitesManager.addSite', siteName: 'Second', urls: 'https://second.example' });
      const idSite = String((added.json() as { value: number }).value);
      const site = (await api({ method: 'SitesManager.getSiteFromId', idSite })).json() as Record<string, string>;
      assert.equal(site.timezone, 'Europe/Paris');
      assert.equal(site.currency, 'EUR');
    });

    test('setGeneralSettings rejects bad input', async () => {
      const cases: [Record<string, string>, string, RegExp][] = [
        [{ defaultReportPeriod: 'range' }, 'PARAMETER_INVALID', /'range' for 'defaultReportPeriod'/],
        [{ defaultReportDate: 'last7' }, 'PARAMETER_INVALID', /'last7' for 'defaultReportDate'/],
        [{ todayArchiveTimeToLive: '-5' }, 'PARAMETER_INVALID', /'-5' for 'todayArchiveTimeToLive'/],
        [{ todayArchiveTimeToLive: '90000' }, 'PARAMETER_INVALID', /from 0 to 86400/],
        [{ enableBrowserTriggerArchiving: 'maybe' }, 'PARAMETER_INVALID', /'maybe' for 'enableBrowserTriggerArchiving'/],
        [{ defaultTimezone: 'Mars/Base' }, 'TIMEZONE_INVALID', /Mars\/Base/],
        [{ defaultCurrency: 'XXXX' }, 'CURRENCY_INVALID', /XXXX/],
        [{}, 'PARAMETER_MISSING', /No setting to change/],
      ];
      for (const [params, code, message] of cases) {
        const response = await api({ method: 'CoreAdminHome.setGeneralSettings', ...params });
        assert.equal(response.statusCode, 400, JSON.stringify(params));
        assert.equal(codeOf(response), code, JSON.stringify(params));
        assert.match((response.json() as { message: string }).message, message);
      }
    });

    test('general settings are rejected for a site admin', async () => {
      for (const method of ['CoreAdminHome.getGeneralSettings', 'CoreAdminHome.setGeneralSettings']) {
        const response = await api({ method, defaultReportPeriod: 'week' }, suite.adminToken);
        assert.equal(codeOf(response), 'ACCESS_DENIED', method);
        assert.match((response.json() as { message: string }).message, /requires superuser access/);
      }
      const settings = (await api({ method: 'CoreAdminHome.getGeneralSettings' })).json() as Record<string, unknown>;
      assert.equal(settings.defaultReportPeriod, 'month');
    });
  });
}
