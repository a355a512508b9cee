/** The parse step: untrusted tracking parameters become a typed, authenticated hit. */
import { isIP } from 'node:net';
import type { Kysely } from 'kysely';
import { computeLogDeletionHorizon, computeSiteLogDeletionHorizon, readLogDeletionDays } from '../archiving/log-deletion-config.js';
import { parseSiteTimezone } from '../archiving/site-timezone.js';
import type { Settings } from '../config/settings.js';
import type { Database } from '../db/schema.js';
import { FootfallError, quote } from '../errors.js';
import { siteNotFound } from '../sites/site-store.js';
import { formatUtcDateTime } from '../time.js';
import type { Hit } from './hit.js';
import type { SiteCache, TrackedSite } from './site-cache.js';
import { canTrackWithOverrides, type TrackingAuth, type TrackingTokenOwner } from './tracking-auth.js';
import type { TrackingParams } from './tracking-params.js';

/** Seconds a `cdt` may lie in the future before it is ignored, for clocks that drift a little. */
const CDT_FUTURE_TOLERANCE_SECONDS = 10;
/** A `cdt` older than this is ignored, as Matomo ignores timestamps more than 20 years old. */
const CDT_MAX_AGE_SECONDS = 20 * 365 * 86_400;

/**
 * Highest `idsite` that is looked up. A larger one is reported as not found without a query,
 * so the lookup stays within the 32-bit INT of the `idsite` columns.
 */
const MAX_SITE_ID = 999_999_999;

/** Parameters that only a token with write access on the site (or a superuser) may send. */
const AUTHENTICATED_PARAMETERS = ['cip', 'country', 'region', 'city', 'lat', 'long'] as const;

/** The `[Tracker]` settings the parse step reads. */
interface ParseSettings {
  /** `tracking_requests_require_authentication` */
  requireAuthentication: boolean;
  /** `tracking_requests_require_authentication_when_custom_timestamp_newer_than` */
  customTimestampAgeLimitSeconds: number;
  /** `[Deletelogs] delete_logs_older_than` when `delete_logs_enable` is on, else null. */
  logDeletionDays: number | null;
}

/** Parse settings by settings object. A tenant or site keeps its object until its config changes. */
const parseSettingsCache = new WeakMap<Settings, ParseSettings>();

function readParseSettings(settings: Settings): ParseSettings {
  let parseSettings = parseSettingsCache.get(settings);
  if (parseSettings === undefined) {
    parseSettings = {
      requireAuthentication: settings.bool('Tracker', 'tracking_requests_require_authentication'),
      customTimestampAgeLimitSeconds: settings.int('Tracker', 'tracking_requests_require_authentication_when_custom_timestamp_newer_than'),
      logDeletionDays: readLogDeletionDays(settings),
    };
    parseSettingsCache.set(settings, parseSettings);
  }
  return parseSettings;
}

/** Facts about a hit from its HTTP request, besides its parameters. */
export interface HitRequestContext {
  ip: string;
  userAgent: string;
  acceptLanguage: string;
  now: Date;
  /** A token that applies to the hit when the hit has none of its own (the bulk request's token). */
  bulkToken?: string;
  /** Whether the hit must carry a token with write access (`bulk_requests_require_authentication`). */
  requireToken?: boolean;
  /**
   * The user the hit comes from when the caller has authenticated it already, as the log
   * importer does for a superuser of the tenant. The hit's own `token_auth` is then not read.
   */
  trustedOwner?: TrackingTokenOwner;
}

/** The tenant's database, settings and caches that the parse step reads. */
export interface ParseHitDependencies {
  db: Kysely<Database>;
  salt: string;
  settings: Settings;
  sites: SiteCache;
  auth: TrackingAuth;
}

/** A parsed hit with its site and the settings that apply to that site. */
export interface ParsedHit {
  hit: Hit;
  tracked: TrackedSite;
  /** The tenant's settings with the site's `[Tracker_<idSite>]` and `[General_<idSite>]` overrides. */
  siteSettings: Settings;
}

/**
 * Parses `idsite`, authentication, time and client overrides of one hit.
 *
 * @throws FootfallError PARAMETER_MISSING for a missing `idsite`, PARAMETER_INVALID for one
 *   that is not a whole number of 1 or more, and SITE_NOT_FOUND for an unknown one.
 *   TRACKING_PARAMETER_INVALID for a malformed value or a NUL character in any parameter.
 *   TRACKING_AUTH_REQUIRED for an override sent without a token that has write access on the site.
 *   TRACKING_TIME_TOO_OLD for a `cdt` or `cdo` that sets a time before the log deletion horizon.
 */
