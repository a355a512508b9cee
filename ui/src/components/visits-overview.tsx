/** The visits overview: key metrics of the selected period from `VisitsSummary.get`, and the evolution of one of them. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, callApi, type ApiCallParams } from '../api-client';
import { evolutionQuery, labelStartSeconds, overviewQuery, type Selection } from '../periods';
import { EvolutionChart, type EvolutionPoint } from './evolution-chart';
import { TrackingCode } from './tracking-code';

/** Props of the overview; `segment` is a Matomo segment definition, '' for all visits. */
export interface VisitsOverviewProps {
  site: { idsite: number; name: string };
  selection: Selection;
  segment: string;
  today: string;
  sessionToken: string | null;
  accentColor: string;
  /** Called when the server no longer accepts the session, so the app can show the sign-in form. */
  onSessionInvalid(): void;
}

/** `VisitsSummary.get` for one period: metrics as numbers or strings, or `[]` when there is no data. */
type VisitsSummary = Record<string, number | string> | [];

type OverviewState =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; summary: Record<string, number | string>; evolution: Record<string, VisitsSummary> };

/** The metrics shown, in order, with how each value is written. */
const METRICS: readonly { key: string; name: string; format(value: number | string): string }[] = [
  { key: 'nb_visits', name: 'Visits', format: formatCount },
  { key: 'nb_uniq_visitors', name: 'Unique visitors', format: formatCount },
  { key: 'nb_actions', name: 'Actions', format: formatCount },
  { key: 'nb_actions_per_visit', name: 'Actions per visit', format: (value) => Number(value).toLocaleString('en', { maximumFractionDigits: 1 }) },
  { key: 'avg_time_on_site', name: 'Average visit duration', format: formatDuration },
  { key: 'bounce_rate', name: 'Bounce rate', format: (value) => (typeof value === 'string' ? value : `${value}%`) },
];

function formatCount(value: number | string): string {
  return Number(value).toLocaleString('en');
}

function formatDuration(value: number | string): string {
  const seconds = Math.round(Number(value));
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `${minutes} min ${seconds % 60} s` : `${seconds} s`;
}

/** Returns the points of one metric; rates such as '50%' are read as their number. */
function toPoints(evolution: Record<string, VisitsSummary>, metric: string): EvolutionPoint[] {
  return Object.entries(evolution).flatMap(([label, value]) => {
    const time = labelStartSeconds(label);
    if (time === null) return [];
    const raw = Array.isArray(value) ? 0 : value[metric] ?? 0;
    return [{ time, label, value: Number.parseFloat(String(raw)) || 0 }];
  });
}

/** Loads and shows the overview of one site and selection, with loading, error and empty states. */
export function VisitsOverview({ site, selection, segment, today, sessionToken, accentColor, onSessionInvalid }: VisitsOverviewProps) {
  const [state, setState] = useState<OverviewState>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [metric, setMetric] = useState('nb_visits');

  useEffect(() => {
    const controller = new AbortController();
    setState({ kind: 'loading' });
    const common: ApiCallParams = segment === '' ? { idSite: site.idsite } : { idSite: site.idsite, segment };
    Promise.all([
      callApi<VisitsSummary>('VisitsSummary.get', { ...common, ...overviewQuery(selection) }, sessionToken, controller.signal),
      callApi<Record<string, VisitsSummary>>('VisitsSummary.get', { ...common, ...evolutionQuery(selection, today) }, sessionToken, controller.signal),
    ]).then(([summary, evolution]) => {
      setState({ kind: 'ready', summary: Array.isArray(summary) ? {} : summary, evolution });
    }).catch((error: unknown) => {
      if (controller.signal.aborted) return;
      if (error instanceof ApiError && error.code === 'SESSION_INVALID') onSessionInvalid();
      else setState({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
    });
    return () => controller.abort();
  }, [site.idsite, selection.period, selection.date, segment, sessionToken, attempt]);

  if (state.kind === 'loading') {
    return <section class="panel" aria-busy="true"><p class="muted">Loading visits…</p><div class="skeleton" /></section>;
  }
  if (state.kind === 'error') {
    return (
      <section class="panel" role="alert">
        <h2>The visits overview could not be loaded</h2>
        <p class="notice error">{state.message}</p>
        <button type="button" onClick={() => setAttempt(attempt + 1)}>Try again</button>
      </section>
    );
  }

  const visitPoints = toPoints(state.evolution, 'nb_visits');
  const hasData = Number(state.summary.nb_visits ?? 0) > 0 || visitPoints.some((point) => point.value > 0);
  if (!hasData && segment === '') return <TrackingCode siteId={site.idsite} siteName={site.name} sessionToken={sessionToken} />;

  const metricName = METRICS.find((entry) => entry.key === metric)?.name ?? metric;
  return (
    <section class="panel" aria-labelledby="overview-title">
      <h2 id="overview-title" class="visually-hidden">Visits overview</h2>
      {!hasData && <p class="notice" role="status">No visits match this segment in the period. Change the segment or pick another period.</p>}
      <dl class="metrics">
        {METRICS.map((entry) => (
          <div class="metric" key={entry.key} data-metric={entry.key}>
            <dt>{entry.name}</dt>
            <dd>{entry.format(state.summary[entry.key] ?? 0)}</dd>
          </div>
        ))}
      </dl>
      <label class="field inline">
        <span>Graph of</span>
        <select name="evolution-metric" value={metric} onChange={(event) => setMetric(event.currentTarget.value)}>
          {METRICS.map((entry) => <option key={entry.key} value={entry.key}>{entry.name}</option>)}
        </select>
      </label>
      <EvolutionChart points={toPoints(state.evolution, metric)} metricName={metricName} accentColor={accentColor} granularity={evolutionQuery(selection, today).period} />
    </section>
  );
}
