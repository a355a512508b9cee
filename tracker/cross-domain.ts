/** The visitor id passed in links between a site's domains (cross-domain linking). */
import { isVisitorId } from './cookie-names.js';
import { removeQueryParameters } from './url-matching.js';

/** URL parameter that carries the visitor id to the site's other domain. */
export const CROSS_DOMAIN_PARAMETER = 'pk_vid';

/** Seconds a cross-domain link stays valid, so a shared or bookmarked link does not merge other people into one visitor. */
export const CROSS_DOMAIN_TIMEOUT_SECONDS = 180;

// NOTE: the value is `<visitor id>.<unix seconds>`, read only by this tracker; it is not known to match the pk_vid format of Matomo's own tracker.

/** Returns `url` with `pk_vid=<visitorId>.<seconds>`, replacing an older value. */
export function appendCrossDomainParameter(url: string, visitorId: string, nowMs: number): string {
  const cleaned = removeQueryParameters(url, [CROSS_DOMAIN_PARAMETER]);
  const hashIndex = cleaned.indexOf('#');
  const beforeFragment = hashIndex < 0 ? cleaned : cleaned.slice(0, hashIndex);
  const fragment = hashIndex < 0 ? '' : cleaned.slice(hashIndex);
  const separator = beforeFragment.includes('?') ? '&' : '?';
  return `${beforeFragment}${separator}${CROSS_DOMAIN_PARAMETER}=${visitorId}.${Math.floor(nowMs / 1000)}${fragment}`;
}

/** Returns the visitor id of a `pk_vid` value made at most 180 seconds before `nowMs`; '' otherwise. */
export function parseCrossDomainVisitor(value: string, nowMs: number): string {
  const [visitorId, seconds] = value.split('.');
  if (visitorId === undefined || !isVisitorId(visitorId) || !/^[0-9]+$/.test(seconds ?? '')) return '';
  const age = nowMs / 1000 - Number(seconds);
  return age >= -CROSS_DOMAIN_TIMEOUT_SECONDS && age <= CROSS_DOMAIN_TIMEOUT_SECONDS ? visitorId : '';
}
