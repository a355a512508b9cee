/** Periods and dates that the dashboard requests from the Reporting API, as plain 'YYYY-MM-DD' strings. */

/** A period of the Reporting API. */
export type Period = 'day' | 'week' | 'month' | 'year' | 'range';

/** Every period, in the order the picker lists them. */
export const PERIODS: readonly Period[] = ['day', 'week', 'month', 'year', 'range'];

/** The user's choice: a period and a day in it, or for `range` the first and last day. */
export interface Selection {
  period: Period;
  /** 'YYYY-MM-DD' for day to year; 'YYYY-MM-DD,YYYY-MM-DD' for a range. */
  date: string;
}

/** Periods the evolution graph shows for each period, counting the selected one. */
export const EVOLUTION_LENGTH: Record<Exclude<Period, 'range'>, number> = { day: 30, week: 16, month: 12, year: 5 };

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** Returns whether a value is a 'YYYY-MM-DD' day that exists in the calendar. */
export function isDateString(value: string): boolean {
  if (!DATE_PATTERN.test(value)) return false;
  return formatDate(parseDate(value)) === value;
}

/** Parses 'YYYY-MM-DD' into a Date at midnight UTC; all arithmetic here is in UTC so no day shifts. */
export function parseDate(value: string): Date {
  const [year, month, day] = value.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day));
}

/** Formats a Date's UTC day as 'YYYY-MM-DD'. */
export function formatDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * Returns today in the browser's time zone as 'YYYY-MM-DD'.
 *
 * NOTE: near midnight this can differ from today in the site's time zone, which the
 * Reporting API uses, so 'today' may then show the site's previous or next day.
 */
export function todayString(now: Date = new Date()): string {
  return formatDate(new Date(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate())));
}

/** Adds whole days to a 'YYYY-MM-DD' day. */
export function addDays(value: string, days: number): string {
  const date = parseDate(value);
  date.setUTCDate(date.getUTCDate() + days);
  return formatDate(date);
}

/** Adds whole months to a 'YYYY-MM-DD' day, landing on the first of the month. */
export function addMonths(value: string, months: number): string {
  const date = parseDate(value);
  return formatDate(new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1)));
}

/** Returns a valid selection from untrusted values, such as the URL's hash, falling back to today. */
export function parseSelection(period: string | null, date: string | null, today: string): Selection {
  if (period === 'range' && date) {
    const [start, end] = date.split(',');
    if (start && end && isDateString(start) && isDateString(end) && start <= end) return { period, date: `${start},${end}` };
    return { period: 'range', date: `${addDays(today, -6)},${today}` };
  }
  const validPeriod = (PERIODS as readonly string[]).includes(period ?? '') ? (period as Period) : 'day';
  return { period: validPeriod, date: date && isDateString(date) ? date : today };
}

/** Returns the `period` and `date` of the call for the selected period's totals. */
export function overviewQuery(selection: Selection): { period: Period; date: string } {
  return { period: selection.period, date: selection.date };
}

/**
 * Returns the `period` and `date` of the call for the evolution graph: the last N periods up
 * to the selected one as `lastN` when it includes today, else as an explicit span ending at
 * it. A range is shown day by day, or by a coarser period when it spans more days than the
 * API returns periods for one request. `periodCount` replaces the default N of the period.
 */
export function evolutionQuery(selection: Selection, today: string, periodCount?: number): { period: Exclude<Period, 'range'>; date: string } {
  if (selection.period === 'range') return { period: rangeEvolutionPeriod(selection.date), date: selection.date };
  const count = periodCount ?? EVOLUTION_LENGTH[selection.period];
  if (selection.date === today) return { period: selection.period, date: `last${count}` };
  return { period: selection.period, date: `${evolutionStart(selection.period, selection.date, count)},${selection.date}` };
}

/** Maximum number of periods the Reporting API accepts in one request (`MAX_PERIODS_PER_REQUEST` on the server). */
const MAX_EVOLUTION_POINTS = 1825;

/**
 * Returns the finest period that splits a range `START,END` into at most MAX_EVOLUTION_POINTS
 * points, so a range of several years is shown week by week or month by month.
 */
