/** Reading the action of a hit: its kind, its strings for `log_action` and its extra columns. */
import { FootfallError, quote } from '../errors.js';
import type { SiteRecord } from '../sites/site-store.js';
import type { ActionInfo, ActionKind, ActionString, ActionStrings, CustomVariable, PageTimings, TrackedUrl } from './hit.js';
import { ALWAYS_EXCLUDED_PARAMETERS, cleanPageUrl, parseTrackedUrl, readTrackedUrl } from './page-url.js';
import type { TrackedCustomDimension } from './site-cache.js';
import { trimAsPhp } from '../php-trim.js';
import { readAmountParameter } from './tracking-numbers.js';
import { formatPhpNumber, type TrackingParams } from './tracking-params.js';

/** `log_action.type` values, as Matomo numbers them. */
export const ACTION_TYPE = {
  pageUrl: 1, outlink: 2, download: 3, pageTitle: 4, ecommerceSku: 5, ecommerceName: 6, ecommerceCategory: 7,
  siteSearch: 8, eventCategory: 10, eventAction: 11, eventName: 12, contentName: 13, contentPiece: 14,
  contentTarget: 15, contentInteraction: 16,
} as const;

/** Site search keyword parameters used when a site enables site search without naming its own. */
export const DEFAULT_SEARCH_KEYWORD_PARAMETERS: readonly string[] = ['q', 'query', 's', 'search', 'searchword', 'k', 'keyword'];

/** Longest stored action string, as Matomo truncates names. */
const MAX_ACTION_STRING_LENGTH = 4096;
/** Maximum length of a custom variable name or value. */
const MAX_CUSTOM_VARIABLE_LENGTH = 200;
/** Maximum length of a custom dimension value. */
export const MAX_CUSTOM_DIMENSION_LENGTH = 255;

const EMPTY_STRINGS: ActionStrings = {
  url: null, name: null, eventCategory: null, eventAction: null, contentName: null, contentPiece: null, contentTarget: null, contentInteraction: null,
  productSku: null, productName: null, productCategory: null,
};

function actionString(value: string | undefined, type: number): ActionString | null {
  if (value === undefined || value === '') return null;
  return { value: value.slice(0, MAX_ACTION_STRING_LENGTH), type };
}

