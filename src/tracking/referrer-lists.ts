/**
 * Compact built-in lists of major search engines and social networks, by host name. A host
 * matches an entry when it equals the entry's domain or ends with `.domain`.
 */

/** A search engine: its display name and the URL parameters that carry the keyword, in order. */
export interface SearchEngine {
  name: string;
  keywordParameters: readonly string[];
}

/** Search engines by registrable domain; `google.` entries match every country domain. */
export const SEARCH_ENGINES: Readonly<Record<string, SearchEngine>> = {
  'google.': { name: 'Google', keywordParameters: ['q'] },
  'bing.com': { name: 'Bing', keywordParameters: ['q'] },
  'search.yahoo.com': { name: 'Yahoo!', keywordParameters: ['p', 'q'] },
  'duckduckgo.com': { name: 'DuckDuckGo', keywordParameters: ['q'] },
  'yandex.': { name: 'Yandex', keywordParameters: ['text'] },
  'baidu.com': { name: 'Baidu', keywordParameters: ['wd', 'word', 'kw'] },
  'ecosia.org': { name: 'Ecosia', keywordParameters: ['q'] },
  'qwant.com': { name: 'Qwant', keywordParameters: ['q'] },
  'startpage.com': { name: 'StartPage', keywordParameters: ['query', 'q'] },
  'search.brave.com': { name: 'Brave', keywordParameters: ['q'] },
  'naver.com': { name: 'Naver', keywordParameters: ['query'] },
  'seznam.cz': { name: 'Seznam', keywordParameters: ['q'] },
};

/** Social networks by domain. */
export const SOCIAL_NETWORKS: Readonly<Record<string, string>> = {
  'facebook.com': 'Facebook',
  'fb.me': 'Facebook',
  'instagram.com': 'Instagram',
  'twitter.com': 'Twitter',
  'x.com': 'Twitter',
  't.co': 'Twitter',
  'linkedin.com': 'LinkedIn',
  'lnkd.in': 'LinkedIn',
  'reddit.com': 'reddit',
  'youtube.com': 'YouTube',
  'youtu.be': 'YouTube',
  'pinterest.com': 'Pinterest',
  'tiktok.com': 'TikTok',
  'mastodon.social': 'Mastodon',
  'bsky.app': 'Bluesky',
  'vk.com': 'VKontakte',
  'news.ycombinator.com': 'Hacker News',
  'xing.com': 'XING',
  'whatsapp.com': 'WhatsApp',
  'telegram.org': 'Telegram',
};

function matchesDomain(host: string, domain: string): boolean {
  if (domain.endsWith('.')) {
    // 'google.' matches google.com, google.co.uk and www.google.fr.
    const label = domain.slice(0, -1);
    return host.startsWith(`${label}.`) || host.includes(`.${label}.`);
  }
  return host === domain || host.endsWith(`.${domain}`);
}

/** Returns the search engine of a host, or undefined. */
export function findSearchEngine(host: string): SearchEngine | undefined {
  for (const [domain, engine] of Object.entries(SEARCH_ENGINES)) if (matchesDomain(host, domain)) return engine;
  return undefined;
}

/** Returns the social network name of a host, or undefined. */
export function findSocialNetwork(host: string): string | undefined {
  for (const [domain, name] of Object.entries(SOCIAL_NETWORKS)) if (matchesDomain(host, domain)) return name;
  return undefined;
}
