/** Finds the site of each imported line: one fixed site, or the site whose URLs have the line's host. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { FootfallError, isFootfallError } from '../errors.js';
import { loadSite, loadSites, type SiteRecord } from '../sites/site-store.js';
import type { SiteResolver, SiteTarget } from './hit-builder.js';

/**
 * Returns a resolver that puts every line on one site, whose main URL gives the scheme and
 * host of lines that name no host. `tenantHost` is the tenant's host name, or null for the
 * single-tenant install, and is used only in the error message.
 *
 * @throws FootfallError SITE_NOT_FOUND naming the site, the tenant and `site:list` when the site does not exist.
 */
export async function buildFixedSiteResolver(db: Kysely<Database>, siteId: number, tenantHost: string | null): Promise<SiteResolver> {
  let site: SiteRecord;
  try {
    site = await loadSite(db, siteId);
  } catch (error) {
    if (!isFootfallError(error, 'SITE_NOT_FOUND')) throw error;
    const message = tenantHost === null
      ? `Site ${siteId} not found in the single-tenant install. Run ./console site:list to see its sites.`
      : `Site ${siteId} not found in tenant ${tenantHost}. Run ./console site:list --matomo-domain=${tenantHost} to see its sites.`;
    throw new FootfallError('SITE_NOT_FOUND', message, { cause: error });
  }
  const target: SiteTarget = { siteId, origin: new URL(site.urls[0] ?? 'http://localhost') };
  return () => target;
}

/**
 * Returns a resolver that maps a line's virtual host to the site whose main URL or alias
 * URL has that host, ignoring `www.` on both sides. A line without a host, or with a host
 * that no site has, resolves to null.
 */
export async function buildHostSiteResolver(db: Kysely<Database>): Promise<SiteResolver> {
  const byHost = new Map<string, SiteTarget>();
  for (const site of await loadSites(db)) {
    for (const url of site.urls) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        continue;
      }
      const key = parsed.hostname.toLowerCase().replace(/^www\./, '');
      if (!byHost.has(key)) byHost.set(key, { siteId: site.idsite, origin: parsed });
    }
  }
  return (entry) => (entry.host === undefined ? null : byHost.get(entry.host.replace(/^www\./, '')) ?? null);
}