function splitList(text: string): string[] {
  return text.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

/** Excluded parameter sets by site record, with the `excluded_parameters` text each was built from. */
const excludedParameterSets = new WeakMap<SiteRecord, { source: string; names: ReadonlySet<string> }>();

/** Returns the query parameters removed from the site's page URLs, lower-cased, built once per site record. */
function excludedParametersOf(site: SiteRecord): ReadonlySet<string> {
  const cached = excludedParameterSets.get(site);
  if (cached?.source === site.excluded_parameters) return cached.names;
  const names = new Set([...ALWAYS_EXCLUDED_PARAMETERS, ...splitList(site.excluded_parameters).map((name) => name.toLowerCase())]);
  excludedParameterSets.set(site, { source: site.excluded_parameters, names });
  return names;
}

/**
 * Parses the action of a hit. `ping=1` only extends the visit, a goal request (any `idgoal`)
 * records no action even with event, outlink, download, content or site search parameters,
 * and `ca=1` records no pageview, as in Matomo 5.
 *
 * `page` is the `url` parameter cleaned and parsed by `parseTrackedUrl`. A caller that has it
 * already passes it, so the work is done once per hit.
 *
 * A `url`, `link` or `download` is trimmed, then ignored when it does not look like a URL,
 * such as `javascript:alert(1)`, as Matomo 5's tracker does (`PageUrl::getUrlIfLookValid`),
 * so the action has no URL. An outlink or download stays one, without its URL.
 *
 * A malformed `e_v` or `_pkp` is ignored, as Matomo 5 ignores it.
 *
 * @throws FootfallError TRACKING_PARAMETER_INVALID for an event without `e_c` or `e_a`, a
 *   negative page timing other than -1, or an `e_v` or `_pkp` beyond ±10^15 (MAX_TRACKED_AMOUNT).
 */
export function parseAction(
  params: TrackingParams, site: SiteRecord, dimensions: readonly TrackedCustomDimension[], page: TrackedUrl | null = parseTrackedUrl(params.raw('url')),
): ActionInfo {
  const excluded = excludedParametersOf(site);
  const pageUrl = page === null ? null : cleanPageUrl(page.text, excluded, Number(site.keep_url_fragment) === 1, page.url);
  const base: ActionBase = {
    pageviewId: params.get('pv_id')?.slice(0, 6) ?? null,
    customVariables: parseCustomVariables(params, 'cvar'),
    customDimensions: parseCustomDimensions(params, dimensions, 'action'),
  };
  const urlString = actionString(pageUrl ?? undefined, ACTION_TYPE.pageUrl);
  const titleString = actionString(params.get('action_name'), ACTION_TYPE.pageTitle);

  if (params.flag('ping')) return buildAction('heartbeat', pageUrl, {}, base);
  // Matomo 5 drops the action of a manual conversion (GoalsRequestProcessor) and of an order or
  // cart update (EcommerceRequestProcessor), so they only start or extend the visit.
  if (params.get('idgoal') !== undefined) return buildAction('none', pageUrl, {}, base);
  // Outlinks and downloads get no name, even with an `action_name`, as in Matomo 5, which
  // stores `idaction_name` only for pageviews and site searches (core/Tracker/Action.php).
  const outlink = params.raw('link');
  if (isNonEmptyInPhp(outlink)) return buildAction('outlink', pageUrl, { url: actionString(readTrackedUrl(outlink), ACTION_TYPE.outlink) }, base);
  const download = params.raw('download');
  if (isNonEmptyInPhp(download)) return buildAction('download', pageUrl, { url: actionString(readTrackedUrl(download), ACTION_TYPE.download) }, base);
  if (params.get('e_c') !== undefined || params.get('e_a') !== undefined) return parseEvent(params, urlString, pageUrl, base);
  if (params.get('c_n') !== undefined) {
    return buildAction('content', pageUrl, {
      url: urlString, contentName: actionString(params.get('c_n'), ACTION_TYPE.contentName),
      contentPiece: actionString(params.get('c_p'), ACTION_TYPE.contentPiece), contentTarget: actionString(params.get('c_t'), ACTION_TYPE.contentTarget),
      contentInteraction: actionString(params.get('c_i'), ACTION_TYPE.contentInteraction),
    }, base);
  }

  const search = findSiteSearch(params, site, pageUrl, page === null ? null : page.url);
  if (search) {
    return buildAction('site_search', search.url, { url: actionString(search.url ?? undefined, ACTION_TYPE.pageUrl), name: actionString(search.keyword, ACTION_TYPE.siteSearch) }, base, {
      searchCategory: search.category, searchCount: search.count,
    });
  }
  if (params.flag('ca')) return buildAction('none', pageUrl, {}, base);
  return buildAction('pageview', pageUrl, { url: urlString, name: titleString, ...parseProductView(params) }, base, { productPrice: parseProductPrice(params), timings: parseTimings(params) });
}

/**
 * Returns whether a `link` or `download` parameter makes the action an outlink or download.
 * Matomo 5 tests the untrimmed value with PHP's `empty()` (`ActionClickUrl::shouldHandle`), so
 * only '' and '0' do not count, and a value of spaces gives an outlink or download without a URL.
 */
function isNonEmptyInPhp(text: string | undefined): text is string {
  return text !== undefined && text !== '' && text !== '0';
}

/** The fields of an action that every kind reads the same way. */
interface ActionBase {
  pageviewId: string | null;
  customVariables: CustomVariable[];
  customDimensions: Map<number, string>;
}

/** The fields of an action that only some kinds set. */
type ActionExtra = Partial<Pick<ActionInfo, 'eventValue' | 'searchCategory' | 'searchCount' | 'productPrice' | 'timings'>>;

/** Builds an action. Page timings are kept for pageviews only. */
function buildAction(kind: ActionKind, pageUrl: string | null, strings: Partial<ActionStrings>, base: ActionBase, extra: ActionExtra = {}): ActionInfo {
  return {
    kind,
    pageUrl,
    strings: { ...EMPTY_STRINGS, ...strings },
    pageviewId: base.pageviewId,
    eventValue: extra.eventValue ?? null,
    searchCategory: extra.searchCategory ?? null,
    searchCount: extra.searchCount ?? null,
    productPrice: extra.productPrice ?? null,
    timings: kind === 'pageview' && extra.timings !== undefined ? extra.timings : NO_TIMINGS,
    customVariables: base.customVariables,
    customDimensions: base.customDimensions,
  };
}

/** Reads the product view of an e-commerce product page: `_pks` (SKU), `_pkn` (name) and `_pkc` (category, or a JSON list of them). */
function parseProductView(params: TrackingParams): Partial<ActionStrings> {
  let category = params.get('_pkc');
  if (category?.startsWith('[')) {
    try {
      const categories = JSON.parse(category) as unknown;
      category = Array.isArray(categories) && categories.length > 0 ? String(categories[0]) : undefined;
    } catch {
      // A category that only looks like JSON is kept as text.
    }
  }
  return {
    productSku: actionString(params.get('_pks'), ACTION_TYPE.ecommerceSku),
    productName: actionString(params.get('_pkn'), ACTION_TYPE.ecommerceName),
    productCategory: actionString(category, ACTION_TYPE.ecommerceCategory),
  };
}

function parseProductPrice(params: TrackingParams): number | null {
  return readAmountParameter(params, '_pkp');
}

const NO_TIMINGS: PageTimings = { network: null, server: null, transfer: null, domProcessing: null, domCompletion: null, onLoad: null };

function parseEvent(params: TrackingParams, urlString: ActionString | null, pageUrl: string | null, base: ActionBase): ActionInfo {
  const category = params.get('e_c');
  const action = params.get('e_a');
  if (category === undefined || action === undefined) {
    throw new FootfallError('TRACKING_PARAMETER_INVALID', "An event needs both 'e_c' (category) and 'e_a' (action).");
  }
  // Matomo 5 records the event without a value when e_v is malformed.
  const value = readAmountParameter(params, 'e_v');
  return buildAction('event', pageUrl, {
    url: urlString, name: actionString(params.get('e_n'), ACTION_TYPE.eventName),
    eventCategory: actionString(category, ACTION_TYPE.eventCategory), eventAction: actionString(action, ACTION_TYPE.eventAction),
  }, base, { eventValue: value });
}

interface SiteSearch {
  url: string | null;
  keyword: string;
  category: string | null;
  count: number | null;
}

/**
 * Finds a site search: the `search` parameter, or (when the site enables site search) one
 * of its keyword parameters in the page URL, which is then removed from the URL.
 * `parsedUrl` is the cleaned `url` parameter parsed, or null when the URL parser rejects it.
 */
function findSiteSearch(params: TrackingParams, site: SiteRecord, pageUrl: string | null, parsedUrl: URL | null): SiteSearch | null {
  const countText = params.get('search_count');
  const count = countText !== undefined && /^[0-9]{1,9}$/.test(countText) ? Number(countText) : null;
  const explicit = params.get('search');
  if (explicit !== undefined) return { url: pageUrl, keyword: explicit.toLowerCase(), category: params.get('search_cat')?.slice(0, 200) ?? null, count };
  if (Number(site.sitesearch) !== 1 || pageUrl === null) return null;
  const { keywordNames, categoryNames } = siteSearchParametersOf(site);
  const searchNames = keywordNames.length > 0 ? keywordNames : DEFAULT_SEARCH_KEYWORD_PARAMETERS;
  // Cleaning only removes parameters, so a keyword missing from the sent URL is missing from
  // `pageUrl` too, and most pageviews need no second parse. Only whitespace after the host or
  // port makes the parser reject the sent URL but accept `pageUrl`, which cleanPageUrl trims
  // further. Such a `pageUrl` has no query either.
  if (!hasAnyValue(parsedUrl, searchNames)) return null;

  let url: URL;
  try {
    url = new URL(pageUrl);
  } catch {
    return null;
  }
  const keyword = takeParameter(url, searchNames);
  if (keyword === null) return null;
  const category = takeParameter(url, categoryNames);
  return { url: url.href, keyword: keyword.toLowerCase(), category: category?.slice(0, 200) ?? null, count };
}

/** Site search parameter lists by site record, with the texts they were split from. */
const siteSearchParameterLists = new WeakMap<SiteRecord, { keywordText: string; categoryText: string; keywordNames: string[]; categoryNames: string[] }>();

/** Returns the site's site search keyword and category parameter names, split once per site record. */
function siteSearchParametersOf(site: SiteRecord): { keywordNames: readonly string[]; categoryNames: readonly string[] } {
  const cached = siteSearchParameterLists.get(site);
  if (cached?.keywordText === site.sitesearch_keyword_parameters && cached.categoryText === site.sitesearch_category_parameters) return cached;
  const lists = {
    keywordText: site.sitesearch_keyword_parameters,
    categoryText: site.sitesearch_category_parameters,
    keywordNames: splitList(site.sitesearch_keyword_parameters),
    categoryNames: splitList(site.sitesearch_category_parameters),
  };
  siteSearchParameterLists.set(site, lists);
  return lists;
}

/** Returns whether a URL has one of the parameters `names` with a value that is not blank. */
function hasAnyValue(url: URL | null, names: readonly string[]): boolean {
  if (url === null || url.search === '') return false;
  return names.some((name) => url.searchParams.get(name)?.trim());
}

/** Returns the first non-empty parameter of `names` and removes all of them from the URL. */
function takeParameter(url: URL, names: readonly string[]): string | null {
  let found: string | null = null;
  for (const name of names) {
    const value = url.searchParams.get(name)?.trim();
    if (found === null && value) found = value;
    if (url.searchParams.has(name) && value) url.searchParams.delete(name);
  }
  return found;
}

/** Largest page timing stored, in milliseconds: Matomo's columns are unsigned MEDIUMINT and it ignores larger values. */
const MAX_PAGE_TIMING_MS = 16_777_215;

/**
 * Reads a page timing in milliseconds as Matomo 5 does: a value that is not a whole number, -1
 * (none) or above MAX_PAGE_TIMING_MS is ignored.
 *
 * @throws FootfallError TRACKING_PARAMETER_INVALID for another negative value, as Matomo rejects it.
 */
function readPageTiming(params: TrackingParams, name: string): number | null {
  const text = params.get(name);
  if (text === undefined || !/^-?[0-9]{1,12}$/.test(text)) return null;
  const value = Number(text);
  if (value === -1 || value > MAX_PAGE_TIMING_MS) return null;
  if (value < 0) {
    throw new FootfallError('TRACKING_PARAMETER_INVALID', `Invalid value ${quote(text)} for '${name}'. Expected a number of milliseconds of at least 0, or -1 for none.`);
  }
  return value;
}

/** Reads `gt_ms`, the generation time of trackers before Matomo 4, which Matomo 5 no longer reads, so a bad value is ignored. */
function readGenerationTime(params: TrackingParams): number | null {
  const text = params.get('gt_ms');
  return text !== undefined && /^[0-9]{1,8}$/.test(text) && Number(text) <= MAX_PAGE_TIMING_MS ? Number(text) : null;
}

function parseTimings(params: TrackingParams): PageTimings {
  return {
    network: readPageTiming(params, 'pf_net'), server: readPageTiming(params, 'pf_srv') ?? readGenerationTime(params),
    transfer: readPageTiming(params, 'pf_tfr'), domProcessing: readPageTiming(params, 'pf_dm1'),
    domCompletion: readPageTiming(params, 'pf_dm2'), onLoad: readPageTiming(params, 'pf_onl'),
  };
}

/**
 * Parses `_cvar` (visit scope) or `cvar` (page scope): JSON `{"1":["name","value"],...}`
 * with slots 1 to 5. It follows `getCustomVariables` in Matomo's CustomVariables plugin
 * (`Tracker/CustomVariablesRequestProcessor.php`). A value that is not a JSON object or array
 * is ignored. So is a slot whose number is out of range or whose pair is not exactly two
 * strings or numbers. Names and values are trimmed, then cut to 200 characters.
 */
export function parseCustomVariables(params: TrackingParams, name: '_cvar' | 'cvar'): CustomVariable[] {
  const text = params.get(name);
  if (text === undefined) return [];
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return [];
  }
  if (typeof data !== 'object' || data === null) return [];

  const variables: CustomVariable[] = [];
  for (const [slot, pair] of Object.entries(data as Record<string, unknown>)) {
    // PHP's (int) cast of the key: leading digits count, anything else is 0.
    const index = Number.parseInt(slot, 10);
    if (!(index >= 1 && index <= 5) || !Array.isArray(pair) || pair.length !== 2) continue;
    const [variableName, value] = pair.map(readCustomVariableText);
    if (variableName === undefined || value === undefined) continue;
    variables.push({ index, name: variableName, value });
  }
  return variables;
}

/** Returns a custom variable's name or value as Matomo stores it, or undefined when it is not a string or a number. */
function readCustomVariableText(item: unknown): string | undefined {
  let text: string;
  if (typeof item === 'string') text = item;
  else if (typeof item === 'number') text = formatPhpNumber(item);
  else return undefined;
  return trimAsPhp(text).slice(0, MAX_CUSTOM_VARIABLE_LENGTH);
}

/** Returns `dimensionN` values of the configured dimensions of one scope, by column index. */
export function parseCustomDimensions(params: TrackingParams, dimensions: readonly TrackedCustomDimension[], scope: 'visit' | 'action'): Map<number, string> {
  const values = new Map<number, string>();
  for (const dimension of dimensions) {
    if (dimension.scope !== scope || dimension.index < 1 || dimension.index > 5) continue;
    const value = params.get(`dimension${dimension.id}`);
    if (value !== undefined) values.set(dimension.index, value.slice(0, MAX_CUSTOM_DIMENSION_LENGTH));
  }
  return values;
}
