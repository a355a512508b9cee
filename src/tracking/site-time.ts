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

/**
 * The offset of each IANA zone in the UTC minute it was last computed for. Every zone's
 * offset has been a whole number of minutes since 1972, so within one UTC minute it is
 * constant, and hits in time order reuse it instead of formatting with Intl again.
 */
const lastZoneOffsets = new Map<string, { minute: number; offsetMs: number }>();
/**
 * From here on no zone has an offset with seconds: in the zone data of Node's ICU, the last is
 * Africa/Monrovia at -0:44:30 until January 1972.
 */
const WHOLE_MINUTE_OFFSETS_SINCE_MS = Date.UTC(1972, 5, 1);
const MAX_FOUR_DIGIT_YEAR_MS = Date.UTC(9999, 11, 30);

function formatWithIntl(time: Date, timezone: string): string {
  const parts = Object.fromEntries(formatterOf(timezone).formatToParts(time).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

function formatShifted(milliseconds: number): string {
  return new Date(milliseconds).toISOString().slice(0, 19).replace('T', ' ');
}

/** Returns the local wall-clock time of `time` in `timezone` as 'YYYY-MM-DD HH:MM:SS'. */
export function formatSiteDateTime(time: Date, timezone: string): string {
  const offset = utcOffsetMinutes(timezone);
  if (offset !== null) return formatShifted(time.getTime() + offset * 60_000);
  const milliseconds = time.getTime();
  if (!(milliseconds >= WHOLE_MINUTE_OFFSETS_SINCE_MS && milliseconds <= MAX_FOUR_DIGIT_YEAR_MS)) return formatWithIntl(time, timezone);

  const minute = Math.floor(milliseconds / 60_000);
  const last = lastZoneOffsets.get(timezone);
  if (last?.minute === minute) return formatShifted(milliseconds + last.offsetMs);
  const startOfMinute = new Date(minute * 60_000);
  const local = formatWithIntl(startOfMinute, timezone);
  const offsetMs = Date.parse(`${local.replace(' ', 'T')}Z`) - startOfMinute.getTime();
  lastZoneOffsets.set(timezone, { minute, offsetMs });
  return formatShifted(milliseconds + offsetMs);
}

/** Returns the day of `time` in `timezone` as 'YYYY-MM-DD'. */
export function formatSiteDate(time: Date, timezone: string): string {
  return formatSiteDateTime(time, timezone).slice(0, 10);
}
