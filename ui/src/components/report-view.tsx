/** One report as a table with sorting, search, row limit, subtables, a bar or pie view and export. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, callApi, exportReport, type ApiCallParams } from '../api-client';
import { METRIC_NAMES, type ReportEntry, type ReportVisualization } from '../report-list';
import type { Selection } from '../periods';
import { ReportEvolution } from './report-evolution';

/** Props of a report; `segment` is a Matomo segment definition, '' for all visits. */
export interface ReportViewProps {
  report: ReportEntry;
  siteId: number;
  selection: Selection;
  segment: string;
  /** Today in the site's calendar, as YYYY-MM-DD, for the evolution graph. */
  today: string;
  accentColor: string;
  sessionToken: string | null;
  onSessionInvalid(): void;
}

/** A row as the Reporting API returns it in JSON. */
export interface ReportRow {
  label: string;
  idsubdatatable?: number | string;
  [column: string]: unknown;
}

/** Row limits offered, as Matomo offers them. */
const ROW_LIMITS = [5, 10, 25, 50, 100, 250, 500] as const;
const EXPORT_FORMATS = ['csv', 'tsv', 'xml', 'json'] as const;

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function formatValue(value: unknown): string {
  if (typeof value === 'number') return value.toLocaleString('en', { maximumFractionDigits: 2 });
  return value === undefined || value === null ? '–' : String(value);
}

/**
 * Returns the metrics of `metrics` that at least one row contains, or all of them when no row
 * has any, so the evolution graph offers no metric the API leaves out of this report.
 */
function listPresentMetrics(metrics: readonly string[], rows: readonly ReportRow[]): readonly string[] {
  const present = metrics.filter((metric) => rows.some((row) => row[metric] !== undefined));
  return present.length > 0 ? present : metrics;
}

/** Returns the parameters every call of this report shares. */
function baseParams(props: ReportViewProps): ApiCallParams {
  const params: ApiCallParams = { idSite: props.siteId, period: props.selection.period, date: props.selection.date, ...(props.report.params ?? {}) };
  if (props.segment !== '') params.segment = props.segment;
  return params;
}

