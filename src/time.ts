/** Formatting of times in the UTC text form the database stores. */

/** Formats a time as UTC 'YYYY-MM-DD HH:MM:SS', the form every time column holds. */
export function formatUtcDateTime(time: Date): string {
  return time.toISOString().slice(0, 19).replace('T', ' ');
}

/** Formats a time as the UTC day 'YYYY-MM-DD'. */
export function formatUtcDate(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/** A source of the current time, so that tests can fix it. */
export type Clock = () => Date;

/** The real clock. */
export const SYSTEM_CLOCK: Clock = () => new Date();
