/** Sites of a tenant and their URLs, in the tenant database. */
import type { Kysely } from 'kysely';
import type { Database, SiteTable } from '../db/schema.js';
import { FootfallError, quote } from '../errors.js';
import { insertReturningId } from '../db/insert-id.js';
import { formatUtcDateTime, SYSTEM_CLOCK, type Clock } from '../time.js';

/** A site row as stored, with its URLs (main URL first). */
export interface SiteRecord extends Omit<SiteTable, 'idsite'> {
  idsite: number;
  urls: string[];
}

/** Fields of a site that callers may set; omitted fields keep their value (or default on create). */
export interface SiteFields {
  name?: string;
  urls?: string[];
  ecommerce?: boolean;
  siteSearch?: boolean;
  searchKeywordParameters?: string[];
  searchCategoryParameters?: string[];
  timezone?: string;
  currency?: string;
  excludedIps?: string[];
  excludedParameters?: string[];
  excludedUserAgents?: string[];
  excludedReferrers?: string[];
  excludeUnknownUrls?: boolean;
  /** Matomo's keep_url_fragment: 0 uses the default, 1 keeps URL fragments, 2 removes them; true and false mean 1 and 0. */
  keepUrlFragments?: boolean | 0 | 1 | 2;
  type?: string;
  group?: string;
  startDate?: string;
}

const MAX_SITE_NAME_LENGTH = 90;
const SUPPORTED_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/** Returns whether a time zone name is known (IANA names such as Europe/Paris, or UTC, or UTC+5.5 as Matomo writes offsets). */
export function isValidTimezone(timezone: string): boolean {
  if (/^UTC([+-]\d{1,2}(\.(5|75|25))?)?$/.test(timezone)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** @throws FootfallError TIMEZONE_INVALID naming the value. */
export function ensureTimezone(timezone: string): void {
  if (isValidTimezone(timezone)) return;
  throw new FootfallError('TIMEZONE_INVALID', `Invalid time zone ${quote(timezone)}. Use an IANA name such as Europe/Paris, or UTC, or an offset such as UTC+5.5.`);
}

/** @throws FootfallError CURRENCY_INVALID naming the value. */
export function ensureCurrency(currency: string): void {
  if (SUPPORTED_CURRENCIES.has(currency)) return;
  throw new FootfallError('CURRENCY_INVALID', `Invalid currency ${quote(currency)}. Use an ISO 4217 code such as USD or EUR.`);
}

/**
 * Normalises a site URL: adds http:// when no scheme is given and drops a trailing slash.
 *
 * @throws FootfallError SITE_URL_INVALID for a value that is not an http(s) URL or an app id.
 */
export function normaliseSiteUrl(raw: string): string {
  const trimmed = raw.trim();
  const withScheme = /^[a-z][a-z0-9+.\-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new FootfallError('SITE_URL_INVALID', `Invalid site URL ${quote(raw)}. Expected a URL such as https://www.example.com.`);
  }
  if (url.hostname === '' || trimmed === '') throw new FootfallError('SITE_URL_INVALID', `Invalid site URL ${quote(raw)}. Expected a URL such as https://www.example.com.`);
  return withScheme.replace(/\/+$/, '');
}

function uniqueUrls(urls: readonly string[]): string[] {
  return [...new Set(urls.map(normaliseSiteUrl))];
}

function joinList(values: readonly string[] | undefined): string | undefined {
  return values?.map((value) => value.trim()).filter((value) => value !== '').join(',');
}

function ensureName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > MAX_SITE_NAME_LENGTH) {
    throw new FootfallError('PARAMETER_INVALID', `Invalid site name ${quote(name)}. Use 1 to ${MAX_SITE_NAME_LENGTH} characters.`);
  }
  return trimmed;
}

