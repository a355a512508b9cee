/** Times of access-log lines: strptime-style date formats and conversion from the log's time zone to UTC. */
import { FootfallError, quote } from '../errors.js';

/** The date format of Apache and nginx logs: `10/Feb/2012:16:42:07 -0500`. */
export const APACHE_DATE_FORMAT = '%d/%b/%Y:%H:%M:%S %z';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** The pattern and field name of each supported strptime directive. */
const DIRECTIVES: Record<string, { pattern: string; field: string }> = {
  Y: { pattern: '\\d{4}', field: 'year' },
  y: { pattern: '\\d{2}', field: 'shortYear' },
  m: { pattern: '\\d{1,2}', field: 'month' },
  d: { pattern: '\\d{1,2}', field: 'day' },
  e: { pattern: ' ?\\d{1,2}', field: 'day' },
  H: { pattern: '\\d{1,2}', field: 'hour' },
  M: { pattern: '\\d{1,2}', field: 'minute' },
  S: { pattern: '\\d{1,2}', field: 'second' },
  f: { pattern: '\\d{1,9}', field: 'fraction' },
  b: { pattern: '[A-Za-z]{3}', field: 'monthName' },
  B: { pattern: '[A-Za-z]{3,9}', field: 'monthName' },
  z: { pattern: 'Z|[+-]\\d{2}:?\\d{2}', field: 'offset' },
};

/** Wall-clock fields of a logged time, with the offset when the line gives one. */
interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** Minutes east of UTC, when the line carries an offset. */
  offsetMinutes?: number;
}

const compiledFormats = new Map<string, RegExp>();

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Compiles a strptime-style format (`%d/%b/%Y:%H:%M:%S %z`) into an anchored regular expression.
 *
 * @throws FootfallError PARAMETER_INVALID for a directive other than %Y %y %m %d %e %H %M %S %f %b %B %z %%.
 */
export function compileDateFormat(format: string): RegExp {
  const cached = compiledFormats.get(format);
  if (cached) return cached;
  let source = '';
  for (let index = 0; index < format.length; index += 1) {
    const char = format[index]!;
    if (char !== '%') {
      source += escapeRegExp(char);
      continue;
    }
    index += 1;
    const directive = format[index];
    if (directive === '%') {
      source += '%';
      continue;
    }
    const known = directive === undefined ? undefined : DIRECTIVES[directive];
    if (!known) {
      throw new FootfallError('PARAMETER_INVALID', `Invalid date format ${quote(format)}: '%${directive ?? ''}' is not supported. Use %Y %y %m %d %e %H %M %S %f %b %B %z.`);
    }
    source += `(?<${known.field}>${known.pattern})`;
  }
  const compiled = new RegExp(`^${source}$`);
  compiledFormats.set(format, compiled);
  return compiled;
}

function parseMonthName(name: string): number {
  const lower = name.toLowerCase();
  const full = MONTH_NAMES.indexOf(lower);
  return full >= 0 ? full + 1 : MONTHS.indexOf(lower.slice(0, 3)) + 1;
}

/**
 * Largest offset from UTC accepted either way, in minutes. Time zones in use range from
 * UTC-12:00 to UTC+14:00 (Line Islands, Kiribati).
 */
const MAX_OFFSET_MINUTES = 14 * 60;

/** Returns an offset (`Z`, `+0100`, `-05:30`) in minutes east of UTC, or undefined outside -14:00 to +14:00. */
function parseOffset(text: string): number | undefined {
  if (text === 'Z') return 0;
  const digits = text.replace(':', '');
  const minutesOfHour = Number(digits.slice(3, 5));
  const minutes = Number(digits.slice(1, 3)) * 60 + minutesOfHour;
  if (minutesOfHour >= 60 || minutes > MAX_OFFSET_MINUTES) return undefined;
  return digits.startsWith('-') ? -minutes : minutes;
}

function readWallTime(groups: Record<string, string | undefined>): WallTime | undefined {
  let year: number | undefined;
  if (groups.year !== undefined) year = Number(groups.year);
  else if (groups.shortYear !== undefined) year = 2000 + Number(groups.shortYear);
  let month: number | undefined;
  if (groups.month !== undefined) month = Number(groups.month);
  else if (groups.monthName !== undefined) month = parseMonthName(groups.monthName);
  if (year === undefined || month === undefined || groups.day === undefined) return undefined;
  const offsetMinutes = groups.offset !== undefined ? parseOffset(groups.offset) : undefined;
  if (groups.offset !== undefined && offsetMinutes === undefined) return undefined;
  return {
    year, month, day: Number(groups.day.trim()),
    hour: Number(groups.hour ?? 0), minute: Number(groups.minute ?? 0), second: Number(groups.second ?? 0),
    millisecond: groups.fraction !== undefined ? Number(groups.fraction.slice(0, 3).padEnd(3, '0')) : 0,
    offsetMinutes,
  };
}

/**
 * Parses a logged time with a strptime-style format and returns it in UTC. The line's own
 * offset wins; without one the time is read in `timezone` (an IANA name or `UTC`).
 * Returns undefined when the text does not match the format or is not a real date.
 */
export function parseLogTime(text: string, format: string, timezone: string): Date | undefined {
  const match = compileDateFormat(format).exec(text.trim());
  if (!match?.groups) return undefined;
  const wall = readWallTime(match.groups);
  return wall ? wallTimeToUtc(wall, timezone) : undefined;
}

