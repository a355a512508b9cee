/** `site:list`: the sites of the tenant. */
import { loadSites, type SiteRecord } from '../../sites/site-store.js';
import type { TenantCommand } from '../command-definition.js';

/** One site as `site:list --json` and `site:add --json` print it. */
export interface SiteSummary {
  idSite: number;
  name: string;
  mainUrl: string;
  urls: string[];
  timezone: string;
  currency: string;
  created: string;
}

/** Picks the fields an operator needs from a stored site. */
export function toSiteSummary(site: SiteRecord): SiteSummary {
  return {
    idSite: site.idsite, name: site.name, mainUrl: site.main_url, urls: site.urls,
    timezone: site.timezone, currency: site.currency, created: site.ts_created,
  };
}

export const siteListCommand: TenantCommand = {
  kind: 'tenant',
  name: 'site:list',
  description: 'List the sites of the tenant: idSite, name, main URL and time zone.',
  options: [],
  // Reads only.
  runsOnDisabledTenant: true,
  async run(_context, tenant) {
    const sites = (await loadSites(tenant.db())).map(toSiteSummary);
    const text = sites.length === 0 ? 'No sites. Add one with site:add.' : sites.map((site) => `${site.idSite}\t${site.name}\t${site.mainUrl}\t${site.timezone}`).join('\n');
    return { data: sites, text };
  },
};
