/** The enrich steps: each fills in one part of a hit (device, location, referrer, visitor ids...). */
import * as crypto from 'node:crypto';
import { FootfallError, quote } from '../errors.js';
import type { DeviceDetection } from './device-detection.js';
import type { Geolocator } from './geo/geolocator.js';
import type { Hit, LocationInfo } from './hit.js';
import { maskIpAddress } from './ip-address.js';
import { readPageUrl, readTrackedReferrerUrl, siteHosts } from './page-url.js';
import { detectReferrer, type ReferrerDetectionConfig } from './referrer-detection.js';
import { siteDayOf } from './site-time.js';
import { isNonEmptyUserId } from './user-id.js';

/** Longest stored Accept-Language, as Matomo's `location_browser_lang` column keeps it. */
const MAX_BROWSER_LANGUAGE_LENGTH = 20;
/** Browser feature flags that feed the fingerprint, in Matomo's order ('0' stands for the retired dir and gears flags). */
const FINGERPRINT_FLAGS = ['fla', 'java', null, 'qt', 'realp', 'pdf', 'wma', null, 'ag', 'cookie'] as const;

/**
 * Returns the hex digest of a text. The one-shot `crypto.hash` (Node 20.12 and later) creates
 * no Hash object per hit. Older Node 20 releases fall back to `createHash`.
 */
const hashHex: (algorithm: string, text: string) => string = typeof crypto.hash === 'function'
  ? (algorithm, text) => crypto.hash(algorithm, text, 'hex')
  : (algorithm, text) => crypto.createHash(algorithm).update(text).digest('hex');

/** Fills in the device, OS and browser from the user agent and `uadata` client hints. */
export function enrichDevice(hit: Hit, detection: DeviceDetection): Hit {
  hit.device = detection.detect(hit.userAgent, hit.params.get('uadata'));
  return hit;
}

/**
 * Fills in the location of `lookupIp` (the hit's address by default) from the geolocation
 * database, then applies the `country`, `region`, `city`, `lat` and `long` overrides, which
 * the parse step allowed only for authenticated hits.
 *
 * @throws FootfallError TRACKING_PARAMETER_INVALID for a malformed override.
 */
export function enrichLocation(hit: Hit, geolocator: Geolocator, lookupIp: string = hit.ip): Hit {
  const found = geolocator.lookup(lookupIp);
  const country = hit.params.get('country')?.toLowerCase();
  if (country !== undefined && !/^[a-z]{2}$/.test(country)) {
    throw new FootfallError('TRACKING_PARAMETER_INVALID', `Invalid value ${quote(country)} for 'country'. Expected a 2-letter ISO 3166 code.`);
  }
  const location: LocationInfo = {
    country: country ?? found.country,
    region: hit.params.get('region')?.slice(0, 3) ?? found.region,
    city: hit.params.get('city')?.slice(0, 255) ?? found.city,
    latitude: parseCoordinate(hit.params.get('lat'), 'lat', 90) ?? found.latitude,
    longitude: parseCoordinate(hit.params.get('long'), 'long', 180) ?? found.longitude,
  };
  hit.location = location;
  return hit;
}

function parseCoordinate(text: string | undefined, name: string, limit: number): number | null {
  if (text === undefined) return null;
  const value = Number(text);
  if (!Number.isFinite(value) || Math.abs(value) > limit) {
    throw new FootfallError('TRACKING_PARAMETER_INVALID', `Invalid value ${quote(text)} for '${name}'. Expected a number from -${limit} to ${limit}.`);
  }
  return value;
}

/** Fills in the browser language from `lang` or the Accept-Language header, lower-cased and cut as Matomo stores it. */
export function enrichLanguage(hit: Hit): Hit {
  hit.browserLanguage = hit.acceptLanguage.toLowerCase().slice(0, MAX_BROWSER_LANGUAGE_LENGTH);
  return hit;
}

