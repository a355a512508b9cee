/** The visits overview: key metrics of the selected period from `VisitsSummary.get`, and their evolution. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, callApi } from '../api-client';
import { evolutionQuery, labelStartSeconds, overviewQuery, type Selection } from '../periods';
import { EvolutionChart, type EvolutionPoint } from './evolution-chart';
import { TrackingCode } from './tracking-code';

/** Props of the overview. */
export interface VisitsOverviewProps {
  site: { idsite: number; name: string };
  selection: Selection;
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
  | { kind: 'ready'; summary: Record<string, number | string>; points: EvolutionPoint[] };

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

function toPoints(evolution: Record<string, VisitsSummary>): EvolutionPoint[] {
  return Object.entries(evolution).flatMap(([label, value]) => {
    const time = labelStartSeconds(label);
    if (time === null) return [];
    const visits = Array.isArray(value) ? 0 : Number(value.nb_visits ?? 0);
    return [{ time, label, visits }];
  });
}

/** Loads and shows the overview of one site and selection, with loading, error and empty states. */
export function VisitsOverview({ site, selection, today, sessionToken, accentColor, onSessionInvalid }: VisitsOverviewProps) {
  const [state, setState] = useState<OverviewState>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setState({ kind: 'loading' });
    const idSite = site.idsite;
    Promise.all([
      callApi<VisitsSummary>('VisitsSummary.get', { idSite, ...overviewQuery(selection) }, sessionToken, controller.signal),
      callApi<Record<string, VisitsSummary>>('VisitsSummary.get', { idSite, ...evolutionQuery(selection, today) }, sessionToken, controller.signal),
    ]).then(([summary, evolution]) => {
      setState({ kind: 'ready', summary: Array.isArray(summary) ? {} : summary, points: toPoints(evolution) });
    }).catch((error: unknown) => {
      if (controller.signal.aborted) return;
      if (error instanceof ApiError && error.code === 'SESSION_INVALID') onSessionInvalid();
      else setState({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
    });
    return () => controller.abort();
  }, [site.idsite, selection.period, selection.date, sessionToken, attempt]);

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

  const hasData = Number(state.summary.nb_visits ?? 0) > 0 || state.points.some((point) => point.visits > 0);
  if (!hasData) return <TrackingCode siteId={site.idsite} siteName={site.name} sessionToken={sessionToken} />;

  return (
    <section class="panel" aria-labelledby="overview-title">
      <h2 id="overview-title" class="visually-hidden">Visits overview</h2>
      <dl class="metrics">
        {METRICS.map((metric) => (
          <div class="metric" key={metric.key}>
            <dt>{metric.name}</dt>
            <dd>{metric.format(state.summary[metric.key] ?? 0)}</dd>
          </div>
        ))}
      </dl>
      <EvolutionChart points={state.points} accentColor={accentColor} granularity={evolutionQuery(selection, today).period} />
    </section>
  );
}
