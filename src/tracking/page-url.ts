/** Cleaning of page URLs before they are stored, and the URL prefix ids of `log_action`. */

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

/**
 * Removes excluded query parameters (compared case-insensitively) and, unless kept, the
 * fragment. A value that is not an absolute URL is returned trimmed but otherwise unchanged.
 */
export function cleanPageUrl(raw: string, excluded: ReadonlySet<string>, keepFragment: boolean): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return raw.trim();
  }
  for (const name of [...url.searchParams.keys()]) {
    if (excluded.has(name.toLowerCase())) url.searchParams.delete(name);
  }
  if (!keepFragment) url.hash = '';
  return url.href;
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
