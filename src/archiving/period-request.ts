/** Parsing of the Reporting API's `period` and `date` parameters into periods of a site. */
import type { Zone } from 'luxon';
import { FootfallError, quote } from '../errors.js';
import { addCalendar, addDays, Period, PERIOD_KINDS, type PeriodKind } from './period.js';
import { dayInZone } from './site-timezone.js';

/** Most periods a `lastN` or `previousN` may ask for, so one request cannot ask for millions of archives. */
export const MAX_PERIODS_PER_REQUEST = 5 * 365;

/**
 * Most days one `period=range` may span. Archiving a range walks its days, months and years
 * synchronously on SQLite, so an unbounded span (say 1000-01-01,9999-12-31) would stall the
 * server for every tenant.
 * 25 years covers imports of old access logs.
 * NOTE: Matomo clips ranges to the site's creation date instead; Footfall rejects longer ranges.
 */
export const MAX_RANGE_DAYS = 25 * 366;

/** The periods of one request; `multiple` is true when the result is keyed by period label. */
export interface PeriodRequest {
  periods: Period[];
  multiple: boolean;
}

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const LAST_N_PATTERN = /^(last|previous)(\d+)$/;

/**
 * Parses `period`, checking it against `[General] enabled_periods_API`.
 *
 * @throws FootfallError PERIOD_INVALID naming the value and the enabled periods.
 */
export function parsePeriodKind(raw: string, enabledPeriods: readonly string[]): PeriodKind {
  const kind = raw.trim().toLowerCase();
  if ((PERIOD_KINDS as readonly string[]).includes(kind) && enabledPeriods.includes(kind)) return kind as PeriodKind;
  throw new FootfallError('PERIOD_INVALID', `Invalid period ${quote(raw)}. Use ${describeList(enabledPeriods)}.`);
}

function describeList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/**
 * Parses one date: `YYYY-MM-DD`, `today`, `now`, `yesterday`, `lastWeek`, `lastMonth` or
 * `lastYear`, the keywords being days in the site's time zone at `now`.
 *
 * @throws FootfallError DATE_INVALID for anything else or an impossible calendar day.
 */
export function parseDateKeyword(raw: string, zone: Zone, now: Date): string {
  const today = dayInZone(now, zone);
  switch (raw.trim()) {
    case 'today':
    case 'now':
      return today;
    case 'yesterday':
      return addDays(today, -1);
    case 'lastWeek':
      return addDays(today, -7);
    case 'lastMonth':
      return addCalendar(today, { months: -1 });
    case 'lastYear':
      return addCalendar(today, { years: -1 });
  }

  const day = raw.trim();
  if (DATE_PATTERN.test(day) && addDays(day, 0) === day) return day;
  throw new FootfallError('DATE_INVALID', `Invalid date ${quote(raw)}. Use YYYY-MM-DD, today, yesterday, now, lastWeek, lastMonth, lastYear, lastN, previousN or two dates separated by a comma.`);
}

/**
 * Turns `period` and `date` into the periods to report on, in the site's time zone.
 * One date gives the one period containing it; `lastN`/`previousN` and `D1,D2` give
 * several periods keyed by label, except with `period=range`, where they give one range.
 *
 * @example
 * parsePeriodRequest('week', 'last2', zone, now) // the current and previous weeks, multiple: true
 * @throws FootfallError PERIOD_INVALID or DATE_INVALID naming the bad value.
 */
export function parsePeriodRequest(periodRaw: string, dateRaw: string, zone: Zone, now: Date, enabledPeriods: readonly string[]): PeriodRequest {
  const kind = parsePeriodKind(periodRaw, enabledPeriods);
  const date = dateRaw.trim();
  if (date === '') throw new FootfallError('PARAMETER_MISSING', "Please specify a value for 'date'.");

  const relative = LAST_N_PATTERN.exec(date);
  if (relative) return parseRelative(kind, relative[1] as 'last' | 'previous', Number(relative[2]), zone, now, date);

  if (date.includes(',')) return parseDatePair(kind, date, zone, now);

  if (kind === 'range') throw new FootfallError('DATE_INVALID', `Invalid date ${quote(date)} for period=range. Use two dates separated by a comma, lastN or previousN.`);
  return { periods: [Period.containing(kind, parseDateKeyword(date, zone, now))], multiple: false };
}

function parseRelative(kind: PeriodKind, direction: 'last' | 'previous', count: number, zone: Zone, now: Date, raw: string): PeriodRequest {
  if (count < 1 || count > MAX_PERIODS_PER_REQUEST) {
    throw new FootfallError('DATE_INVALID', `Invalid date ${quote(raw)}. Use lastN or previousN with N from 1 to ${MAX_PERIODS_PER_REQUEST}.`);
  }
  const today = dayInZone(now, zone);

  if (kind === 'range') {
    const end = direction === 'last' ? today : addDays(today, -1);
    return { periods: [Period.range(addDays(end, -(count - 1)), end)], multiple: false };
  }

  let current = Period.containing(kind, today);
  if (direction === 'previous') current = current.previous();
  const periods = [current];
  while (periods.length < count) periods.unshift(periods[0]!.previous());
  return { periods, multiple: true };
}

function ensureRangeSpan(raw: string, start: string, end: string): void {
  const days = (Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86_400_000 + 1;
  if (days <= MAX_RANGE_DAYS) return;
  throw new FootfallError('DATE_INVALID', `Invalid date ${quote(raw)}: a range may span at most ${MAX_RANGE_DAYS} days. Use a shorter range, or period=year with several dates.`);
}

function parseDatePair(kind: PeriodKind, raw: string, zone: Zone, now: Date): PeriodRequest {
  const parts = raw.split(',');
  if (parts.length !== 2) throw new FootfallError('DATE_INVALID', `Invalid date ${quote(raw)}. Use two dates separated by one comma.`);
  const start = parseDateKeyword(parts[0]!, zone, now);
  const end = parseDateKeyword(parts[1]!, zone, now);
  if (start > end) throw new FootfallError('DATE_INVALID', `Invalid date ${quote(raw)}: the start date is after the end date.`);

  if (kind === 'range') {
    ensureRangeSpan(raw, start, end);
    return { periods: [Period.range(start, end)], multiple: false };
  }

  const periods = [Period.containing(kind, start)];
  while (periods[periods.length - 1]!.endDate < end) {
    if (periods.length >= MAX_PERIODS_PER_REQUEST) {
      throw new FootfallError('DATE_INVALID', `Invalid date ${quote(raw)}: it spans more than ${MAX_PERIODS_PER_REQUEST} periods.`);
    }
    periods.push(Period.containing(kind, addDays(periods[periods.length - 1]!.endDate, 1)));
  }
  return { periods, multiple: true };
}
