/** Days and local times in a site's time zone, which may be an IANA name or Matomo's `UTC+5.5` form. */

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * From here on no zone has an offset with seconds: in the zone data of Node's ICU, the last is
 * Africa/Monrovia at -0:44:30 until January 1972.
 */
const WHOLE_MINUTE_OFFSETS_SINCE_MS = Date.UTC(1972, 5, 1);
const MAX_FOUR_DIGIT_YEAR_MS = Date.UTC(9999, 11, 30);
/** Zones kept in `zoneStates`. The map starts over when full, because time zone texts come from site records. */
const MAX_CACHED_ZONES = 1000;

/**
 * The cached state of one zone: its fixed offset, or the offset over the last UTC span it was
 * computed for, and the last local day it formatted.
 */
interface ZoneState {
  /** Offset of a `UTC±h` zone in milliseconds, or null for an IANA zone. */
  fixedOffsetMs: number | null;
  /** A UTC interval [start, end), empty at first, over which the IANA zone's offset is `spanOffsetMs`. */
  spanStartMs: number;
  spanEndMs: number;
  spanOffsetMs: number;
  /** The last local day formatted, as days since 1970-01-01, and its 'YYYY-MM-DD' text. */
  dayNumber: number;
  dayText: string;
}

const zoneStates = new Map<string, ZoneState>();
const formatters = new Map<string, Intl.DateTimeFormat>();

function utcOffsetMinutes(timezone: string): number | null {
  const match = /^UTC(?:([+-])(\d{1,2})(?:\.(\d+))?)?$/.exec(timezone);
  if (!match) return null;
  if (!match[1]) return 0;
  const hours = Number(match[2]) + Number(`0.${match[3] ?? '0'}`);
  return (match[1] === '-' ? -1 : 1) * Math.round(hours * 60);
}

function zoneStateOf(timezone: string): ZoneState {
  let state = zoneStates.get(timezone);
  if (state === undefined) {
    if (zoneStates.size >= MAX_CACHED_ZONES) zoneStates.clear();
    const fixedMinutes = utcOffsetMinutes(timezone);
    state = {
      fixedOffsetMs: fixedMinutes === null ? null : fixedMinutes * MINUTE_MS,
      spanStartMs: 0, spanEndMs: 0, spanOffsetMs: 0,
      dayNumber: Number.NaN, dayText: '',
    };
    zoneStates.set(timezone, state);
  }
  return state;
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

function formatWithIntl(time: Date, timezone: string): string {
  const parts = Object.fromEntries(formatterOf(timezone).formatToParts(time).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

function formatShifted(milliseconds: number): string {
  return new Date(milliseconds).toISOString().slice(0, 19).replace('T', ' ');
}

/** Returns the offset of an IANA zone at the start of a UTC minute, read through Intl. */
function intlOffsetMs(minuteStartMs: number, timezone: string): number {
  const local = formatWithIntl(new Date(minuteStartMs), timezone);
  return Date.parse(`${local.replace(' ', 'T')}Z`) - minuteStartMs;
}

/**
 * Returns the zone's offset from UTC at `milliseconds`, or null when only Intl can format that
 * instant (a zone whose offset then had seconds, or a year past 9999).
 *
 * Every zone's offset has been a whole number of minutes since 1972, so it changes only at the
 * start of a minute. An IANA zone's offset is read at the first and the last minute of the UTC
 * hour: when they agree, the whole hour is reused, because no zone in the tz database changes
 * its offset twice within an hour. In an hour with a change, only the minute is reused.
 */
function offsetAt(milliseconds: number, timezone: string, state: ZoneState): number | null {
  if (state.fixedOffsetMs !== null) return state.fixedOffsetMs;
  if (milliseconds >= state.spanStartMs && milliseconds < state.spanEndMs) return state.spanOffsetMs;
  if (!(milliseconds >= WHOLE_MINUTE_OFFSETS_SINCE_MS && milliseconds <= MAX_FOUR_DIGIT_YEAR_MS)) return null;

  const hourStart = Math.floor(milliseconds / HOUR_MS) * HOUR_MS;
  const firstOffset = intlOffsetMs(hourStart, timezone);
  const lastOffset = intlOffsetMs(hourStart + HOUR_MS - MINUTE_MS, timezone);
  if (firstOffset === lastOffset) {
    state.spanStartMs = hourStart;
    state.spanEndMs = hourStart + HOUR_MS;
    state.spanOffsetMs = firstOffset;
  } else {
    const minuteStart = Math.floor(milliseconds / MINUTE_MS) * MINUTE_MS;
    state.spanStartMs = minuteStart;
    state.spanEndMs = minuteStart + MINUTE_MS;
    state.spanOffsetMs = intlOffsetMs(minuteStart, timezone);
  }
  return state.spanOffsetMs;
}

/** Returns the local wall-clock time of `time` in `timezone` as 'YYYY-MM-DD HH:MM:SS'. */
export function formatSiteDateTime(time: Date, timezone: string): string {
  const milliseconds = time.getTime();
  const offset = offsetAt(milliseconds, timezone, zoneStateOf(timezone));
  return offset === null ? formatWithIntl(time, timezone) : formatShifted(milliseconds + offset);
}

/**
 * Returns the day of `timeMs` (milliseconds since 1970) in `timezone` as 'YYYY-MM-DD'. Each
 * zone keeps the text of the last day it formatted, so hits of one day build no string.
 */
export function siteDayOf(timeMs: number, timezone: string): string {
  const state = zoneStateOf(timezone);
  const offset = offsetAt(timeMs, timezone, state);
  if (offset === null) return formatWithIntl(new Date(timeMs), timezone).slice(0, 10);
  const localMs = timeMs + offset;
  const dayNumber = Math.floor(localMs / DAY_MS);
  if (dayNumber !== state.dayNumber) {
    state.dayText = formatShifted(localMs).slice(0, 10);
    state.dayNumber = dayNumber;
  }
  return state.dayText;
}

/** Returns the day of `time` in `timezone` as 'YYYY-MM-DD'. */
export function formatSiteDate(time: Date, timezone: string): string {
  return siteDayOf(time.getTime(), timezone);
}