function rangeEvolutionPeriod(range: string): Exclude<Period, 'range'> {
  const [start = '', end = ''] = range.split(',');
  const days = Math.round((parseDate(end).getTime() - parseDate(start).getTime()) / 86_400_000) + 1;
  if (days <= MAX_EVOLUTION_POINTS) return 'day';
  // A span of N days touches at most N / 7 + 2 weeks and N / 28 + 2 months.
  if (days / 7 + 2 <= MAX_EVOLUTION_POINTS) return 'week';
  if (days / 28 + 2 <= MAX_EVOLUTION_POINTS) return 'month';
  return 'year';
}

function evolutionStart(period: Exclude<Period, 'range'>, date: string, count: number): string {
  if (period === 'day') return addDays(date, -(count - 1));
  if (period === 'week') return addDays(date, -7 * (count - 1));
  if (period === 'month') return addMonths(date, -(count - 1));
  return `${parseDate(date).getUTCFullYear() - (count - 1)}-01-01`;
}

/**
 * Returns the first day of a period label as Matomo writes it ('2024-05-01',
 * '2024-04-29,2024-05-05', '2024-05' or '2024') as Unix seconds, or null for another shape.
 */
export function labelStartSeconds(label: string): number | null {
  const first = label.split(',')[0] ?? '';
  const padded = /^\d{4}$/.test(first) ? `${first}-01-01` : /^\d{4}-\d{2}$/.test(first) ? `${first}-01` : first;
  return isDateString(padded) ? parseDate(padded).getTime() / 1000 : null;
}

const DAY_FORMAT = new Intl.DateTimeFormat('en', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
const SHORT_FORMAT = new Intl.DateTimeFormat('en', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });
const MONTH_FORMAT = new Intl.DateTimeFormat('en', { timeZone: 'UTC', month: 'long', year: 'numeric' });

/** Returns a readable name of a selection, such as 'March 2026' or '1 Mar 2026 – 7 Mar 2026'. */
export function describeSelection(selection: Selection): string {
  if (selection.period === 'range') {
    const [start = '', end = ''] = selection.date.split(',');
    return `${SHORT_FORMAT.format(parseDate(start))} – ${SHORT_FORMAT.format(parseDate(end))}`;
  }
  const date = parseDate(selection.date);
  if (selection.period === 'day') return DAY_FORMAT.format(date);
  if (selection.period === 'week') return `Week of ${SHORT_FORMAT.format(parseDate(weekStart(selection.date)))}`;
  if (selection.period === 'month') return MONTH_FORMAT.format(date);
  return String(date.getUTCFullYear());
}

/**
 * Returns the selection moved by `steps` whole periods (negative is earlier). A month or
 * year step keeps the day of the month where the target month has it; a range moves by
 * its own length.
 */
export function shiftSelection(selection: Selection, steps: number): Selection {
  if (selection.period === 'range') {
    const [start = '', end = ''] = selection.date.split(',');
    const length = Math.round((parseDate(end).getTime() - parseDate(start).getTime()) / 86_400_000) + 1;
    return { period: 'range', date: `${addDays(start, steps * length)},${addDays(end, steps * length)}` };
  }
  if (selection.period === 'day') return { period: 'day', date: addDays(selection.date, steps) };
  if (selection.period === 'week') return { period: 'week', date: addDays(selection.date, steps * 7) };
  const months = selection.period === 'month' ? steps : steps * 12;
  return { period: selection.period, date: addMonthsKeepingDay(selection.date, months) };
}

/** Adds whole months to a day, moving to the month's last day when it is shorter. */
export function addMonthsKeepingDay(value: string, months: number): string {
  const date = parseDate(value);
  const target = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  return formatDate(target);
}

/** Returns the last day of a selection, to compare with today. */
export function lastDayOf(selection: Selection): string {
  if (selection.period === 'range') return selection.date.split(',')[1] ?? selection.date;
  if (selection.period === 'day') return selection.date;
  if (selection.period === 'week') return addDays(weekStart(selection.date), 6);
  if (selection.period === 'month') return addDays(addMonths(selection.date, 1), -1);
  return `${parseDate(selection.date).getUTCFullYear()}-12-31`;
}

/** Returns the Monday of the week of a day, as Matomo's weeks start on Monday. */
export function weekStart(value: string): string {
  const weekday = (parseDate(value).getUTCDay() + 6) % 7;
  return addDays(value, -weekday);
}
