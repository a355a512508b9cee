/** Cleaning of page URLs before they are stored, and the URL prefix ids of `log_action`. */
import { trimAsPhp } from '../php-trim.js';
import type { Hit, TrackedUrl } from './hit.js';
import type { TrackingParams } from './tracking-params.js';

/** Query parameters Matomo always removes from page URLs: session ids and cache busters. */
export const ALWAYS_EXCLUDED_PARAMETERS: readonly string[] = [
  'gclid', 'fbclid', 'msclkid', 'yclid', 'phpsessid', 'jsessionid', 'sessionid', 'aspsessionid', 'doing_wp_cron', 'sid', 'pk_vid',
];

/** `url_prefix` ids of `log_action`, longest prefix first so `https://www.` wins over `https://`. */
const URL_PREFIXES: readonly [prefix: string, id: number][] = [
  ['https://www.', 3], ['http://www.', 1], ['https://', 2], ['http://', 0],
];

/** Splits a URL into its Matomo prefix id and the rest; `prefix` is null when no known prefix starts it. */
export function splitUrlPrefix(url: string): { prefix: number | null; rest: string } {
  const lower = url.slice(0, 12).toLowerCase();
  for (const [prefix, id] of URL_PREFIXES) {
    if (lower.startsWith(prefix)) return { prefix: id, rest: url.slice(prefix.length) };
  }
  return { prefix: null, rest: url };
}

/** Rebuilds a URL from its `log_action` row. */
export function joinUrlPrefix(prefix: number | null, rest: string): string {
  const entry = URL_PREFIXES.find(([, id]) => id === prefix);
  return entry ? `${entry[0]}${rest}` : rest;
}

