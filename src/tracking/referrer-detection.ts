/** Referrer attribution: direct entry, search engine, website, social network or campaign. */
import type { CampaignInfo, ReferrerInfo, TrackedUrl } from './hit.js';
import { parseTrackedReferrer } from './page-url.js';
import { findSearchEngine, findSocialNetwork, type SearchEngine } from './referrer-lists.js';
import type { TrackingParams } from './tracking-params.js';

/** `referer_type` values, as Matomo stores them. */
export const REFERRER_TYPE = { direct: 1, search: 2, website: 3, campaign: 6, social: 7 } as const;

const CAMPAIGN_EXTRA_PARAMETERS = {
  source: ['mtm_source', 'pk_source', 'utm_source'],
  medium: ['mtm_medium', 'pk_medium', 'utm_medium'],
  content: ['mtm_content', 'pk_content', 'utm_content'],
  id: ['mtm_cid', 'pk_cid', 'utm_id', 'mtm_clid'],
} as const;

/** Settings the detection reads: the campaign parameter names of `[Tracker]`. */
export interface ReferrerDetectionConfig {
  campaignNameParameters: readonly string[];
  campaignKeywordParameters: readonly string[];
}

function parseUrl(text: string | undefined): URL | null {
  if (!text) return null;
  try {
    return httpOrNull(new URL(text));
  } catch {
    return null;
  }
}

function httpOrNull(url: URL | null): URL | null {
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:') ? url : null;
}

/** Lower-cased copies of the name lists passed to `firstParameter`, which are module constants or cached settings. */
const loweredNameLists = new WeakMap<readonly string[], readonly string[]>();

function lowerNames(names: readonly string[]): readonly string[] {
  let lowered = loweredNameLists.get(names);
  if (lowered === undefined) {
    lowered = names.map((name) => name.toLowerCase());
    loweredNameLists.set(names, lowered);
  }
  return lowered;
}

/**
 * Reads a parameter case-insensitively by name, as Matomo matches campaign parameters: the
 * value of the first name in `names` whose first occurrence in the query is not blank.
 */
function firstParameter(url: URL | null, names: readonly string[]): string | null {
  if (!url || url.search === '') return null;
  const requestedNames = lowerNames(names);
  let found: string | null = null;
  let foundRank = requestedNames.length;
  /** Ranks whose first occurrence was blank, so later occurrences of that name are ignored. */
  let blankRanks: number[] | undefined;
  for (const [name, value] of url.searchParams) {
    const rank = requestedNames.indexOf(name.toLowerCase());
    if (rank < 0 || rank >= foundRank || blankRanks?.includes(rank)) continue;
    const trimmed = value.trim();
    if (trimmed === '') {
      (blankRanks ??= []).push(rank);
      continue;
    }
    found = trimmed;
    foundRank = rank;
  }
  return found;
}

/**
 * Finds the campaign of a hit: first in the page URL's campaign parameters, then in `_rcn`
 * and `_rck`. Names and keywords are lower-cased, as Matomo stores them.
 */
export function detectCampaign(pageUrl: URL | null, params: TrackingParams, config: ReferrerDetectionConfig): CampaignInfo | null {
  const nameFromUrl = firstParameter(pageUrl, config.campaignNameParameters);
  const name = nameFromUrl ?? params.get('_rcn') ?? null;
  if (!name) return null;
  const keyword = nameFromUrl ? firstParameter(pageUrl, config.campaignKeywordParameters) : params.get('_rck') ?? null;
  const lower = (value: string | null): string | null => (value === null ? null : value.toLowerCase());
  return {
    name: name.toLowerCase(),
    keyword: lower(keyword),
    source: lower(firstParameter(pageUrl, CAMPAIGN_EXTRA_PARAMETERS.source)),
    medium: lower(firstParameter(pageUrl, CAMPAIGN_EXTRA_PARAMETERS.medium)),
    content: lower(firstParameter(pageUrl, CAMPAIGN_EXTRA_PARAMETERS.content)),
    id: firstParameter(pageUrl, CAMPAIGN_EXTRA_PARAMETERS.id),
  };
}

/**
 * Attributes a hit to a referrer type. `siteHosts` are the host names of the site's URLs:
 * a referrer on one of them counts as direct entry. `urlref` is the `urlref` parameter cleaned
 * and parsed by `parseTrackedReferrer`. A caller that has it already passes it, so the work is
 * done once per hit. A `urlref` that is sent but is not a URL, such as one after a space,
 * counts as no referrer URL, and `_ref` is read only when `urlref` is missing or blank.
 */
export function detectReferrer(
  pageUrl: URL | null, params: TrackingParams, siteHosts: ReadonlySet<string>, config: ReferrerDetectionConfig,
  urlref: TrackedUrl | null = parseTrackedReferrer(params),
): ReferrerInfo {
  // A `urlref` that looks like a URL has `//` in it, so it is not blank.
  const urlrefSent = urlref !== null || params.get('urlref') !== undefined;
  const referrerText = urlrefSent ? urlref?.text : params.get('_ref');
  const campaign = detectCampaign(pageUrl, params, config);
  if (campaign) {
    return { type: REFERRER_TYPE.campaign, name: campaign.name, keyword: campaign.keyword, url: referrerText ?? null, campaign };
  }

  const referrer = urlrefSent ? httpOrNull(urlref?.url ?? null) : parseUrl(referrerText);
  if (!referrer) return { type: REFERRER_TYPE.direct, name: null, keyword: null, url: null, campaign: null };
  const host = referrer.hostname.toLowerCase();
  if (siteHosts.has(host) || siteHosts.has(host.replace(/^www\./, ''))) {
    return { type: REFERRER_TYPE.direct, name: null, keyword: null, url: null, campaign: null };
  }

  const { engine, social } = classifyReferrerHost(host);
  if (engine) {
    const keyword = firstParameter(referrer, engine.keywordParameters);
    return { type: REFERRER_TYPE.search, name: engine.name, keyword: keyword === null ? null : keyword.toLowerCase(), url: referrer.href, campaign: null };
  }
  if (social) return { type: REFERRER_TYPE.social, name: social, keyword: null, url: referrer.href, campaign: null };
  return { type: REFERRER_TYPE.website, name: host, keyword: null, url: referrer.href, campaign: null };
}

/** The search engine or social network of a referrer host; both undefined for other websites. */
interface HostClass {
  engine: SearchEngine | undefined;
  social: string | undefined;
}

/** Referrer hosts already matched against the lists, which are scanned domain by domain. */
const hostClasses = new Map<string, HostClass>();
/** Hosts kept in `hostClasses`; the map starts over when full, because referrer hosts are unbounded input. */
const MAX_CACHED_REFERRER_HOSTS = 10_000;

function classifyReferrerHost(host: string): HostClass {
  let found = hostClasses.get(host);
  if (!found) {
    if (hostClasses.size >= MAX_CACHED_REFERRER_HOSTS) hostClasses.clear();
    const engine = findSearchEngine(host);
    found = { engine, social: engine ? undefined : findSocialNetwork(host) };
    hostClasses.set(host, found);
  }
  return found;
}