/** Loads and shows a report. */
export function ReportView(props: ReportViewProps) {
  const { report, sessionToken, onSessionInvalid } = props;
  const [sortColumn, setSortColumn] = useState(report.metrics[0] ?? 'nb_visits');
  const [sortOrder, setSortOrder] = useState<'desc' | 'asc'>('desc');
  const [limit, setLimit] = useState<number>(25);
  const [pattern, setPattern] = useState('');
  const [appliedPattern, setAppliedPattern] = useState('');
  const [visualization, setVisualization] = useState<ReportVisualization>('table');
  const [rows, setRows] = useState<ReportRow[] | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const [showEvolution, setShowEvolution] = useState(false);

  useEffect(() => {
    setSortColumn(report.metrics[0] ?? 'nb_visits');
    setVisualization('table');
    setRows(null);
    setPattern('');
    setAppliedPattern('');
    setShowEvolution(false);
  }, [report.method]);

  const params: ApiCallParams = { ...baseParams(props), filter_limit: limit, filter_sort_column: sortColumn, filter_sort_order: sortOrder };
  if (appliedPattern !== '') params.filter_pattern = appliedPattern;
  const paramsKey = JSON.stringify(params) + report.method;

  useEffect(() => {
    // The previous rows stay on screen while new ones load, so the table keeps the keyboard focus on a sort button.
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    callApi<ReportRow[]>(report.method, params, sessionToken, controller.signal)
      .then((result) => {
        setRows(Array.isArray(result) ? result : []);
        setLoading(false);
      })
      .catch((failure: unknown) => {
        if (controller.signal.aborted) return;
        setLoading(false);
        if (failure instanceof ApiError && failure.code === 'SESSION_INVALID') onSessionInvalid();
        else setError(describeError(failure));
      });
    return () => controller.abort();
  }, [paramsKey, sessionToken]);

  const sortBy = (column: string) => {
    if (column === sortColumn) setSortOrder(sortOrder === 'desc' ? 'asc' : 'desc');
    else {
      setSortColumn(column);
      setSortOrder('desc');
    }
  };

  const download = async (format: (typeof EXPORT_FORMATS)[number]) => {
    setExportError(null);
    try {
      const exportParams: ApiCallParams = { ...params, filter_limit: -1 };
      const blob = await exportReport(report.method, format, exportParams, sessionToken);
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = `${report.method}-${props.selection.date.replace(',', '_')}.${format}`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 0);
    } catch (failure) {
      setExportError(describeError(failure));
    }
  };

  return (
    <section class="panel report" aria-labelledby="report-title" aria-busy={loading}>
      <h2 id="report-title">{report.name}</h2>
      <div class="report-controls">
        <form role="search" class="field inline" onSubmit={(event) => { event.preventDefault(); setAppliedPattern(pattern.trim()); }}>
          <label class="field inline">
            <span>Search</span>
            <input type="search" name="filter_pattern" value={pattern} onInput={(event) => setPattern(event.currentTarget.value)} />
          </label>
          <button type="submit">Search</button>
        </form>
        <label class="field inline">
          <span>Rows</span>
          <select name="filter_limit" value={String(limit)} onChange={(event) => setLimit(Number(event.currentTarget.value))}>
            {ROW_LIMITS.map((count) => <option key={count} value={String(count)}>{count}</option>)}
          </select>
        </label>
        {report.chart && (
          <label class="field inline">
            <span>View</span>
            <select name="visualization" value={visualization} onChange={(event) => setVisualization(event.currentTarget.value as ReportVisualization)}>
              <option value="table">Table</option>
              <option value={report.chart}>{report.chart === 'bar' ? 'Bar chart' : 'Pie chart'}</option>
            </select>
          </label>
        )}
        <div class="export" role="group" aria-label="Export">
          <span class="muted">Export</span>
          {EXPORT_FORMATS.map((format) => <button type="button" key={format} onClick={() => download(format)}>{format.toUpperCase()}</button>)}
        </div>
      </div>
      <button type="button" class="evolution-toggle" aria-expanded={showEvolution} onClick={() => setShowEvolution(!showEvolution)}>
        {showEvolution ? 'Hide the evolution graph' : 'Show the evolution graph'}
      </button>
      {showEvolution && rows !== null && (
        <ReportEvolution
          key={report.method} report={report} metrics={listPresentMetrics(report.metrics, rows)} siteId={props.siteId} selection={props.selection} segment={props.segment} today={props.today}
          accentColor={props.accentColor} rowLabels={rows.map((row) => row.label)} sessionToken={sessionToken} onSessionInvalid={onSessionInvalid}
        />
      )}
      {exportError && <p class="notice error" role="alert">The export failed: {exportError}</p>}
      {error && <p class="notice error" role="alert">{error}</p>}
      {!error && rows === null && <p class="muted" aria-busy="true">Loading the report…</p>}
      {rows !== null && rows.length === 0 && (
        <p class="notice" role="status">{appliedPattern !== '' ? `No row matches '${appliedPattern}'. Clear the search to see every row.` : 'No data for this period and segment. Pick another period, or check that the tracking code is installed.'}</p>
      )}
      {rows !== null && rows.length > 0 && visualization === 'table' && (
        <ReportTable {...props} rows={rows} sortColumn={sortColumn} sortOrder={sortOrder} onSort={sortBy} />
      )}
      {rows !== null && rows.length > 0 && visualization !== 'table' && (
        <ShareChart rows={rows} metric={report.metrics[0] ?? 'nb_visits'} kind={visualization} />
      )}
    </section>
  );
}

interface ReportTableProps extends ReportViewProps {
  rows: ReportRow[];
  sortColumn: string;
  sortOrder: 'desc' | 'asc';
  onSort(column: string): void;
}

/** Returns the `aria-sort` value of a column and the arrow shown after its name. */
function describeSort(column: string, sortColumn: string, sortOrder: 'desc' | 'asc'): { ariaSort?: 'descending' | 'ascending'; arrow: string } {
  if (column !== sortColumn) return { arrow: '' };
  return sortOrder === 'desc' ? { ariaSort: 'descending', arrow: ' ↓' } : { ariaSort: 'ascending', arrow: ' ↑' };
}

