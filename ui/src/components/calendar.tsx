/** A month grid of day buttons, reachable by Tab and moved through with the arrow keys. */
import { useEffect, useRef } from 'preact/hooks';
import { addDays, addMonths, addMonthsKeepingDay, parseDate } from '../periods';

/** Props of the calendar. */
export interface CalendarProps {
  /** Any day of the month shown, 'YYYY-MM-DD'. */
  month: string;
  /** Days shown as selected: one day, or the first and last day of a range. */
  selectedStart: string | null;
  selectedEnd: string | null;
  /** The last day that can be picked, normally today. */
  maxDate: string;
  onPick(date: string): void;
  onMonthChange(month: string): void;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTH_TITLE = new Intl.DateTimeFormat('en', { timeZone: 'UTC', month: 'long', year: 'numeric' });
const DAY_LABEL = new Intl.DateTimeFormat('en', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });

/** Days the arrow keys move the focus by. */
const KEY_DAY_OFFSETS: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };

/** Months Page Up and Page Down move the focus by, keeping the day of the month. */
const KEY_MONTH_OFFSETS: Record<string, number> = { PageUp: -1, PageDown: 1 };

/** Returns the 6 weeks of days shown for a month, starting on the Monday on or before its first day. */
function buildWeeks(month: string): string[][] {
  const first = addMonths(month, 0);
  const leading = (parseDate(first).getUTCDay() + 6) % 7;
  const start = addDays(first, -leading);
  return Array.from({ length: 6 }, (_, week) => Array.from({ length: 7 }, (_, day) => addDays(start, week * 7 + day)));
}

/** Shows one month; picking a day calls `onPick`. */
export function Calendar(props: CalendarProps) {
  const gridRef = useRef<HTMLTableElement>(null);
  const pendingFocus = useRef<string | null>(null);
  const monthStart = addMonths(props.month, 0);
  const weeks = buildWeeks(props.month);
  const focusDate = props.selectedEnd && props.selectedEnd.slice(0, 7) === monthStart.slice(0, 7) ? props.selectedEnd : monthStart;

  useEffect(() => {
    if (!pendingFocus.current) return;
    gridRef.current?.querySelector<HTMLButtonElement>(`button[data-date="${pendingFocus.current}"]`)?.focus();
    pendingFocus.current = null;
  });

  const moveFocus = (from: string, event: KeyboardEvent) => {
    const dayOffset = KEY_DAY_OFFSETS[event.key];
    const monthOffset = KEY_MONTH_OFFSETS[event.key] ?? 0;
    if (dayOffset === undefined && monthOffset === 0) return;
    event.preventDefault();
    const target = dayOffset !== undefined ? addDays(from, dayOffset) : addMonthsKeepingDay(from, monthOffset);
    pendingFocus.current = target;
    if (target.slice(0, 7) !== monthStart.slice(0, 7)) props.onMonthChange(target);
    else gridRef.current?.querySelector<HTMLButtonElement>(`button[data-date="${target}"]`)?.focus();
  };

  return (
    <div class="calendar">
      <div class="calendar-header">
        <button type="button" class="icon-button" aria-label="Previous month" onClick={() => props.onMonthChange(addMonths(monthStart, -1))}>‹</button>
        <h3 aria-live="polite">{MONTH_TITLE.format(parseDate(monthStart))}</h3>
        <button type="button" class="icon-button" aria-label="Next month" onClick={() => props.onMonthChange(addMonths(monthStart, 1))}>›</button>
      </div>
      <table ref={gridRef} role="grid" aria-label={MONTH_TITLE.format(parseDate(monthStart))}>
        <thead>
          <tr>{WEEKDAYS.map((name) => <th scope="col" key={name}>{name}</th>)}</tr>
        </thead>
        <tbody>
          {weeks.map((week) => (
            <tr key={week[0]}>
              {week.map((day) => (
                <td key={day}>
                  <DayButton day={day} props={props} monthStart={monthStart} focusable={day === focusDate} onKeyDown={(event) => moveFocus(day, event)} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DayButton({ day, props, monthStart, focusable, onKeyDown }: {
  day: string; props: CalendarProps; monthStart: string; focusable: boolean; onKeyDown(event: KeyboardEvent): void;
}) {
  const outside = day.slice(0, 7) !== monthStart.slice(0, 7);
  const future = day > props.maxDate;
  const start = props.selectedStart;
  const end = props.selectedEnd ?? start;
  const selected = start !== null && end !== null && day >= start && day <= end;
  const classes = ['day', outside ? 'outside' : '', selected ? 'selected' : ''].filter(Boolean).join(' ');
  return (
    <button
      type="button" class={classes} data-date={day} disabled={future} aria-pressed={selected}
      aria-label={DAY_LABEL.format(parseDate(day))} tabIndex={focusable ? 0 : -1}
      onClick={() => props.onPick(day)} onKeyDown={onKeyDown}
    >
      {Number(day.slice(8))}
    </button>
  );
}