function parseOrNull(text: string | undefined): URL | null {
  if (text === undefined) return null;
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/** Schemes whose URLs Matomo never records as page URLs. */
const UNSAFE_URL_SCHEME = /^(javascript|vbscript|data):/i;

/**
 * Cleans a tracked URL as Matomo's `PageUrl::cleanupString` does: trims it with PHP's default
 * character set, then removes every LF, CR and NUL.
 */
function cleanTrackedUrl(text: string): string {
  return trimAsPhp(text).replace(/[\n\r\0]/g, '');
}

/** Returns whether text passes Matomo 5's `UrlHelper::isLookLikeUrl`, which does not trim it. */
function looksLikeUrl(text: string): boolean {
  // PCRE's `.` excludes only a line feed, where JavaScript's also excludes CR, U+2028 and U+2029.
  const match = /^(?:([A-Za-z][A-Za-z0-9+.-]*)?:)?\/\/([^\n]+)$/.exec(text);
  if (match === null) return false;
  return match[1] === undefined || !UNSAFE_URL_SCHEME.test(`${match[1]}:`);
}

/**
 * Returns a tracked `url`, `link` or `download` cleaned, or undefined when it does not look
 * like a URL. `text` is the parameter as sent. As in Matomo 5's `PageUrl::getUrlIfLookValid`,
 * the check runs after the cleanup, so a leading space is allowed but a leading no-break space
 * is not. A URL needs `//` and a host after its optional scheme, which is not `javascript:`,
 * `vbscript:` or `data:`.
 */
export function readTrackedUrl(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const cleaned = cleanTrackedUrl(text);
  return looksLikeUrl(cleaned) ? cleaned : undefined;
}

/**
 * Returns the `urlref` parameter cleaned, or undefined when it is missing or not a URL.
 * Matomo 5 checks `urlref` with `UrlHelper::isLookLikeUrl` before it cleans it
 * (`Referrers\Columns\Base::getReferrerInformation`), so a referrer URL sent after
 * whitespace counts as none, while trailing spaces are trimmed.
 */
export function readReferrerText(params: TrackingParams): string | undefined {
  const raw = params.raw('urlref');
  return raw !== undefined && looksLikeUrl(raw) ? cleanTrackedUrl(raw) : undefined;
}

/**
 * Returns a tracked `url`, `link` or `download` cleaned as `readTrackedUrl` does and parsed, or
 * null when it is missing or does not look like a URL. `text` is the parameter as sent.
 */
export function parseTrackedUrl(text: string | undefined): TrackedUrl | null {
  return withParse(readTrackedUrl(text));
}

/** Returns the hit's `url` parameter, cleaned and parsed once per hit, or null when it is absent or not a URL. */
export function readTrackedPageUrl(hit: Hit): TrackedUrl | null {
  if (hit.trackedPageUrl === undefined) hit.trackedPageUrl = parseTrackedUrl(hit.params.raw('url'));
  return hit.trackedPageUrl;
}

/** Returns the hit's `url` parameter parsed, or null when it is absent, not a URL or rejected by the URL parser. */
export function readPageUrl(hit: Hit): URL | null {
  return readTrackedPageUrl(hit)?.url ?? null;
}

/** Returns the `urlref` parameter cleaned as `readReferrerText` does and parsed, or null when it is missing or not a URL. */
export function parseTrackedReferrer(params: TrackingParams): TrackedUrl | null {
  return withParse(readReferrerText(params));
}

/** Returns a cleaned URL text with its parse, or null when there is no text. */
function withParse(cleaned: string | undefined): TrackedUrl | null {
  return cleaned === undefined ? null : { text: cleaned, url: parseOrNull(cleaned) };
}

/** Returns the hit's `urlref` parameter, cleaned and parsed once per hit, or null when it is absent or not a URL. */
export function readTrackedReferrerUrl(hit: Hit): TrackedUrl | null {
  if (hit.trackedReferrerUrl === undefined) hit.trackedReferrerUrl = parseTrackedReferrer(hit.params);
  return hit.trackedReferrerUrl;
}

/** Returns the hit's `urlref` parameter parsed, or null when it is absent, not a URL or rejected by the URL parser. */
export function readReferrerUrl(hit: Hit): URL | null {
  return readTrackedReferrerUrl(hit)?.url ?? null;
}

/**
 * Removes excluded query parameters (compared case-insensitively) and, unless kept, the
 * fragment. A value that is not an absolute URL is returned trimmed but otherwise unchanged.
 * `parsed` is `raw` already parsed, or null when it is not a URL. This function does not change it.
 */
export function cleanPageUrl(raw: string, excluded: ReadonlySet<string>, keepFragment: boolean, parsed?: URL | null): string {
  const trimmed = raw.trim();
  // The URL parser strips only C0 controls and spaces, and trim() strips more, so a parse of
  // the untrimmed text is reused only when trimming changes nothing.
  const url = parsed !== undefined && trimmed === raw ? parsed : parseOrNull(trimmed);
  if (url === null) return trimmed;

  let hasExcluded = false;
  for (const name of url.searchParams.keys()) {
    if (excluded.has(name.toLowerCase())) {
      hasExcluded = true;
      break;
    }
  }
  const dropsFragment = !keepFragment && url.href.includes('#');
  if (!hasExcluded && !dropsFragment) return url.href;

  const cleaned = url === parsed ? new URL(url.href) : url;
  if (hasExcluded) {
    for (const name of [...cleaned.searchParams.keys()]) {
      if (excluded.has(name.toLowerCase())) cleaned.searchParams.delete(name);
    }
  }
  if (!keepFragment) cleaned.hash = '';
  return cleaned.href;
}

/** Host sets by URL list: the site cache hands every hit of a site the same list, so each hit reuses the set. */
const siteHostsByUrls = new WeakMap<readonly string[], ReadonlySet<string>>();

/**
 * Returns the host names of a site's URLs, lower-cased, with and without `www.`. The set is
 * shared between calls with the same list, so callers must not change the list afterwards.
 */
export function siteHosts(urls: readonly string[]): ReadonlySet<string> {
  let hosts = siteHostsByUrls.get(urls);
  if (!hosts) {
    hosts = collectSiteHosts(urls);
    siteHostsByUrls.set(urls, hosts);
  }
  return hosts;
}

function collectSiteHosts(urls: readonly string[]): Set<string> {
  const hosts = new Set<string>();
  for (const text of urls) {
    try {
      const host = new URL(text).hostname.toLowerCase();
      hosts.add(host);
      hosts.add(host.replace(/^www\./, ''));
    } catch {
      // Site URLs are checked when saved; an app id such as com.example.app has no host.
    }
  }
  return hosts;
}