function toColumns(fields: SiteFields): Partial<Omit<SiteTable, 'idsite'>> {
  if (fields.timezone !== undefined) ensureTimezone(fields.timezone);
  if (fields.currency !== undefined) ensureCurrency(fields.currency);
  const columns: Partial<Omit<SiteTable, 'idsite'>> = {
    name: fields.name === undefined ? undefined : ensureName(fields.name),
    ecommerce: fields.ecommerce === undefined ? undefined : Number(fields.ecommerce),
    sitesearch: fields.siteSearch === undefined ? undefined : Number(fields.siteSearch),
    sitesearch_keyword_parameters: joinList(fields.searchKeywordParameters),
    sitesearch_category_parameters: joinList(fields.searchCategoryParameters),
    timezone: fields.timezone,
    currency: fields.currency,
    excluded_ips: joinList(fields.excludedIps),
    excluded_parameters: joinList(fields.excludedParameters),
    excluded_user_agents: joinList(fields.excludedUserAgents),
    excluded_referrers: joinList(fields.excludedReferrers),
    exclude_unknown_urls: fields.excludeUnknownUrls === undefined ? undefined : Number(fields.excludeUnknownUrls),
    keep_url_fragment: fields.keepUrlFragments === undefined ? undefined : Number(fields.keepUrlFragments),
    type: fields.type,
    group: fields.group,
    ts_created: fields.startDate === undefined ? undefined : `${fields.startDate} 00:00:00`,
  };
  return Object.fromEntries(Object.entries(columns).filter(([, value]) => value !== undefined));
}

/** Defaults of a new site besides name and URLs. */
export interface SiteDefaults {
  timezone: string;
  currency: string;
  creatorLogin: string;
  clock?: Clock;
}

/**
 * Adds a site and its URLs; the first URL is the main URL.
 *
 * @throws FootfallError for a bad name, URL, time zone or currency.
 */
export async function createSite(db: Kysely<Database>, fields: SiteFields & { name: string }, defaults: SiteDefaults): Promise<number> {
  const urls = uniqueUrls(fields.urls ?? []);
  const columns = toColumns(fields);
  const row: Omit<SiteTable, 'idsite'> = {
    name: ensureName(fields.name), main_url: urls[0] ?? '', ts_created: formatUtcDateTime((defaults.clock ?? SYSTEM_CLOCK)()),
    ecommerce: 0, sitesearch: 1, sitesearch_keyword_parameters: '', sitesearch_category_parameters: '',
    timezone: defaults.timezone, currency: defaults.currency, exclude_unknown_urls: 0, excluded_ips: '',
    excluded_parameters: '', excluded_user_agents: '', excluded_referrers: '', group: '', type: 'website',
    keep_url_fragment: 0, creator_login: defaults.creatorLogin, ...columns,
  };
  ensureTimezone(row.timezone);
  ensureCurrency(row.currency);

  return db.transaction().execute(async (trx) => {
    const siteId = await insertSite(trx, row);
    if (urls.length > 1) await trx.insertInto('site_url').values(urls.slice(1).map((url) => ({ idsite: siteId, url }))).execute();
    return siteId;
  });
}

async function insertSite(db: Kysely<Database>, row: Omit<SiteTable, 'idsite'>): Promise<number> {
  return insertReturningId(db, db.insertInto('site').values(row), 'idsite');
}

/**
 * Updates the given fields of a site; `urls` replaces every URL (the first becomes the main URL).
 *
 * @throws FootfallError SITE_NOT_FOUND, or for a bad value.
 */
export async function updateSite(db: Kysely<Database>, siteId: number, fields: SiteFields): Promise<void> {
  const columns = toColumns(fields);
  const urls = fields.urls === undefined ? undefined : uniqueUrls(fields.urls);
  await db.transaction().execute(async (trx) => {
    const exists = await trx.selectFrom('site').select('idsite').where('idsite', '=', siteId).executeTakeFirst();
    if (!exists) throw siteNotFound(siteId);
    if (urls && urls.length > 0) columns.main_url = urls[0]!;
    if (Object.keys(columns).length > 0) await trx.updateTable('site').set(columns).where('idsite', '=', siteId).execute();
    if (!urls) return;
    await trx.deleteFrom('site_url').where('idsite', '=', siteId).execute();
    if (urls.length > 1) await trx.insertInto('site_url').values(urls.slice(1).map((url) => ({ idsite: siteId, url }))).execute();
  });
}