function ReportTable(props: ReportTableProps) {
  const { report, rows, sortColumn, sortOrder, onSort } = props;
  return (
    <div class="table-scroll">
      <table class="data-table report-table">
        <thead>
          <tr>
            <th scope="col">{report.dimension}</th>
            {report.metrics.map((metric) => {
              const sort = describeSort(metric, sortColumn, sortOrder);
              return (
                <th scope="col" key={metric} aria-sort={sort.ariaSort}>
                  <button type="button" class="sort-button" onClick={() => onSort(metric)}>{METRIC_NAMES[metric] ?? metric}{sort.arrow}</button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => <ReportTableRow key={`${row.label}-${index}`} {...props} row={row} depth={0} />)}
        </tbody>
      </table>
    </div>
  );
}

/** Shows a row and, once expanded, the rows of its subtable (`idSubtable`) below it. */
function ReportTableRow(props: ReportTableProps & { row: ReportRow; depth: number }) {
  const { report, row, depth, sessionToken } = props;
  const [children, setChildren] = useState<ReportRow[] | null>(null);
  const [expanded, setExpanded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const subtableId = row.idsubdatatable;

  const toggle = () => {
    if (expanded) {
      setExpanded(false);
      return;
    }
    setExpanded(true);
    if (children !== null) return;
    callApi<ReportRow[]>(report.method, { ...baseParams(props), idSubtable: String(subtableId), filter_limit: 100 }, sessionToken)
      .then((result) => setChildren(Array.isArray(result) ? result : []), (failure: unknown) => setError(describeError(failure)));
  };

  return (
    <>
      <tr class={depth > 0 ? 'subtable-row' : undefined}>
        <th scope="row" class={`depth-${Math.min(depth, 3)}`}>
          {subtableId !== undefined
            ? <button type="button" class="expand-button" aria-expanded={expanded} onClick={toggle}>{expanded ? '▾' : '▸'} {row.label}</button>
            : row.label}
        </th>
        {report.metrics.map((metric) => <td key={metric}>{formatValue(row[metric])}</td>)}
      </tr>
      {expanded && error && <tr><td colSpan={report.metrics.length + 1} class="notice error" role="alert">{error}</td></tr>}
      {expanded && children === null && !error && <tr><td colSpan={report.metrics.length + 1} class="muted">Loading…</td></tr>}
      {expanded && children?.map((child, index) => <ReportTableRow key={`${child.label}-${index}`} {...props} row={child} depth={depth + 1} />)}
    </>
  );
}

const PIE_COLORS = ['var(--accent)', '#8250df', '#bf8700', '#1a7f37', '#cf222e', '#0969da', '#6e7781'];

/** Shows each row's share of the first metric as bars, or as a pie of the top six and 'Others'. */
function ShareChart({ rows, metric, kind }: { rows: ReportRow[]; metric: string; kind: 'bar' | 'pie' }) {
  const values = rows.map((row) => ({ label: row.label, value: Number.parseFloat(String(row[metric] ?? 0)) || 0 }));
  const total = values.reduce((sum, entry) => sum + entry.value, 0) || 1;
  if (kind === 'bar') {
    const max = Math.max(...values.map((entry) => entry.value), 1);
    return (
      <ul class="bar-chart" aria-label={`${METRIC_NAMES[metric] ?? metric} per row`}>
        {values.map((entry, index) => (
          <li key={`${entry.label}-${index}`}>
            <span class="bar-label">{entry.label}</span>
            <span class="bar-track"><span class="bar" style={{ width: `${(entry.value / max) * 100}%` }} /></span>
            <span class="bar-value">{formatValue(entry.value)}</span>
          </li>
        ))}
      </ul>
    );
  }
  const top = values.slice(0, PIE_COLORS.length - 1);
  const rest = values.slice(PIE_COLORS.length - 1).reduce((sum, entry) => sum + entry.value, 0);
  const slices = rest > 0 ? [...top, { label: 'Others', value: rest }] : top;
  let start = 0;
  const stops = slices.map((slice, index) => {
    const end = start + (slice.value / total) * 360;
    const stop = `${PIE_COLORS[index]} ${start}deg ${end}deg`;
    start = end;
    return stop;
  });
  return (
    <div class="pie-chart">
      <div class="pie" role="img" aria-label={slices.map((slice) => `${slice.label}: ${Math.round((slice.value / total) * 100)}%`).join(', ')} style={{ background: `conic-gradient(${stops.join(', ')})` }} />
      <ul class="legend">
        {slices.map((slice, index) => (
          <li key={slice.label}><span class="swatch" style={{ background: PIE_COLORS[index] }} />{slice.label}: {Math.round((slice.value / total) * 100)}%</li>
        ))}
      </ul>
    </div>
  );
}
