/** The `[Deletelogs]` settings of a tenant and the horizons before which its raw data is deleted. */
import type { Zone } from 'luxon';
import type { Settings } from '../config/settings.js';
import { parseUtcDateTime } from '../time.js';
import { dayInZone, startOfDayUtc } from './site-timezone.js';

/** Milliseconds of one UTC day. JavaScript time has no leap seconds, so every UTC day has this many. */
const MS_PER_DAY = 86_400_000;

/** Deletion of old raw data, from Matomo's `[Deletelogs]` keys. */
export interface LogDeletionConfig {
  /** `delete_logs_enable` */
  enabled: boolean;
  /** `delete_logs_older_than`: days from the tenant's deletion horizon to the start of the current UTC day. */
  olderThanDays: number;
  /** `delete_logs_schedule_lowest_interval`: minimum days between two deletions. */
  intervalDays: number;
  /** `delete_logs_max_rows_per_query`: maximum rows one DELETE statement removes. */
  maxRowsPerQuery: number;
}

/** Reads the `[Deletelogs]` section. Its values were checked when the settings loaded. */
export function readLogDeletionConfig(settings: Settings): LogDeletionConfig {
  return {
    enabled: settings.bool('Deletelogs', 'delete_logs_enable'),
    olderThanDays: settings.int('Deletelogs', 'delete_logs_older_than'),
    intervalDays: settings.int('Deletelogs', 'delete_logs_schedule_lowest_interval'),
    maxRowsPerQuery: settings.int('Deletelogs', 'delete_logs_max_rows_per_query'),
  };
}

/** Returns `delete_logs_older_than` when `delete_logs_enable` is on, else null. */
export function readLogDeletionDays(settings: Settings): number | null {
  const config = readLogDeletionConfig(settings);
  return config.enabled ? config.olderThanDays : null;
}

/**
 * Returns the tenant's deletion horizon: midnight UTC at the start of `now`'s UTC day, minus
 * `olderThanDays` days. Matomo's `LogDataPurger::purgeData` (plugins/PrivacyManager, 5.x)
 * takes the same time, `Date::factory('today')->subDay(N)`. Raw data is deleted, and hits are
 * rejected, before each site's own horizon (`computeSiteLogDeletionHorizon`), which is this
 * time for sites in UTC and earlier for the others.
 */
export function computeLogDeletionHorizon(now: Date, olderThanDays: number): Date {
  const startOfDay = Math.floor(now.getTime() / MS_PER_DAY) * MS_PER_DAY;
  return new Date(startOfDay - olderThanDays * MS_PER_DAY);
}

/** The deletion horizon of one site: the first local day whose raw data is kept, and the UTC time that day starts. */
export interface SiteLogDeletionHorizon {
  /** 'YYYY-MM-DD' in the site's time zone. */
  day: string;
  start: Date;
}

/**
 * Returns a site's deletion horizon: the start of the local day, in the site's time zone, that
 * contains the tenant's horizon (`computeLogDeletionHorizon`). Rounding down to a local
 * midnight means that a deletion never leaves part of a local day, whose archive would then
 * count only the rest, and never deletes a row that the tenant's horizon keeps.
 *
 * @example
 * // The tenant's horizon 2026-04-20 00:00 UTC is 2026-04-20 10:00 in Australia/Brisbane (UTC+10).
 * computeSiteLogDeletionHorizon(new Date('2026-05-20T12:00:00Z'), 30, IANAZone.create('Australia/Brisbane'))
 * // { day: '2026-04-20', start: 2026-04-19T14:00:00.000Z }
 */
export function computeSiteLogDeletionHorizon(now: Date, olderThanDays: number, zone: Zone): SiteLogDeletionHorizon {
  const day = dayInZone(computeLogDeletionHorizon(now, olderThanDays), zone);
  return { day, start: new Date(parseUtcDateTime(startOfDayUtc(day, zone))) };
}