/** Deletes a site with its URLs, goals, access rows and logs. @throws FootfallError SITE_NOT_FOUND. */
export async function deleteSite(db: Kysely<Database>, siteId: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const result = await trx.deleteFrom('site').where('idsite', '=', siteId).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw siteNotFound(siteId);
    for (const table of ['site_url', 'goal', 'access', 'custom_dimensions', 'log_visit', 'log_link_visit_action', 'log_conversion',
      'log_conversion_item', 'archive_invalidations', 'tracking_drop'] as const) {
      await trx.deleteFrom(table).where('idsite', '=', siteId).execute();
    }
    const archives = trx.selectFrom('archive').select('idarchive').where('idsite', '=', siteId);
    await trx.deleteFrom('archive_numeric').where('idarchive', 'in', archives).execute();
    await trx.deleteFrom('archive_blob').where('idarchive', 'in', archives).execute();
    await trx.deleteFrom('archive').where('idsite', '=', siteId).execute();
  });
}

/** Returns the error for a missing site, worded as Matomo words it. */
export function siteNotFound(siteId: number | string): FootfallError {
  return new FootfallError('SITE_NOT_FOUND', `An unexpected website was found in the request: website id was set to ${quote(String(siteId))}.`);
}

/** Returns sites with their URLs, all of them or those of `siteIds`, sorted by id. */
export async function loadSites(db: Kysely<Database>, siteIds?: readonly number[] | null): Promise<SiteRecord[]> {
  if (siteIds && siteIds.length === 0) return [];
  let query = db.selectFrom('site').selectAll().orderBy('idsite');
  if (siteIds) query = query.where('idsite', 'in', [...siteIds]);
  const rows = await query.execute();
  if (rows.length === 0) return [];

  const urlRows = await db.selectFrom('site_url').select(['idsite', 'url']).where('idsite', 'in', rows.map((row) => Number(row.idsite))).orderBy('url').execute();
  return rows.map((row) => {
    const idsite = Number(row.idsite);
    const aliases = urlRows.filter((urlRow) => Number(urlRow.idsite) === idsite).map((urlRow) => urlRow.url);
    return { ...row, idsite, urls: [row.main_url, ...aliases].filter((url) => url !== '') };
  });
}

/** Returns one site, or throws SITE_NOT_FOUND. */
export async function loadSite(db: Kysely<Database>, siteId: number): Promise<SiteRecord> {
  const [site] = await loadSites(db, [siteId]);
  if (!site) throw siteNotFound(siteId);
  return site;
}

/** Returns the ids of sites whose main URL or alias URL is one of `urls`, sorted and each once. */
export async function findSiteIdsByUrls(db: Kysely<Database>, urls: readonly string[]): Promise<number[]> {
  if (urls.length === 0) return [];
  const byMainUrl = await db.selectFrom('site').select('idsite').where('main_url', 'in', [...urls]).execute();
  const byAlias = await db.selectFrom('site_url').select('idsite').where('url', 'in', [...urls]).execute();
  return [...new Set([...byMainUrl, ...byAlias].map((row) => Number(row.idsite)))].sort((a, b) => a - b);
}

/** Returns how many sites the tenant has. */
export async function countSites(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('site').select((eb) => eb.fn.countAll().as('count')).executeTakeFirst();
  return Number(row?.count ?? 0);
}

/** Returns the id of every site, sorted. */
export async function loadSiteIds(db: Kysely<Database>): Promise<number[]> {
  const rows = await db.selectFrom('site').select('idsite').orderBy('idsite').execute();
  return rows.map((row) => Number(row.idsite));
}
