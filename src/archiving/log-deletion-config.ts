/** The `[Deletelogs]` settings of a tenant and the horizon before which its raw data is deleted. */
import type { Settings } from '../config/settings.js';

const SECONDS_PER_DAY = 86_400;

/** Deletion of old raw data, from Matomo's `[Deletelogs]` keys. */
export interface LogDeletionConfig {
  /** `delete_logs_enable` */
  enabled: boolean;
  /** `delete_logs_older_than`: age in days from which rows are deleted and hits rejected. */
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
 * Returns the deletion horizon: `now` minus `olderThanDays` whole days of 86,400 seconds.
 * Raw data older than it is deleted, and hits older than it are rejected.
 */
export function computeLogDeletionHorizon(now: Date, olderThanDays: number): Date {
  return new Date(now.getTime() - olderThanDays * SECONDS_PER_DAY * 1000);
}