/** An Apache time split around its seconds: `10/Feb/2012:16:42:` then `07` then ` -0500`. */
const APACHE_TIME_PARTS = /^(\d{1,2}\/[A-Za-z]{3}\/\d{4}:\d{1,2}:\d{1,2}:)(\d{2})( (?:Z|[+-]\d{2}:?\d{2}))$/;

/**
 * Creates a reader of Apache times (`10/Feb/2012:16:42:07 -0500`) with the results of
 * `parseLogTime` and `APACHE_DATE_FORMAT`. A text that differs from the previous
 * parsed one only in its two-digit seconds is computed from it, because consecutive lines of
 * a log mostly share the minute. The offset is part of the text, so `timezone` is not read then.
 * Returned Date objects may be shared between calls with the same text.
 */
export function createApacheTimeReader(): (text: string, timezone: string) => Date | undefined {
  let lastText: string | undefined;
  let lastTime: Date | undefined;
  /** The text before and after the seconds of the last parsed minute, '' when there is none. */
  let minutePrefix = '';
  let minuteSuffix = '';
  let minuteStartMs = 0;
  return (text, timezone) => {
    const trimmed = text.trim();
    if (trimmed === lastText) return lastTime;

    const secondsAt = minutePrefix.length;
    if (minutePrefix !== '' && trimmed.length === secondsAt + 2 + minuteSuffix.length
      && trimmed.startsWith(minutePrefix) && trimmed.endsWith(minuteSuffix)) {
      const tens = trimmed.charCodeAt(secondsAt) - 48;
      const ones = trimmed.charCodeAt(secondsAt + 1) - 48;
      // Seconds 00 to 59 stay in the minute. Anything else (60, or not digits) is parsed in full.
      if (tens >= 0 && tens <= 5 && ones >= 0 && ones <= 9) {
        lastText = trimmed;
        lastTime = new Date(minuteStartMs + (tens * 10 + ones) * 1000);
        return lastTime;
      }
    }

    lastText = trimmed;
    lastTime = parseLogTime(trimmed, APACHE_DATE_FORMAT, timezone);
    const parts = lastTime === undefined ? null : APACHE_TIME_PARTS.exec(trimmed);
    if (parts === null || Number(parts[2]) > 59) {
      minutePrefix = '';
      return lastTime;
    }
    minutePrefix = parts[1]!;
    minuteSuffix = parts[3]!;
    minuteStartMs = lastTime!.getTime() - Number(parts[2]) * 1000;
    return lastTime;
  };
}

/**
 * Parses an ISO 8601 time (`2013-10-10T16:52:00+02:00`, `2015-05-13T23:39:43.945958Z`,
 * `2012-04-01 00:00:13`); a time without an offset is read in `timezone`.
 */
export function parseIsoLogTime(text: string, timezone: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!match) return undefined;
  const offsetMinutes = match[8] !== undefined ? parseOffset(match[8]) : undefined;
  if (match[8] !== undefined && offsetMinutes === undefined) return undefined;
  return wallTimeToUtc({
    year: Number(match[1]), month: Number(match[2]), day: Number(match[3]),
    hour: Number(match[4]), minute: Number(match[5]), second: Number(match[6]),
    millisecond: match[7] !== undefined ? Number(match[7].slice(0, 3).padEnd(3, '0')) : 0,
    offsetMinutes,
  }, timezone);
}

/**
 * Returns the instant of a wall time, or undefined when a field is out of range. Second 60 is
 * a leap second, as strptime accepts it, and reads as the first second of the next minute.
 */
function wallTimeToUtc(wall: WallTime, timezone: string): Date | undefined {
  if (wall.month < 1 || wall.month > 12 || wall.hour > 23 || wall.minute > 59 || wall.second > 60) return undefined;
  // Date.UTC carries a day past the month's end into the next month, so the day is checked on its result.
  if (new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDate() !== wall.day) return undefined;
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second, wall.millisecond);
  if (wall.offsetMinutes !== undefined) return new Date(asUtc - wall.offsetMinutes * 60_000);
  if (timezone === 'UTC') return new Date(asUtc);
  // The zone's offset at the wall time, found in two passes so times near a DST change land on the right side.
  const firstGuess = asUtc - zoneOffsetMinutes(timezone, asUtc) * 60_000;
  return new Date(asUtc - zoneOffsetMinutes(timezone, firstGuess) * 60_000);
}

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

/** Returns the offset of an IANA time zone from UTC at an instant, in minutes east of UTC. */
function zoneOffsetMinutes(timezone: string, instant: number): number {
  let formatter = zoneFormatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    zoneFormatters.set(timezone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(new Date(instant)).map((part) => [part.type, part.value]));
  const wallAsUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return Math.round((wallAsUtc - Math.floor(instant / 1000) * 1000) / 60_000);
}

/**
 * Checks a `--timezone-of-log` value: an IANA zone name or UTC.
 *
 * @throws FootfallError PARAMETER_INVALID when the zone is unknown.
 */
export function ensureLogTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new FootfallError('PARAMETER_INVALID', `Invalid --timezone-of-log ${quote(timezone)}. Use an IANA time zone such as Europe/Paris, or UTC.`);
  }
}
