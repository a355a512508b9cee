/** Reading the site fields of `SitesManager.addSite` and `SitesManager.updateSite` from API parameters. */
import { FootfallError, quote } from '../../errors.js';
import { ensureExcludedIps } from '../../sites/excluded-ip.js';
import type { SiteFields } from '../../sites/site-store.js';
import type { ApiParameterDoc } from '../api-method-registry.js';
import type { ApiParams } from '../api-params.js';

/** Site types: `website` from Matomo's core, `intranet` and `mobileapp` from its IntranetMeasurable and MobileAppMeasurable plugins. */
export const SITE_TYPES = ['website', 'intranet', 'mobileapp'] as const;

const DATE_PATTERN = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

/** Documentation of the site parameters shared by addSite and updateSite. */
export const SITE_FIELD_PARAMETERS: readonly ApiParameterDoc[] = [
  { name: 'urls', description: 'URLs of the site, as an array (urls[]=...) or a comma-separated list; the first is the main URL.' },
  { name: 'ecommerce', description: '1 to enable e-commerce reports, 0 to disable them.' },
  { name: 'siteSearch', description: '1 to track site search, 0 not to.' },
  { name: 'searchKeywordParameters', description: 'URL parameters that carry a site search keyword, comma-separated.' },
  { name: 'searchCategoryParameters', description: 'URL parameters that carry a site search category, comma-separated.' },
  { name: 'excludedIps', description: 'IP addresses, CIDR ranges (192.0.2.0/24) or IPv4 wildcards (192.0.2.*) not to track, comma-separated.' },
  { name: 'excludedQueryParameters', description: 'URL query parameters removed from tracked URLs, comma-separated; excludedParameters is accepted too.' },
  { name: 'excludedUserAgents', description: 'User agent substrings not to track, comma-separated.' },
  { name: 'excludedReferrers', description: 'Referrer URLs ignored as referrers, comma-separated.' },
  { name: 'timezone', description: 'IANA time zone such as Europe/Paris, UTC, or an offset such as UTC+5.5; default [General] default_timezone.' },
  { name: 'currency', description: 'ISO 4217 currency code such as EUR; default [General] default_currency.' },
  { name: 'group', description: 'Free-text group name of the site.' },
  { name: 'startDate', description: 'Creation date of the site, YYYY-MM-DD; reports start from it.' },
  { name: 'excludeUnknownUrls', description: '1 to track only hits on the site\'s URLs, 0 to track all.' },
  { name: 'keepURLFragments', description: '0 uses the default, 1 keeps URL fragments (#...), 2 removes them.' },
  { name: 'type', description: `Site type: ${SITE_TYPES.join(', ')}.` },
];

function optionalNonEmpty(params: ApiParams, name: string): string | undefined {
  const value = params.optionalString(name)?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function optionalBool(params: ApiParams, name: string): boolean | undefined {
  return params.has(name) && params.string(name).trim() !== '' ? params.bool(name, false) : undefined;
}

function parseKeepUrlFragments(params: ApiParams): 0 | 1 | 2 | undefined {
  const value = optionalNonEmpty(params, 'keepURLFragments');
  if (value === undefined) return undefined;
  if (value === '0' || value === '1' || value === '2') return Number(value) as 0 | 1 | 2;
  throw new FootfallError('PARAMETER_INVALID', `Invalid value ${quote(value)} for 'keepURLFragments'. Use 0 (default), 1 (keep) or 2 (remove).`);
}

function parseType(params: ApiParams): string | undefined {
  const type = optionalNonEmpty(params, 'type');
  if (type === undefined || (SITE_TYPES as readonly string[]).includes(type)) return type;
  throw new FootfallError('PARAMETER_INVALID', `Invalid site type ${quote(type)}. Use ${SITE_TYPES.join(', ')}.`);
}

function parseStartDate(params: ApiParams): string | undefined {
  const date = optionalNonEmpty(params, 'startDate');
  if (date === undefined) return undefined;
  if (DATE_PATTERN.test(date) && !Number.isNaN(Date.parse(`${date}T00:00:00Z`))) return date;
  throw new FootfallError('PARAMETER_INVALID', `Invalid startDate ${quote(date)}. Use a date such as 2024-05-01.`);
}

function parseUrls(params: ApiParams): string[] | undefined {
  const urls = params.optionalList('urls')?.filter((url) => url.trim() !== '');
  // Matomo 5 requires at least one URL when urls is sent, and accepts a site without URLs when it is not.
  if (urls !== undefined && urls.length === 0) throw new FootfallError('SITE_URL_INVALID', "Missing URL in 'urls'. Send at least one URL, such as urls[]=https://www.example.com.");
  return urls;
}

function parseExcludedIps(params: ApiParams): string[] | undefined {
  const ips = params.optionalList('excludedIps');
  if (ips !== undefined) ensureExcludedIps(ips);
  return ips;
}

/**
 * Reads the site fields that were sent; a field that was not sent stays undefined so that
 * updateSite keeps its value. An empty list clears a list field. The time zone, currency and
 * URLs are checked by the site store.
 *
 * @throws FootfallError PARAMETER_INVALID or IP_INVALID naming the bad value.
 */
export function parseSiteFields(params: ApiParams): SiteFields {
  return {
    name: params.optionalString('siteName'),
    urls: parseUrls(params),
    ecommerce: optionalBool(params, 'ecommerce'),
    siteSearch: optionalBool(params, 'siteSearch'),
    searchKeywordParameters: params.optionalList('searchKeywordParameters'),
    searchCategoryParameters: params.optionalList('searchCategoryParameters'),
    excludedIps: parseExcludedIps(params),
    excludedParameters: params.optionalList('excludedQueryParameters') ?? params.optionalList('excludedParameters'),
    excludedUserAgents: params.optionalList('excludedUserAgents'),
    excludedReferrers: params.optionalList('excludedReferrers'),
    timezone: optionalNonEmpty(params, 'timezone'),
    currency: optionalNonEmpty(params, 'currency'),
    group: params.optionalString('group')?.trim(),
    startDate: parseStartDate(params),
    excludeUnknownUrls: optionalBool(params, 'excludeUnknownUrls'),
    keepUrlFragments: parseKeepUrlFragments(params),
    type: parseType(params),
  };
}
