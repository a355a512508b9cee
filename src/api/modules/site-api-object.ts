/** The site object that SitesManager methods return, shaped as Matomo returns its site rows. */
import type { ApiObject } from '../api-value.js';
import { describeCurrency, describeTimezone } from '../../sites/site-labels.js';
import type { SiteRecord } from '../../sites/site-store.js';

/** Site columns in the order Matomo's `site` table has them. */
const SITE_COLUMNS = [
  'idsite', 'name', 'main_url', 'ts_created', 'ecommerce', 'sitesearch', 'sitesearch_keyword_parameters',
  'sitesearch_category_parameters', 'timezone', 'currency', 'exclude_unknown_urls', 'excluded_ips',
  'excluded_parameters', 'excluded_user_agents', 'excluded_referrers', 'group', 'type', 'keep_url_fragment',
  'creator_login',
] as const;

/**
 * Builds the API form of a site: every column as a string (Matomo returns the database's
 * strings), then `timezone_name` and `currency_name`. `creator_login` is left out unless the
 * caller is a superuser, as Matomo leaves it out.
 */
export function buildSiteApiObject(site: SiteRecord, options: { superuser: boolean }): ApiObject {
  const result: ApiObject = {};
  for (const column of SITE_COLUMNS) {
    if (column === 'creator_login' && !options.superuser) continue;
    result[column] = String(site[column] ?? '');
  }
  result.timezone_name = describeTimezone(site.timezone);
  result.currency_name = describeCurrency(site.currency);
  return result;
}
