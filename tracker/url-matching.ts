/** Pure URL helpers of the tracker: host names, site domains and download extensions. */

/** File extensions whose links count as downloads unless a tracker sets its own list. */
export const DEFAULT_DOWNLOAD_EXTENSIONS: readonly string[] = (
  '7z|aac|apk|arc|arj|asf|asx|avi|azw3|bin|bz|bz2|csv|deb|dmg|doc|docx|epub|exe|flv|gif|gz|gzip|hqx|ibooks|jar|jpeg|jpg|js|'
  + 'mobi|mov|movie|mp2|mp3|mp4|mpeg|mpg|msi|msp|odb|odf|odg|ods|odt|ogg|ogv|pdf|phps|png|ppt|pptx|qt|qtm|ra|ram|rar|rpm|rtf|'
  + 'sea|sit|tar|tbz|tbz2|tgz|torrent|txt|wav|wma|wmv|wpd|xls|xlsx|xml|z|zip'
).split('|');

/** Returns the lower-cased host name of an absolute URL, without port or credentials; '' when there is none. */
export function getHostName(url: string): string {
  const match = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(url);
  return match ? match[1]!.toLowerCase() : '';
}

/** Returns the path of an absolute URL ('/' when it has none), without query or fragment. */
export function getPathName(url: string): string {
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(\/[^?#]*)?/i.exec(url);
  return match?.[1] ?? '/';
}

/**
 * Returns whether a host and path belong to the site, given its domains. A domain may be
 * `example.com` (that host and its `www.` form), `*.example.com` (the host and every
 * subdomain) or either form followed by a path, which then must prefix the URL's path.
 */
export function isSiteUrl(host: string, path: string, domains: readonly string[]): boolean {
  const bareHost = stripWww(host.toLowerCase());
  for (const domain of domains) {
    const slash = domain.indexOf('/');
    const domainHost = stripWww((slash < 0 ? domain : domain.slice(0, slash)).toLowerCase());
    const domainPath = slash < 0 ? '' : domain.slice(slash);
    if (!hostMatches(bareHost, domainHost)) continue;
    if (domainPath === '' || domainPath === '/' || isPathPrefix(path, domainPath)) return true;
  }
  return false;
}

function stripWww(host: string): string {
  return host.startsWith('www.') ? host.slice(4) : host;
}

function hostMatches(host: string, domainHost: string): boolean {
  if (domainHost.startsWith('*.')) {
    const parent = domainHost.slice(2);
    return host === parent || host.endsWith(`.${parent}`);
  }
  return host === domainHost;
}

function isPathPrefix(path: string, prefix: string): boolean {
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  return path === trimmed || path.startsWith(`${trimmed}/`) || (prefix.endsWith('/') && path.startsWith(prefix));
}

/** Returns whether a URL's path ends with one of the extensions, also when a query follows. */
export function hasDownloadExtension(url: string, extensions: readonly string[]): boolean {
  const path = getPathName(url).toLowerCase();
  const dot = path.lastIndexOf('.');
  if (dot < 0 || dot < path.lastIndexOf('/')) return false;
  return extensions.includes(path.slice(dot + 1));
}

/** The kind of request a link click produces, or null when the click is not tracked. */
export type LinkType = 'link' | 'download' | null;

/** Facts of one clicked link that decide its type. */
export interface LinkFacts {
  href: string;
  classNames: readonly string[];
  hasDownloadAttribute: boolean;
}

/**
 * Classifies a clicked link as Matomo's link tracking does: an ignore class wins, then the
 * download and link classes, then the `download` attribute, then the file extension, and
 * last a host outside the site's domains makes an outlink.
 */
export function classifyLink(facts: LinkFacts, domains: readonly string[], extensions: readonly string[]): LinkType {
  const classes = facts.classNames;
  if (classes.includes('matomo_ignore') || classes.includes('piwik_ignore')) return null;
  if (!/^(https?|ftp):\/\//i.test(facts.href)) return null;
  if (classes.includes('matomo_download') || classes.includes('piwik_download')) return 'download';
  if (classes.includes('matomo_link') || classes.includes('piwik_link')) return 'link';
  if (facts.hasDownloadAttribute || hasDownloadExtension(facts.href, extensions)) return 'download';
  return isSiteUrl(getHostName(facts.href), getPathName(facts.href), domains) ? null : 'link';
}

/** Removes the named query parameters from a URL, keeping the others in order. */
export function removeQueryParameters(url: string, names: readonly string[]): string {
  if (names.length === 0) return url;
  const hashIndex = url.indexOf('#');
  const fragment = hashIndex < 0 ? '' : url.slice(hashIndex);
  const beforeFragment = hashIndex < 0 ? url : url.slice(0, hashIndex);
  const queryIndex = beforeFragment.indexOf('?');
  if (queryIndex < 0) return url;
  const kept = beforeFragment.slice(queryIndex + 1).split('&')
    .filter((pair) => pair !== '' && !names.includes(decodeQueryComponent(pair.split('=')[0]!)));
  return beforeFragment.slice(0, queryIndex) + (kept.length > 0 ? `?${kept.join('&')}` : '') + fragment;
}

/** Returns the first value of a query parameter among `names`, in the order of `names`; '' when none is set. */
export function findQueryParameter(url: string, names: readonly string[]): string {
  const queryIndex = url.indexOf('?');
  if (queryIndex < 0) return '';
  const query = url.slice(queryIndex + 1).split('#')[0]!;
  const values = new Map<string, string>();
  for (const pair of query.split('&')) {
    const equals = pair.indexOf('=');
    const name = decodeQueryComponent(equals < 0 ? pair : pair.slice(0, equals)).toLowerCase();
    if (!values.has(name)) values.set(name, decodeQueryComponent(equals < 0 ? '' : pair.slice(equals + 1)));
  }
  for (const name of names) {
    const value = values.get(name.toLowerCase());
    if (value) return value;
  }
  return '';
}

function decodeQueryComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
