/** The drop steps: each returns the hit, or a drop with the reason it is not recorded. */
import type { SegmentExpression } from '../segments/segment-parser.js';
import type { SiteRecord } from '../sites/site-store.js';
import type { DropReason, Hit, StepResult } from './hit.js';
import { ipMatchesRule } from './ip-address.js';
import { readPageUrl, readReferrerUrl, siteHosts } from './page-url.js';
import { matchesRequestExclusion } from './request-exclusion.js';

function drop(hit: Hit, reason: DropReason): StepResult<Hit> {
  return { dropped: reason, siteId: hit.siteId, time: hit.time, timezone: hit.site.timezone };
}

function splitList(text: string): string[] {
  return text.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

function hostOf(text: string | undefined): string | null {
  if (!text) return null;
  try {
    return new URL(text).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** A site's exclusion lists split once, with the texts they were built from. */
interface SiteExclusions {
  ipText: string;
  ipRules: string[];
  userAgentText: string;
  /** Lower-cased. */
  userAgentRules: string[];
  referrerText: string;
  /** Host names of the excluded referrers. A rule without a host never matches, so it is left out. */
  referrerHosts: string[];
}

/**
 * Exclusion lists by site record. The site cache hands every hit of a site the same record,
 * so each list is split once per record and again only when its text changes.
 */
const siteExclusions = new WeakMap<SiteRecord, SiteExclusions>();

function exclusionsOf(site: SiteRecord): SiteExclusions {
  let exclusions = siteExclusions.get(site);
  if (exclusions === undefined) {
    exclusions = { ipText: '', ipRules: [], userAgentText: '', userAgentRules: [], referrerText: '', referrerHosts: [] };
    siteExclusions.set(site, exclusions);
  }
  if (exclusions.ipText !== site.excluded_ips) {
    exclusions.ipRules = splitList(site.excluded_ips);
    exclusions.ipText = site.excluded_ips;
  }
  if (exclusions.userAgentText !== site.excluded_user_agents) {
    exclusions.userAgentRules = splitList(site.excluded_user_agents).map((rule) => rule.toLowerCase());
    exclusions.userAgentText = site.excluded_user_agents;
  }
  if (exclusions.referrerText !== site.excluded_referrers) {
    const hosts: string[] = [];
    for (const rule of splitList(site.excluded_referrers)) {
      const ruleHost = hostOf(rule.includes('://') ? rule : `http://${rule}`);
      if (ruleHost) hosts.push(ruleHost);
    }
    exclusions.referrerHosts = hosts;
    exclusions.referrerText = site.excluded_referrers;
  }
  return exclusions;
}

/** Drops a hit without `rec=1`, as Matomo silently ignores such requests. */
export function dropWithoutRec(hit: Hit): StepResult<Hit> {
  return hit.params.flag('rec') ? hit : drop(hit, 'no_rec');
}

/** Drops a hit from an address in the site's excluded IPs. */
export function dropExcludedIp(hit: Hit): StepResult<Hit> {
  for (const rule of exclusionsOf(hit.site).ipRules) {
    if (ipMatchesRule(hit.ip, rule)) return drop(hit, 'excluded_ip');
  }
  return hit;
}

/** Drops a hit whose user agent contains one of the site's excluded user agents (case-insensitive). */
export function dropExcludedUserAgent(hit: Hit): StepResult<Hit> {
  const rules = exclusionsOf(hit.site).userAgentRules;
  if (rules.length === 0) return hit;
  const userAgent = hit.userAgent.toLowerCase();
  return rules.some((rule) => userAgent.includes(rule)) ? drop(hit, 'excluded_user_agent') : hit;
}

/** Drops a hit whose referrer is one of the site's excluded referrers (the host or a sub-domain of it). */
export function dropExcludedReferrer(hit: Hit): StepResult<Hit> {
  const ruleHosts = exclusionsOf(hit.site).referrerHosts;
  if (ruleHosts.length === 0) return hit;
  const referrer = readReferrerUrl(hit);
  if (referrer === null) return hit;
  const referrerHost = referrer.hostname.toLowerCase();
  if (!referrerHost) return hit;
  for (const ruleHost of ruleHosts) {
    if (referrerHost === ruleHost || referrerHost.endsWith(`.${ruleHost}`)) return drop(hit, 'excluded_referrer');
  }
  return hit;
}

/** Drops a hit whose page URL is not on one of the site's URLs, when the site excludes unknown URLs. */
export function dropUnknownUrl(hit: Hit): StepResult<Hit> {
  if (Number(hit.site.exclude_unknown_urls) !== 1) return hit;
  const pageUrl = readPageUrl(hit);
  const host = pageUrl === null ? null : pageUrl.hostname.toLowerCase();
  if (!host) return drop(hit, 'unknown_url');
  const hosts = siteHosts(hit.site.urls);
  return hosts.has(host) || hosts.has(host.replace(/^www\./, '')) ? hit : drop(hit, 'unknown_url');
}

/** Drops a bot's hit unless it sends `bots=1`. Needs the device step before it. */
export function dropBot(hit: Hit): StepResult<Hit> {
  return hit.device?.isBot && !hit.params.flag('bots') ? drop(hit, 'bot') : hit;
}

/** Drops a hit of a browser that sends `DNT: 1`, when the tenant honours Do Not Track. */
export function dropDoNotTrack(hit: Hit, honorDoNotTrack: boolean, doNotTrackHeader: boolean): StepResult<Hit> {
  return honorDoNotTrack && doNotTrackHeader ? drop(hit, 'do_not_track') : hit;
}

/** Drops a hit whose raw parameters match the `[Tracker] exclude_requests` rules, unless `rules` is null. */
export function dropExcludedRequest(hit: Hit, rules: SegmentExpression | null): StepResult<Hit> {
  return rules !== null && matchesRequestExclusion(rules, hit.params) ? drop(hit, 'excluded_request') : hit;
}