/** Fills in the referrer type, name, keyword and campaign. */
export function enrichReferrer(hit: Hit, config: ReferrerDetectionConfig): Hit {
  hit.referrer = detectReferrer(readPageUrl(hit), hit.params, siteHosts(hit.site.urls), config, readTrackedReferrerUrl(hit));
  return hit;
}

/** Masks the IP address by `ip_address_mask_length` bytes; only the masked address is ever stored. */
export function enrichMaskedIp(hit: Hit, maskBytes: number): Hit {
  hit.maskedIp = maskIpAddress(hit.ip, maskBytes);
  return hit;
}

/**
 * Fills in the visitor id the hit requests and the config id (fingerprint).
 *
 * The visitor id is, in Matomo's order: the first 16 hex characters of sha1(`uid`) when
 * `enable_userid_overwrites_visitorid` is on and `uid` is not "0", then `cid`, then the
 * first 16 characters of `_id` when they are hexadecimal. The parse step has rejected a
 * `cid` of another form.
 * The config id is the first 16 hex characters of an MD5 over the OS, browser, feature
 * flags, IP, language and the tenant's salt, plus the site id and a daily salt so that
 * fingerprints rotate at midnight in the site's time zone.
 */
export function enrichVisitorIds(hit: Hit, options: { salt: string; userIdOverwritesVisitorId: boolean }): Hit {
  hit.requestedVisitorId = parseRequestedVisitorId(hit, options.userIdOverwritesVisitorId);
  const device = hit.device!;
  let flags = '';
  for (const name of FINGERPRINT_FLAGS) flags += name !== null && hit.params.flag(name) ? '1' : '0';
  const day = siteDayOf(hit.time.getTime(), hit.site.timezone);
  const dailySalt = computeDailySalt(options.salt, hit.siteId, day);
  hit.configId = hashHex('md5', `${device.os}${device.browserName}${device.browserVersion ?? ''}${flags}${hit.ip}${hit.browserLanguage ?? ''}${options.salt}${dailySalt}${hit.siteId}`).slice(0, 16);
  return hit;
}

/** Daily salts by `salt`, then `siteId:day`. Hits of one site and day share one, so each is computed once. */
const dailySalts = new Map<string, Map<string, string>>();
/** Maximum days kept per tenant salt, and maximum salts kept, because an import over years of logs would otherwise keep one per site and day. */
const MAX_DAILY_SALTS_PER_SALT = 1000;

function computeDailySalt(salt: string, siteId: number, day: string): string {
  let bySiteDay = dailySalts.get(salt);
  if (!bySiteDay) {
    if (dailySalts.size >= MAX_DAILY_SALTS_PER_SALT) dailySalts.clear();
    bySiteDay = new Map();
    dailySalts.set(salt, bySiteDay);
  }
  const key = `${siteId}:${day}`;
  let dailySalt = bySiteDay.get(key);
  if (dailySalt === undefined) {
    if (bySiteDay.size >= MAX_DAILY_SALTS_PER_SALT) bySiteDay.clear();
    dailySalt = crypto.createHmac('sha256', salt).update(key).digest('hex');
    bySiteDay.set(key, dailySalt);
  }
  return dailySalt;
}

function parseRequestedVisitorId(hit: Hit, userIdOverwritesVisitorId: boolean): string | null {
  const userId = hit.params.get('uid');
  // The whole uid is hashed, not the 200 characters stored, as in Matomo 5.
  if (userIdOverwritesVisitorId && isNonEmptyUserId(userId)) return hashHex('sha1', userId).slice(0, 16);
  const cid = hit.params.get('cid');
  if (cid !== undefined) return cid.toLowerCase();
  const id = hit.params.get('_id');
  // As in Matomo 5, an `_id` shorter than 16 characters, or whose first 16 are not hexadecimal, is ignored.
  return id !== undefined && /^[0-9a-f]{16}/i.test(id) ? id.slice(0, 16).toLowerCase() : null;
}
