/** Methods of Matomo's `SitesManager` module: reading, adding, changing and deleting sites. */
import type { Role } from '../../auth/user-store.js';
import { FootfallError, quote } from '../../errors.js';
import {
  countSites, createSite, deleteSite, findSiteIdsByUrls, loadSite, loadSiteIds, loadSites, updateSite,
} from '../../sites/site-store.js';
import type { ApiCall, ApiMethodRegistry, ApiParameterDoc } from '../api-method-registry.js';
import type { ApiParams } from '../api-params.js';
import { API_SUCCESS, markArrayResult, type ApiValue } from '../api-value.js';
import { buildSiteApiObject } from './site-api-object.js';
import { parseSiteFields, SITE_FIELD_PARAMETERS } from './site-fields-params.js';

const SITE_FIELD_DIFFERENCES = 'excludedParameters is accepted as another name of excludedQueryParameters. '
  + 'type must be website, intranet or mobileapp, where Matomo stores any text. settingValues is not supported.';

const ID_SITE_PARAMETER: ApiParameterDoc = { name: 'idSite', description: 'Id of the site.', required: true };

const LIMIT_PARAMETER: ApiParameterDoc = { name: 'limit', description: 'Return at most this many sites; all when missing.' };

/**
 * Reads the `idSite` parameter of a method about one site.
 *
 * @throws FootfallError PARAMETER_MISSING, or PARAMETER_INVALID for a value that is not a positive whole number.
 */
export function parseSiteIdParam(params: ApiParams, name = 'idSite'): number {
  const siteId = params.requiredInt(name);
  if (siteId >= 1) return siteId;
  throw new FootfallError('PARAMETER_INVALID', `Invalid value ${quote(String(siteId))} for '${name}'. Expected a site id of 1 or more.`);
}

/**
 * Returns the URLs under which Matomo looks a site up: the given URL itself, then its host
 * and path with http and https, each with and without `www.`. A trailing slash is dropped.
 */
