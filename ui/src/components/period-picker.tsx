/** The period buttons and the date button that opens a calendar; a range takes two picks. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { addDays, describeSelection, lastDayOf, PERIODS, shiftSelection, type Period, type Selection } from '../periods';
import { Calendar } from './calendar';

/** Props of the picker. */
export interface PeriodPickerProps {
  selection: Selection;
  today: string;
  onChange(selection: Selection): void;
}

const PERIOD_NAMES: Record<Period, string> = { day: 'Day', week: 'Week', month: 'Month', year: 'Year', range: 'Range' };

/** Returns the selection after a change of period, keeping the day the user looked at. */
function switchPeriod(selection: Selection, period: Period): Selection {
  const lastDay = selection.period === 'range' ? selection.date.split(',')[1] ?? selection.date : selection.date;
  if (period === 'range') return { period, date: `${addDays(lastDay, -6)},${lastDay}` };
  return { period, date: lastDay };
}

/** Returns the selection a step away, with a day, week, month or year step landing no later than today. */
function step(selection: Selection, steps: number, today: string): Selection {
  const shifted = shiftSelection(selection, steps);
  if (shifted.period !== 'range' && shifted.date > today) return { period: shifted.period, date: today };
  return shifted;
}

/** Shows the period choice and a calendar in a popover. */
export function PeriodPicker({ selection, today, onChange }: PeriodPickerProps) {
  const [open, setOpen] = useState(false);
  const [rangeStart, setRangeStart] = useState<string | null>(null);
  const lastDay = selection.period === 'range' ? selection.date.split(',')[1]! : selection.date;
  const [month, setMonth] = useState(lastDay);
  const toggleRef = useRef<HTMLButtonElement>(null);
  const popoverRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    setMonth(lastDay);
    popoverRef.current?.querySelector<HTMLButtonElement>('button.day[tabindex="0"]')?.focus();
  }, [open]);

  useEffect(() => {
    if (!open) return undefined;
    const closeOnOutsideClick = (event: MouseEvent) => {
      const target = event.target as Node;
      if (popoverRef.current?.contains(target) || toggleRef.current?.contains(target)) return;
      setOpen(false);
      setRangeStart(null);
    };
    document.addEventListener('mousedown', closeOnOutsideClick);
    return () => document.removeEventListener('mousedown', closeOnOutsideClick);
  }, [open]);

  const close = () => {
    setOpen(false);
    setRangeStart(null);
    toggleRef.current?.focus();
  };

  const pick = (day: string) => {
    if (selection.period !== 'range') {
      onChange({ period: selection.period, date: day });
      close();
      return;
    }
    if (rangeStart === null) {
      setRangeStart(day);
      return;
    }
    const [start, end] = rangeStart <= day ? [rangeStart, day] : [day, rangeStart];
    onChange({ period: 'range', date: `${start},${end}` });
    close();
  };

  const [selectedStart, selectedEnd] = rangeStart !== null
    ? [rangeStart, null]
    : selection.period === 'range' ? selection.date.split(',') as [string, string] : [selection.date, selection.date];

  return (
    <div class="period-picker">
      <fieldset class="segmented">
        <legend class="visually-hidden">Period</legend>
        {PERIODS.map((period) => (
          <label key={period} class={selection.period === period ? 'checked' : ''}>
            <input type="radio" name="period" value={period} checked={selection.period === period} onChange={() => onChange(switchPeriod(selection, period))} />
            {PERIOD_NAMES[period]}
          </label>
        ))}
      </fieldset>
      <div class="date-control">
        <button type="button" class="icon-button" aria-label="Previous period" onClick={() => onChange(step(selection, -1, today))}>‹</button>
        <button ref={toggleRef} type="button" class="date-button" aria-expanded={open} aria-haspopup="dialog" onClick={() => (open ? close() : setOpen(true))}>
          <CalendarIcon />{describeSelection(selection)}
        </button>
        {open && (
          <div ref={popoverRef} class="popover" role="dialog" aria-label="Choose a date" onKeyDown={(event) => { if (event.key === 'Escape') close(); }}>
            {selection.period === 'range' && (
              <p class="hint" aria-live="polite">{rangeStart === null ? 'Pick the first day of the range.' : 'Now pick the last day.'}</p>
            )}
            <Calendar month={month} selectedStart={selectedStart ?? null} selectedEnd={selectedEnd ?? null} maxDate={today} onPick={pick} onMonthChange={setMonth} />
          </div>
        )}
        <button type="button" class="icon-button" aria-label="Next period" disabled={lastDayOf(selection) >= today} onClick={() => onChange(step(selection, 1, today))}>›</button>
      </div>
    </div>
  );
}

/** Draws a calendar outline inline, because emoji fonts are missing on many systems. */
function CalendarIcon() {
  return (
    <svg class="icon" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <rect x="1.5" y="2.5" width="13" height="12" rx="1.5" fill="none" stroke="currentColor" />
      <path d="M1.5 6h13M5 1v3M11 1v3" stroke="currentColor" />
    </svg>
  );
}
