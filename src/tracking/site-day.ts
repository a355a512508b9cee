/**
 * The day of an instant in a site's time zone, from milliseconds rather than a Date, for the
 * writer's per-hit checks. `site-time.ts` keeps each zone's offset and last day, so a call
 * for a day already seen formats nothing.
 */
export { siteDayOf } from './site-time.js';
