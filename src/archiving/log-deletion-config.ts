/** The `[Deletelogs]` settings of a tenant and the horizon before which its raw data is deleted. */
import type { Settings } from '../config/settings.js';

/** Milliseconds of one UTC day. JavaScript time has no leap seconds, so every UTC day has this many. */
const MS_PER_DAY = 86_400_000;

/** Deletion of old raw data, from Matomo's `[Deletelogs]` keys. */
export interface LogDeletionConfig {
  /** `delete_logs_enable` */
  enabled: boolean;
  /** `delete_logs_older_than`: days from the deletion horizon to the start of the current UTC day. */
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

/**
 * Returns the deletion horizon: midnight UTC at the start of `now`'s UTC day, minus
 * `olderThanDays` days. Raw data before it is deleted, and hits before it are rejected.
 * Matomo's `LogDataPurger::purgeData` (plugins/PrivacyManager) takes the same time,
 * `Date::factory('today')->subDay(N)`. The horizon is at least `olderThanDays` whole days
 * before `now`. It starts a UTC day, so it splits a day of a site in another time zone.
 */
export function computeLogDeletionHorizon(now: Date, olderThanDays: number): Date {
  const startOfDay = Math.floor(now.getTime() / MS_PER_DAY) * MS_PER_DAY;
  return new Date(startOfDay - olderThanDays * MS_PER_DAY);
}
