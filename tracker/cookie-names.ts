/** Names and values of the tracker's first-party cookies, as Matomo's tracker names them. */
import { sha1Hex } from './sha1.js';

/** Prefix of every tracker cookie. */
export const COOKIE_NAME_PREFIX = '_pk_';

/**
 * Returns the 4-hex-digit suffix that keeps cookies of different cookie domains or paths
 * apart: the first 4 digits of sha1(domain + path), where the domain defaults to the page's
 * host name and the path to '/'.
 */
export function computeCookieHash(cookieDomain: string, cookiePath: string): string {
  return sha1Hex(cookieDomain + (cookiePath || '/')).slice(0, 4);
}

/** Returns a cookie's full name, such as `_pk_id.1.1fff`. */
export function buildCookieName(kind: 'id' | 'ses' | 'ref', siteId: string, hash: string): string {
  return `${COOKIE_NAME_PREFIX}${kind}.${siteId}.${hash}`;
}

/** A visitor id: 16 lower-case hex digits. */
const VISITOR_ID_PATTERN = /^[0-9a-f]{16}$/;

/** Returns whether a value is a visitor id of 16 lower-case hex digits. */
export function isVisitorId(value: string): boolean {
  return VISITOR_ID_PATTERN.test(value);
}

/** Builds a visitor id from 8 random bytes, as 16 lower-case hex digits. */
export function buildVisitorId(randomBytes: ArrayLike<number>): string {
  let id = '';
  for (let i = 0; i < 8; i++) id += ((randomBytes[i] ?? 0) & 255).toString(16).padStart(2, '0');
  return id;
}

/** The contents of the `_pk_id` cookie. */
export interface VisitorCookie {
  visitorId: string;
  /** Seconds since the epoch when the cookie was first set. */
  createdTs: number;
}

/** Parses a `_pk_id` cookie value (`<visitorId>.<createdTs>`, older trackers append more fields); null when malformed. */
export function parseVisitorCookie(value: string): VisitorCookie | null {
  const [visitorId, createdTs] = value.split('.');
  if (visitorId === undefined || !isVisitorId(visitorId)) return null;
  const created = Number(createdTs);
  return { visitorId, createdTs: Number.isFinite(created) && created > 0 ? Math.floor(created) : 0 };
}

/** Formats a `_pk_id` cookie value. */
export function formatVisitorCookie(cookie: VisitorCookie): string {
  return `${cookie.visitorId}.${cookie.createdTs}`;
}

/** The attribution kept in the `_pk_ref` cookie: campaign name and keyword, time and referrer URL. */
export interface ReferralCookie {
  campaignName: string;
  campaignKeyword: string;
  /** Seconds since the epoch of the referral. */
  ts: number;
  url: string;
}

/** Parses a `_pk_ref` cookie, a JSON array `[name, keyword, ts, url]`; null when malformed. */
export function parseReferralCookie(value: string): ReferralCookie | null {
  try {
    const parsed: unknown = JSON.parse(value);
    if (!Array.isArray(parsed) || parsed.length < 4) return null;
    const [campaignName, campaignKeyword, ts, url] = parsed as unknown[];
    return { campaignName: String(campaignName ?? ''), campaignKeyword: String(campaignKeyword ?? ''), ts: Number(ts) || 0, url: String(url ?? '') };
  } catch {
    return null;
  }
}

/** Formats a `_pk_ref` cookie value. */
export function formatReferralCookie(cookie: ReferralCookie): string {
  return JSON.stringify([cookie.campaignName, cookie.campaignKeyword, cookie.ts, cookie.url]);
}
