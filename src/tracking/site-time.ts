/** Days and local times in a site's time zone, which may be an IANA name or Matomo's `UTC+5.5` form. */

const formatters = new Map<string, Intl.DateTimeFormat>();

function utcOffsetMinutes(timezone: string): number | null {
  const match = /^UTC(?:([+-])(\d{1,2})(?:\.(\d+))?)?$/.exec(timezone);
  if (!match) return null;
  if (!match[1]) return 0;
  const hours = Number(match[2]) + Number(`0.${match[3] ?? '0'}`);
  return (match[1] === '-' ? -1 : 1) * Math.round(hours * 60);
}

function formatterOf(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

/** Returns the local wall-clock time of `time` in `timezone` as 'YYYY-MM-DD HH:MM:SS'. */
export function formatSiteDateTime(time: Date, timezone: string): string {
  const offset = utcOffsetMinutes(timezone);
  if (offset !== null) return new Date(time.getTime() + offset * 60_000).toISOString().slice(0, 19).replace('T', ' ');
  const parts = Object.fromEntries(formatterOf(timezone).formatToParts(time).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** Returns the day of `time` in `timezone` as 'YYYY-MM-DD'. */
export function formatSiteDate(time: Date, timezone: string): string {
  return formatSiteDateTime(time, timezone).slice(0, 10);
}