export function buildSiteUrlVariants(url: string): string[] {
  const trimmed = url.trim().replace(/\/+$/, '');
  const withoutWww = trimmed.replace(/^[a-z][a-z0-9+.\-]*:\/\//i, '').replace(/^www\./i, '');
  if (withoutWww === '') return [];
  const variants = ['http://', 'https://'].flatMap((scheme) => [`${scheme}${withoutWww}`, `${scheme}www.${withoutWww}`]);
  return [...new Set([trimmed, ...variants])];
}

/** Lists the sites the caller has at least `role` on, sorted by id, cut to the `limit` parameter when it is above 0. */
async function listSitesWithRole({ tenant, access, params }: ApiCall, role: Role): Promise<ApiValue> {
  const limit = params.int('limit', 0);
  const sites = await loadSites(tenant.db(), access.siteIdsWith(role));
  const limited = limit > 0 ? sites.slice(0, limit) : sites;
  return limited.map((site) => buildSiteApiObject(site, { superuser: access.superuser }));
}

/** Registers the SitesManager methods. */
export function registerSitesManagerModule(registry: ApiMethodRegistry): void {
  registry.register({
    name: 'SitesManager.getSitesWithAtLeastViewAccess',
    description: 'Returns the sites the user can view, sorted by id.',
    parameters: [LIMIT_PARAMETER],
    differences: 'timezone_name and currency_name are always English; the city part of a timezone_name is taken from the zone id (America/New_York gives New York) where Matomo uses CLDR city names.',
    handler: (call) => listSitesWithRole(call, 'view'),
  });

  registry.register({
    name: 'SitesManager.getSitesWithAdminAccess',
    description: 'Returns the sites the user administers (admin role, or every site for a superuser), sorted by id.',
    parameters: [LIMIT_PARAMETER],
    differences: 'fetchAliasUrls and pattern are not supported.',
    handler: async (call) => {
      call.access.ensureSignedIn();
      return listSitesWithRole(call, 'admin');
    },
  });

  registry.register({
    name: 'SitesManager.getSiteFromId',
    description: 'Returns one site with its settings.',
    parameters: [ID_SITE_PARAMETER],
    handler: async ({ tenant, access, params }) => {
      const siteId = parseSiteIdParam(params);
      access.ensure('view', [siteId]);
      return markArrayResult(buildSiteApiObject(await loadSite(tenant.db(), siteId), { superuser: access.superuser }));
    },
  });

  registry.register({
    name: 'SitesManager.getSiteUrlsFromId',
    description: 'Returns the URLs of a site, the main URL first, then its aliases sorted.',
    parameters: [ID_SITE_PARAMETER],
    handler: async ({ tenant, access, params }) => {
      const siteId = parseSiteIdParam(params);
      access.ensure('view', [siteId]);
      return (await loadSite(tenant.db(), siteId)).urls;
    },
  });

  registry.register({
    name: 'SitesManager.getSitesIdFromSiteUrl',
    description: 'Returns the ids of the sites, among those the user can view, whose main URL or alias is the given URL.',
    parameters: [{ name: 'url', description: 'A URL such as https://www.example.org; http, https and www variants match too.', required: true }],
    handler: async ({ tenant, access, params }) => {
      const found = await findSiteIdsByUrls(tenant.db(), buildSiteUrlVariants(params.requiredString('url')));
      return found.filter((siteId) => access.has('view', siteId)).map((siteId) => ({ idsite: String(siteId) }));
    },
  });

  registry.register({
    name: 'SitesManager.getAllSites',
    description: 'Returns every site of the tenant, keyed by site id. Superusers only.',
    parameters: [],
    handler: async ({ tenant, access }) => {
      access.ensureSuperuser();
      const sites = await loadSites(tenant.db());
      return Object.fromEntries(sites.map((site) => [String(site.idsite), buildSiteApiObject(site, { superuser: true })]));
    },
  });

  registry.register({
    name: 'SitesManager.getSitesIdWithAtLeastViewAccess',
    description: 'Returns the ids of the sites the user can view, sorted, as strings.',
    parameters: [],
    handler: async ({ tenant, access }) => {
      const siteIds = access.siteIdsWith('view');
      // Matomo returns the ids as the database strings.
      return (siteIds ?? await loadSiteIds(tenant.db())).map(String);
    },
  });

  registerSiteChanges(registry);
}

function registerSiteChanges(registry: ApiMethodRegistry): void {
  registry.register({
    name: 'SitesManager.addSite',
    description: 'Adds a site and returns its id. Superusers only.',
    parameters: [{ name: 'siteName', description: 'Name of the site, 1 to 90 characters.', required: true }, ...SITE_FIELD_PARAMETERS],
    differences: SITE_FIELD_DIFFERENCES,
    handler: async ({ tenant, access, params, clock }) => {
      access.ensureSuperuser();
      const fields = parseSiteFields(params);
      return createSite(tenant.db(), { ...fields, name: params.requiredString('siteName') }, {
        timezone: tenant.settings.string('General', 'default_timezone'),
        currency: tenant.settings.string('General', 'default_currency'),
        creatorLogin: access.login, clock,
      });
    },
  });

  registry.register({
    name: 'SitesManager.updateSite',
    description: 'Changes the settings that are sent; the others keep their value. urls replaces every URL. Needs admin access on the site.',
    parameters: [ID_SITE_PARAMETER, { name: 'siteName', description: 'Name of the site, 1 to 90 characters.' }, ...SITE_FIELD_PARAMETERS],
    differences: SITE_FIELD_DIFFERENCES,
    handler: async ({ tenant, access, params }) => {
      const siteId = parseSiteIdParam(params);
      access.ensure('admin', [siteId]);
      await updateSite(tenant.db(), siteId, parseSiteFields(params));
      return API_SUCCESS;
    },
  });

  registry.register({
    name: 'SitesManager.deleteSite',
    description: 'Deletes a site with its URLs, roles, logs and archives. Superusers only; the last site cannot be deleted.',
    parameters: [ID_SITE_PARAMETER],
    differences: 'Also deletes the site\'s logs and archives, which Matomo keeps. passwordConfirmation is not asked for.',
    handler: async ({ tenant, access, params, logger }) => {
      access.ensureSuperuser();
      const siteId = parseSiteIdParam(params);
      const db = tenant.db();
      await loadSite(db, siteId);
      if (await countSites(db) <= 1) {
        throw new FootfallError('SITE_LAST_REMAINING', `Site ${quote(String(siteId))} is the only site of this host and cannot be deleted. Add another site first.`);
      }
      await deleteSite(db, siteId);
      logger.info({ tenant: tenant.key, idSite: siteId }, 'site deleted');
      return API_SUCCESS;
    },
  });
}
