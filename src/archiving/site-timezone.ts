/** Time zones of sites: IANA names, UTC, and Matomo's fixed offsets such as `UTC+5.5`. */
import { DateTime, FixedOffsetZone, IANAZone, type Zone } from 'luxon';
import { FootfallError, quote } from '../errors.js';

const MATOMO_OFFSET_PATTERN = /^UTC([+-])(\d{1,2})(?:\.(\d+))?$/;

/**
 * Parses a site's time zone into a luxon Zone. `UTC+5.5` is Matomo's spelling of a fixed
 * offset in hours, so it becomes UTC+05:30 with no daylight-saving changes.
 *
 * @throws FootfallError TIMEZONE_INVALID for a name that is neither IANA, UTC nor UTC±H[.F].
 */
export function parseSiteTimezone(timezone: string): Zone {
  if (timezone === 'UTC' || timezone === '') return FixedOffsetZone.utcInstance;

  const offset = MATOMO_OFFSET_PATTERN.exec(timezone);
  if (offset) {
    const hours = Number(`${offset[2]}.${offset[3] ?? '0'}`);
    const minutes = Math.round(hours * 60) * (offset[1] === '-' ? -1 : 1);
    return FixedOffsetZone.instance(minutes);
  }

  if (IANAZone.isValidZone(timezone)) return IANAZone.create(timezone);
  throw new FootfallError('TIMEZONE_INVALID', `Invalid time zone ${quote(timezone)}. Use an IANA name such as Europe/Paris, or UTC, or an offset such as UTC+5.5.`);
}

/** Returns the calendar day 'YYYY-MM-DD' that `time` falls on in `zone`. */
export function dayInZone(time: Date, zone: Zone): string {
  return DateTime.fromJSDate(time, { zone }).toISODate()!;
}

/** Returns the UTC time 'YYYY-MM-DD HH:MM:SS' of midnight at the start of `day` in `zone`. */
export function startOfDayUtc(day: string, zone: Zone): string {
  return DateTime.fromISO(day, { zone }).startOf('day').toUTC().toFormat('yyyy-MM-dd HH:mm:ss');
}
