/** A memo of `formatSiteDate` by minute, because Intl formatting costs microseconds per call and a batch's hits share minutes. */
import { formatSiteDate } from './site-time.js';

const MINUTE_MS = 60_000;
/** Entries kept before the memo starts again empty. */
const MAX_ENTRIES = 10_000;

const days = new Map<string, string>();

/**
 * Returns the day of `timeMs` in `timezone` as 'YYYY-MM-DD', the same as `formatSiteDate`. A
 * minute is memoised only when its first and last millisecond fall on the same day, so a
 * time zone whose offset has seconds (historic local mean time) is still exact.
 */
export function siteDayOf(timeMs: number, timezone: string): string {
  const minute = Math.floor(timeMs / MINUTE_MS);
  const key = `${timezone}|${minute}`;
  const known = days.get(key);
  if (known !== undefined) return known;

  const first = formatSiteDate(new Date(minute * MINUTE_MS), timezone);
  const last = formatSiteDate(new Date(minute * MINUTE_MS + MINUTE_MS - 1), timezone);
  if (first !== last) return formatSiteDate(new Date(timeMs), timezone);
  if (days.size >= MAX_ENTRIES) days.clear();
  days.set(key, first);
  return first;
}
