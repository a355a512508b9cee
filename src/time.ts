/** Formatting of times in the UTC text form the database stores. */

/** The second `formatUtcDateTime` formatted last, in milliseconds since the epoch, and its text. */
let lastSecond = Number.NaN;
let lastText = '';

/**
 * Formats a time as UTC 'YYYY-MM-DD HH:MM:SS', the form every time column holds. The text of
 * the last second is kept, because the tracking writer formats several times per hit and
 * hits that arrive together (or lines of one log) mostly share their second.
 */
export function formatUtcDateTime(time: Date): string {
  const milliseconds = time.getTime();
  const second = milliseconds - (((milliseconds % 1000) + 1000) % 1000);
  if (second !== lastSecond) {
    lastText = time.toISOString().slice(0, 19).replace('T', ' ');
    lastSecond = second;
  }
  return lastText;
}

/** Parses a UTC 'YYYY-MM-DD HH:MM:SS' text, as `formatUtcDateTime` writes it, into milliseconds since the epoch. */
export function parseUtcDateTime(text: string): number {
  return Date.parse(`${text.replace(' ', 'T')}Z`);
}

/** Formats a time as the UTC day 'YYYY-MM-DD'. */
export function formatUtcDate(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/** A source of the current time, so that tests can fix it. */
export type Clock = () => Date;

/** The real clock. */
export const SYSTEM_CLOCK: Clock = () => new Date();