export async function parseHit(params: TrackingParams, context: HitRequestContext, deps: ParseHitDependencies): Promise<ParsedHit> {
  rejectNulCharacter(params);
  const tracked = await parseSite(params, deps);
  const owner = context.trustedOwner ?? await deps.auth.findOwner(deps.db, deps.salt, params.get('token_auth') ?? context.bulkToken);
  return buildHit(params, context, deps, tracked, owner);
}

/**
 * Parses a hit as `parseHit` does, without waiting, when its site is in the site cache and
 * its owner is known: `context.trustedOwner`, no token, or a token already looked up.
 * Returns undefined when a lookup is needed, so the caller uses `parseHit`.
 *
 * @throws FootfallError as `parseHit` does.
 */
export function parseCachedHit(params: TrackingParams, context: HitRequestContext, deps: ParseHitDependencies): ParsedHit | undefined {
  rejectNulCharacter(params);
  const raw = readSiteId(params);
  const tracked = deps.sites.peek(Number(raw));
  if (tracked === undefined) return undefined;
  if (tracked === null) throw siteNotFound(raw);
  const owner = context.trustedOwner ?? deps.auth.peekOwner(params.get('token_auth') ?? context.bulkToken);
  if (owner === undefined) return undefined;
  return buildHit(params, context, deps, tracked, owner);
}

function buildHit(
  params: TrackingParams, context: HitRequestContext, deps: ParseHitDependencies, tracked: TrackedSite, owner: TrackingTokenOwner | null,
): ParsedHit {
  const siteId = tracked.site.idsite;
  const siteSettings = deps.settings.forSite(siteId);
  const tokenGrantsWrite = canTrackWithOverrides(owner, siteId);
  if (context.requireToken && !tokenGrantsWrite) {
    throw new FootfallError('TRACKING_AUTH_REQUIRED', 'This bulk request needs a token_auth of a user with write access on every site it tracks, because bulk_requests_require_authentication is on.');
  }
  const authenticated = !readParseSettings(siteSettings).requireAuthentication || tokenGrantsWrite;
  if (!authenticated) {
    for (const name of AUTHENTICATED_PARAMETERS) {
      if (params.get(name) !== undefined) throw authRequired(name);
    }
  }

  const time = parseHitTime(params, context.now, authenticated, siteSettings, tracked.site.timezone);
  const clientIp = params.get('cip');
  const ip = clientIp ?? context.ip;
  if (clientIp !== undefined && !isIpAddress(ip)) {
    throw new FootfallError('TRACKING_PARAMETER_INVALID', `Invalid value ${quote(ip)} for 'cip'. Expected an IPv4 or IPv6 address.`);
  }
  rejectMalformedForcedVisitorId(params);
  return {
    tracked,
    siteSettings,
    hit: {
      siteId, site: tracked.site, params, time, ip, authenticated,
      userAgent: readUserAgent(params, context),
      acceptLanguage: params.get('lang') ?? context.acceptLanguage,
    },
  };
}

/** Parameters whose values the parse steps decode as JSON, where `\u0000` in a string becomes U+0000. */
const JSON_PARAMETERS = ['_cvar', 'cvar', 'ec_items', '_pkc', 'uadata'] as const;

/** Returns the user agent of a hit: its `ua` parameter, else the request's header. */
export function readUserAgent(params: TrackingParams, context: HitRequestContext): string {
  return params.get('ua') ?? context.userAgent;
}

/**
 * Rejects a hit with U+0000 in a parameter name or value, or escaped as `\u0000` in a JSON
 * parameter. PostgreSQL cannot store that character in text columns, so every engine rejects
 * it and a hit is stored the same way on all of them.
 *
 * @throws FootfallError TRACKING_PARAMETER_INVALID naming the parameter.
 */
function rejectNulCharacter(params: TrackingParams): void {
  const found = params.findNulCharacter();
  if (found !== undefined) {
    const name = found.name.replaceAll('\u0000', '\\0');
    throw new FootfallError('TRACKING_PARAMETER_INVALID',
      `Invalid value ${quote(found.value.replaceAll('\u0000', '\\0'))} for '${name}', because it contains a NUL character (shown as \\0). Send the text without it.`);
  }
  for (const name of JSON_PARAMETERS) {
    const value = params.raw(name);
    if (value !== undefined && /\\u0000/i.test(value)) {
      throw new FootfallError('TRACKING_PARAMETER_INVALID',
        `Invalid value ${quote(value)} for '${name}', because its JSON contains the NUL character escape \\u0000. Send the text without it.`);
    }
  }
}

