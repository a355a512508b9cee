/**
 * The evolution of one metric of a report over the last N periods: of one row (such as the
 * country 'Germany') or, for metrics that add up, of all rows together. It calls the report's
 * own method with `date=lastN` (or a span ending at the selected date) and, for one row, `label`.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, callApi, type ApiCallParams } from '../api-client';
import { evolutionQuery, labelStartSeconds, type Selection } from '../periods';
import { METRIC_NAMES, type ReportEntry } from '../report-list';
import { EvolutionChart, type EvolutionPoint } from './evolution-chart';

/** Props of the evolution panel; `rowLabels` are the labels of the rows the report shows now. */
export interface ReportEvolutionProps {
  report: ReportEntry;
  /** Metrics that may be drawn: those of the report that its rows contain. */
  metrics: readonly string[];
  siteId: number;
  selection: Selection;
  segment: string;
  today: string;
  accentColor: string;
  rowLabels: readonly string[];
  sessionToken: string | null;
  onSessionInvalid(): void;
}

/** A report row as JSON gives it, with its metrics. */
interface Row {
  label: string;
  [column: string]: unknown;
}

/** Numbers of periods offered, by the selected period. */
const PERIOD_COUNTS: Record<'day' | 'week' | 'month' | 'year', readonly number[]> = {
  day: [7, 30, 90], week: [8, 16, 52], month: [6, 12, 24], year: [3, 5, 10],
};

/** Value of the row select that stands for all rows added up. */
const ALL_ROWS = '';

/**
 * Returns whether adding a metric over rows gives the report's total: counts and sums do, but
 * rates, averages and unique visitors (one visitor may appear in several rows) do not.
 */
export function isAdditiveMetric(metric: string): boolean {
  if (metric === 'nb_uniq_visitors' || metric === 'nb_actions_per_visit') return false;
  return /^(nb_|sum_|entry_nb_|exit_nb_|entry_bounce_count$|revenue$)/.test(metric);
}

function readNumber(value: unknown): number {
  return Number.parseFloat(String(value ?? 0)) || 0;
}

/** Returns one point per period: the row's value, or the sum over all rows. */
function toPoints(result: Record<string, Row[]>, metric: string, rowLabel: string): EvolutionPoint[] {
  return Object.entries(result).flatMap(([label, rows]) => {
    const time = labelStartSeconds(label);
    if (time === null) return [];
    const list = Array.isArray(rows) ? rows : [];
    const value = rowLabel === ALL_ROWS
      ? list.reduce((sum, row) => sum + readNumber(row[metric]), 0)
      : readNumber(list.find((row) => row.label === rowLabel)?.[metric]);
    return [{ time, label, value }];
  });
}

/** Shows the metric and row choosers and the graph of their evolution. */
export function ReportEvolution(props: ReportEvolutionProps) {
  const { report, metrics, siteId, selection, segment, today, accentColor, rowLabels, sessionToken, onSessionInvalid } = props;
  const [metric, setMetric] = useState(metrics[0] ?? 'nb_visits');
  const [rowLabel, setRowLabel] = useState(rowLabels[0] ?? ALL_ROWS);
  const granularity = selection.period === 'range' ? 'day' : selection.period;
  const counts = PERIOD_COUNTS[granularity];
  const [periodCount, setPeriodCount] = useState<number>(counts[1] ?? counts[0]!);
  const [points, setPoints] = useState<EvolutionPoint[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const allowAllRows = isAdditiveMetric(metric);
  const effectiveRow = rowLabel === ALL_ROWS && !allowAllRows ? rowLabels[0] ?? ALL_ROWS : rowLabel;
  const query = evolutionQuery(selection, today, counts.includes(periodCount) ? periodCount : counts[1]);

  useEffect(() => {
    const controller = new AbortController();
    const params: ApiCallParams = { idSite: siteId, ...query, ...(report.params ?? {}) };
    if (segment !== '') params.segment = segment;
    // Labels are split on commas by the server, so a comma inside a label travels as %2C.
    if (effectiveRow === ALL_ROWS) params.filter_limit = -1;
    else params.label = encodeURIComponent(effectiveRow);
    setError(null);
    callApi<Record<string, Row[]>>(report.method, params, sessionToken, controller.signal)
      .then((result) => setPoints(toPoints(result, metric, effectiveRow)), (failure: unknown) => {
        if (controller.signal.aborted) return;
        if (failure instanceof ApiError && failure.code === 'SESSION_INVALID') onSessionInvalid();
        else setError(failure instanceof Error ? failure.message : String(failure));
      });
    return () => controller.abort();
  }, [report.method, siteId, query.period, query.date, segment, effectiveRow, metric, sessionToken]);

  const metricName = METRIC_NAMES[metric] ?? metric;
  return (
    <div class="report-evolution">
      <div class="report-controls">
        <label class="field inline">
          <span>Metric</span>
          <select name="evolutionMetric" value={metric} onChange={(event) => setMetric(event.currentTarget.value)}>
            {metrics.map((name) => <option key={name} value={name}>{METRIC_NAMES[name] ?? name}</option>)}
          </select>
        </label>
        <label class="field inline">
          <span>Row</span>
          <select name="evolutionRow" value={effectiveRow} onChange={(event) => setRowLabel(event.currentTarget.value)}>
            {allowAllRows && <option value={ALL_ROWS}>All rows</option>}
            {rowLabels.map((label) => <option key={label} value={label}>{label}</option>)}
          </select>
        </label>
        {selection.period !== 'range' && (
          <label class="field inline">
            <span>Periods</span>
            <select name="evolutionPeriods" value={String(periodCount)} onChange={(event) => setPeriodCount(Number(event.currentTarget.value))}>
              {counts.map((count) => <option key={count} value={String(count)}>Last {count} {granularity}s</option>)}
            </select>
          </label>
        )}
      </div>
      {error && <p class="notice error" role="alert">{error}</p>}
      {!error && points === null && <p class="muted" aria-busy="true">Loading the evolution…</p>}
      {!error && points !== null && (
        <EvolutionChart points={points} metricName={effectiveRow === ALL_ROWS ? metricName : `${metricName} of ${effectiveRow}`} accentColor={accentColor} granularity={query.period} />
      )}
    </div>
  );
}
