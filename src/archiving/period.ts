/** Periods (day, week, month, year, range) as spans of calendar days in a site's time zone. */
import { DateTime, type Zone } from 'luxon';
import { startOfDayUtc } from './site-timezone.js';

/** The kinds of period the Reporting API serves. */
export const PERIOD_KINDS = ['day', 'week', 'month', 'year', 'range'] as const;

/** One kind of period. */
export type PeriodKind = (typeof PERIOD_KINDS)[number];

/** Matomo's numeric period ids, stored in `archive.period`. */
export const PERIOD_IDS: Readonly<Record<PeriodKind, number>> = { day: 1, week: 2, month: 3, year: 4, range: 5 };

/** A span of UTC times [start, end) in the 'YYYY-MM-DD HH:MM:SS' form of the log tables. */
export interface UtcBounds {
  start: string;
  end: string;
}

function parseDay(day: string): DateTime {
  return DateTime.fromISO(day, { zone: 'utc' });
}

function formatDay(date: DateTime): string {
  return date.toISODate()!;
}

/**
 * A period: the calendar days from `startDate` to `endDate`, both included. Days carry no
 * time zone; `utcBounds` places them in a site's zone.
 */
export class Period {
  readonly kind: PeriodKind;
  readonly startDate: string;
  readonly endDate: string;

  private constructor(kind: PeriodKind, startDate: string, endDate: string) {
    this.kind = kind;
    this.startDate = startDate;
    this.endDate = endDate;
  }

  /**
   * Returns the period of a kind that contains `day`; weeks run Monday to Sunday.
   * For 'range', use `Period.range`.
   */
  static containing(kind: Exclude<PeriodKind, 'range'>, day: string): Period {
    const date = parseDay(day);
    switch (kind) {
      case 'day':
        return new Period('day', formatDay(date), formatDay(date));
      case 'week': {
        const monday = date.minus({ days: date.weekday - 1 });
        return new Period('week', formatDay(monday), formatDay(monday.plus({ days: 6 })));
      }
      case 'month':
        return new Period('month', formatDay(date.startOf('month')), formatDay(date.endOf('month')));
      case 'year':
        return new Period('year', formatDay(date.startOf('year')), formatDay(date.endOf('year')));
    }
  }

  /** Returns the range of days from `startDate` to `endDate`, both included. */
  static range(startDate: string, endDate: string): Period {
    return new Period('range', startDate, endDate);
  }

  /** Matomo's numeric id of the kind (1 day ... 5 range). */
  get id(): number {
    return PERIOD_IDS[this.kind];
  }

  /** The key Matomo uses for this period in multi-period results: `2024-05-01`, `2024-04-29,2024-05-05`, `2024-05`, `2024`. */
  get label(): string {
    switch (this.kind) {
      case 'day':
        return this.startDate;
      case 'month':
        return this.startDate.slice(0, 7);
      case 'year':
        return this.startDate.slice(0, 4);
      default:
        return `${this.startDate},${this.endDate}`;
    }
  }

  /** Returns whether `day` lies within the period. */
  contains(day: string): boolean {
    return day >= this.startDate && day <= this.endDate;
  }

  /** Returns the UTC times from the first midnight of the period to the midnight after it, in `zone`. */
  utcBounds(zone: Zone): UtcBounds {
    const after = formatDay(parseDay(this.endDate).plus({ days: 1 }));
    return { start: startOfDayUtc(this.startDate, zone), end: startOfDayUtc(after, zone) };
  }

  /** Returns the period of the same kind just before this one (for ranges, the same length of days before). */
  previous(): Period {
    const start = parseDay(this.startDate);
    switch (this.kind) {
      case 'day':
        return Period.containing('day', formatDay(start.minus({ days: 1 })));
      case 'week':
        return Period.containing('week', formatDay(start.minus({ weeks: 1 })));
      case 'month':
        return Period.containing('month', formatDay(start.minus({ months: 1 })));
      case 'year':
        return Period.containing('year', formatDay(start.minus({ years: 1 })));
      case 'range': {
        const days = this.dayCount();
        return Period.range(formatDay(start.minus({ days })), formatDay(start.minus({ days: 1 })));
      }
    }
  }

  /** Returns the number of days in the period. */
  dayCount(): number {
    return parseDay(this.endDate).diff(parseDay(this.startDate), 'days').days + 1;
  }

  /**
   * Returns the smaller periods this one is summed from, as Matomo archives them. A week
   * and a month are summed from their days and a year from its months. A range is summed
   * from the largest years, months, weeks and days that fit in it, and a day has none.
   */
  subperiods(): Period[] {
    switch (this.kind) {
      case 'day':
        return [];
      case 'week':
      case 'month':
        return this.#days();
      case 'year':
        return Array.from({ length: 12 }, (_, index) => Period.containing('month', formatDay(parseDay(this.startDate).plus({ months: index }))));
      case 'range':
        return this.#largestFittingPeriods();
    }
  }

  #days(): Period[] {
    const start = parseDay(this.startDate);
    return Array.from({ length: this.dayCount() }, (_, index) => Period.containing('day', formatDay(start.plus({ days: index }))));
  }

  #largestFittingPeriods(): Period[] {
    const periods: Period[] = [];
    let cursor = this.startDate;
    while (cursor <= this.endDate) {
      const next = (['year', 'month', 'week'] as const)
        .map((kind) => Period.containing(kind, cursor))
        .find((candidate) => candidate.startDate === cursor && candidate.endDate <= this.endDate)
        ?? Period.containing('day', cursor);
      periods.push(next);
      cursor = formatDay(parseDay(next.endDate).plus({ days: 1 }));
    }
    return periods;
  }

  /** Returns whether two periods cover the same days with the same kind. */
  equals(other: Period): boolean {
    return this.kind === other.kind && this.startDate === other.startDate && this.endDate === other.endDate;
  }
}

/** Returns the day `days` after (or before, when negative) `day`. */
export function addDays(day: string, days: number): string {
  return formatDay(parseDay(day).plus({ days }));
}

/** Returns `day` moved by whole months or years, clamped to the month's last day as Matomo's Date does. */
export function addCalendar(day: string, amount: { months?: number; years?: number }): string {
  return formatDay(parseDay(day).plus(amount));
}