/**
 * Returns the `idsite` text of a hit.
 *
 * @throws FootfallError PARAMETER_MISSING when it is missing or empty, PARAMETER_INVALID when
 *   it is not a whole number of 1 or more, SITE_NOT_FOUND when it is above `MAX_SITE_ID`.
 */
function readSiteId(params: TrackingParams): string {
  const raw = params.get('idsite');
  if (raw === undefined) {
    throw new FootfallError('PARAMETER_MISSING', "Missing parameter 'idsite'. Send the id of the site the hit is for, such as idsite=1.");
  }
  if (!/^[0-9]+$/.test(raw) || Number(raw) === 0) {
    throw new FootfallError('PARAMETER_INVALID', `Invalid value ${quote(raw)} for 'idsite'. Expected a site id, a whole number of 1 or more.`);
  }
  if (Number(raw) > MAX_SITE_ID) throw siteNotFound(raw);
  return raw;
}

async function parseSite(params: TrackingParams, deps: ParseHitDependencies): Promise<TrackedSite> {
  const raw = readSiteId(params);
  const tracked = await deps.sites.get(deps.db, Number(raw));
  if (!tracked) throw siteNotFound(raw);
  return tracked;
}

/**
 * Returns the time of a hit: now, or `cdt` (a Unix timestamp in seconds, a UTC time
 * 'YYYY-MM-DD HH:MM:SS', or a date 'YYYY-MM-DD' for its midnight UTC), minus `cdo` seconds.
 * A `cdt` in the future or more than 20 years old is ignored, as in Matomo. One older than
 * `tracking_requests_require_authentication_when_custom_timestamp_newer_than` seconds needs
 * authentication. With `[Deletelogs] delete_logs_enable` on, a time before the deletion horizon
 * of the site, whose time zone is `timezone`, is rejected, because core:archive would delete its rows.
 *
 * @throws FootfallError TRACKING_PARAMETER_INVALID for a malformed `cdt`, TRACKING_AUTH_REQUIRED
 *   for an old `cdt` without authentication, TRACKING_TIME_TOO_OLD for a time before the horizon.
 */
export function parseHitTime(params: TrackingParams, now: Date, authenticated: boolean, settings: Settings, timezone: string): Date {
  const offsetText = params.get('cdo');
  const offsetSeconds = offsetText !== undefined && /^[0-9]{1,9}$/.test(offsetText) ? Number(offsetText) : 0;
  const cdt = params.get('cdt');
  const deletion = readDeletionHorizon(now, settings, timezone);
  if (cdt === undefined) {
    const time = new Date(now.getTime() - offsetSeconds * 1000);
    // delete_logs_older_than is at least 1, so the horizon is at least a whole day before now
    // and only an offset can move the current time before it.
    if (deletion !== null && time < deletion.horizon) throw timeBeforeHorizon('cdo', offsetText!, deletion);
    return time;
  }

  const seconds = parseCustomTimestamp(cdt);
  const nowSeconds = now.getTime() / 1000;
  if (seconds > nowSeconds + CDT_FUTURE_TOLERANCE_SECONDS || seconds < nowSeconds - CDT_MAX_AGE_SECONDS) return now;

  const ageLimit = readParseSettings(settings).customTimestampAgeLimitSeconds;
  if (nowSeconds - seconds > ageLimit && !authenticated) {
    throw new FootfallError('TRACKING_AUTH_REQUIRED', `Custom timestamp ${quote(cdt)} is more than ${ageLimit} seconds old, so it requires a token_auth with write access on the site.`);
  }
  const time = new Date((seconds - offsetSeconds) * 1000);
  if (deletion !== null && time < deletion.horizon) {
    // The message names `cdo` when `cdt` alone is within the horizon and the offset moved the time before it.
    const movedByOffset = seconds * 1000 >= deletion.horizon.getTime();
    throw movedByOffset ? timeBeforeHorizon('cdo', offsetText!, deletion) : timeBeforeHorizon('cdt', cdt, deletion);
  }
  return time;
}

