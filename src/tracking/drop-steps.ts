/** The drop steps: each returns the hit, or a drop with the reason it is not recorded. */
import type { SegmentExpression } from '../segments/segment-parser.js';
import type { DropReason, Hit, StepResult } from './hit.js';
import { ipMatchesRule } from './ip-address.js';
import { siteHosts } from './page-url.js';
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

/** Drops a hit without `rec=1`, as Matomo silently ignores such requests. */
export function dropWithoutRec(hit: Hit): StepResult<Hit> {
  return hit.params.flag('rec') ? hit : drop(hit, 'no_rec');
}

/** Drops a hit from an address in the site's excluded IPs. */
export function dropExcludedIp(hit: Hit): StepResult<Hit> {
  const rules = splitList(hit.site.excluded_ips);
  return rules.some((rule) => ipMatchesRule(hit.ip, rule)) ? drop(hit, 'excluded_ip') : hit;
}

/** Drops a hit whose user agent contains one of the site's excluded user agents (case-insensitive). */
export function dropExcludedUserAgent(hit: Hit): StepResult<Hit> {
  const userAgent = hit.userAgent.toLowerCase();
  const rules = splitList(hit.site.excluded_user_agents).map((rule) => rule.toLowerCase());
  return rules.some((rule) => userAgent.includes(rule)) ? drop(hit, 'excluded_user_agent') : hit;
}

/** Drops a hit whose referrer is one of the site's excluded referrers (the host or a sub-domain of it). */
export function dropExcludedReferrer(hit: Hit): StepResult<Hit> {
  const referrer = hit.params.get('urlref');
  const referrerHost = hostOf(referrer);
  if (!referrer || !referrerHost) return hit;
  for (const rule of splitList(hit.site.excluded_referrers)) {
    const ruleHost = hostOf(rule.includes('://') ? rule : `http://${rule}`);
    if (ruleHost && (referrerHost === ruleHost || referrerHost.endsWith(`.${ruleHost}`))) return drop(hit, 'excluded_referrer');
  }
  return hit;
}

/** Drops a hit whose page URL is not on one of the site's URLs, when the site excludes unknown URLs. */
export function dropUnknownUrl(hit: Hit): StepResult<Hit> {
  if (Number(hit.site.exclude_unknown_urls) !== 1) return hit;
  const host = hostOf(hit.params.get('url'));
  if (host === null) return drop(hit, 'unknown_url');
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