/** The log deletion horizon of a hit, and the `delete_logs_older_than` days it comes from. */
interface DeletionHorizon {
  horizon: Date;
  days: number;
}

/** Site horizons by time zone, `delete_logs_older_than` and tenant horizon, which changes once a day. */
const siteHorizons = new Map<string, Date>();
/** Entries kept in `siteHorizons`. The map starts over when full, because time zone texts come from site records. */
const MAX_CACHED_SITE_HORIZONS = 1000;

/** Returns the log deletion horizon of a site in `timezone` at `now`, or null when deletion is off. */
function readDeletionHorizon(now: Date, settings: Settings, timezone: string): DeletionHorizon | null {
  const days = readParseSettings(settings).logDeletionDays;
  if (days === null) return null;
  const key = `${timezone}|${days}|${computeLogDeletionHorizon(now, days).getTime()}`;
  let horizon = siteHorizons.get(key);
  if (horizon === undefined) {
    horizon = computeSiteLogDeletionHorizon(now, days, parseSiteTimezone(timezone)).start;
    if (siteHorizons.size >= MAX_CACHED_SITE_HORIZONS) siteHorizons.clear();
    siteHorizons.set(key, horizon);
  }
  return { horizon, days };
}

/** Builds the TRACKING_TIME_TOO_OLD error of a hit time before the horizon, naming the parameter that set the time. */
function timeBeforeHorizon(name: 'cdt' | 'cdo', value: string, { horizon, days }: DeletionHorizon): FootfallError {
  return new FootfallError('TRACKING_TIME_TOO_OLD',
    `Invalid value ${quote(value)} for '${name}': the hit is older than ${days} days, and this tenant deletes the site's raw data from before `
    + `${formatUtcDateTime(horizon)} UTC ([Deletelogs] delete_logs_older_than). Send hits of the last ${days} days only.`);
}

/**
 * Returns the Unix seconds of a `cdt` value.
 *
 * @throws FootfallError TRACKING_PARAMETER_INVALID for another form or a date that does not exist.
 */
function parseCustomTimestamp(text: string): number {
  if (/^[0-9]{9,11}(\.[0-9]+)?$/.test(text)) return Math.floor(Number(text));
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2}))?$/.exec(text);
  if (match) {
    const [, year, month, day, hours = '00', minutes = '00', seconds = '00'] = match;
    const time = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hours), Number(minutes), Number(seconds));
    // Date.UTC rolls 2024-02-30 over to March 1, so a value whose month, day or time comes back
    // changed names no real time. The year is not compared, because Date.UTC reads 0 to 99 as 1900 to 1999.
    if (new Date(time).toISOString().slice(4, 19) === `-${month}-${day}T${hours}:${minutes}:${seconds}`) return time / 1000;
  }
  throw new FootfallError('TRACKING_PARAMETER_INVALID',
    `Invalid value ${quote(text)} for 'cdt'. Expected a Unix timestamp in seconds, a UTC time 'YYYY-MM-DD HH:MM:SS' or a UTC date 'YYYY-MM-DD'.`);
}

/**
 * Rejects a `cid` that is not 16 hexadecimal characters, as Matomo does. An `_id` of another
 * form is not rejected: Matomo's tracker (5.x, `Tracker\Request::getVisitorId`) ignores it and
 * matches the visit by fingerprint, so a client that sends another kind of id is still tracked.
 *
 * @throws FootfallError TRACKING_PARAMETER_INVALID naming the value.
 */
function rejectMalformedForcedVisitorId(params: TrackingParams): void {
  const forcedId = params.get('cid');
  if (forcedId !== undefined && !/^[0-9a-f]{16}$/i.test(forcedId)) {
    throw new FootfallError('TRACKING_PARAMETER_INVALID', `Invalid value ${quote(forcedId)} for 'cid'. Expected a visitor id of 16 hexadecimal characters, such as 0123456789abcdef.`);
  }
}

function authRequired(name: string): FootfallError {
  return new FootfallError('TRACKING_AUTH_REQUIRED', `The parameter '${name}' requires a token_auth of a user with write access on the site, or of a superuser.`);
}

/**
 * Returns whether a string is an IPv4 address in dotted decimal without leading zeros, or an
 * IPv6 address without a zone id (node:net checks its groups).
 */
export function isIpAddress(text: string): boolean {
  if (/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(text)) return true;
  return text.includes(':') && /^[0-9a-f:.]+$/i.test(text) && isIP(text) === 6;
}
