/** The Goals page: conversions of all goals and of each goal from `Goals.get`, for the selected period and segment. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, callApi, type ApiCallParams } from '../api-client';
import type { Selection } from '../periods';

/** Props of the goals page. */
export interface GoalsOverviewProps {
  site: { idsite: number; name: string };
  selection: Selection;
  segment: string;
  sessionToken: string | null;
  onSessionInvalid(): void;
}

/** `Goals.get` for one period, or `[]` when the period has no visits. */
type GoalMetrics = Record<string, number | string> | [];

/** One row of the table: 'All goals' or one goal, with its metrics. */
interface GoalRow {
  name: string;
  metrics: Record<string, number | string>;
}

const COLUMNS: readonly [string, string][] = [
  ['nb_conversions', 'Conversions'], ['nb_visits_converted', 'Converted visits'], ['conversion_rate', 'Conversion rate'], ['revenue', 'Revenue'],
];

/** Loads and shows the conversions of every goal of the site. */
export function GoalsOverview({ site, selection, segment, sessionToken, onSessionInvalid }: GoalsOverviewProps) {
  const [rows, setRows] = useState<GoalRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    const params: ApiCallParams = { idSite: site.idsite, period: selection.period, date: selection.date };
    if (segment !== '') params.segment = segment;
    const toMetrics = (result: GoalMetrics) => (Array.isArray(result) ? {} : result);
    const load = async (): Promise<GoalRow[]> => {
      const goals = Object.values(await callApi<Record<string, { idgoal: string; name: string }> | []>('Goals.getGoals', { idSite: site.idsite }, sessionToken, controller.signal));
      const all = await callApi<GoalMetrics>('Goals.get', params, sessionToken, controller.signal);
      const perGoal = await Promise.all(goals.map((goal) => callApi<GoalMetrics>('Goals.get', { ...params, idGoal: goal.idgoal }, sessionToken, controller.signal)));
      return [{ name: 'All goals', metrics: toMetrics(all) }, ...goals.map((goal, index) => ({ name: goal.name, metrics: toMetrics(perGoal[index]!) }))];
    };
    setRows(null);
    setError(null);
    load().then(setRows).catch((failure: unknown) => {
      if (controller.signal.aborted) return;
      if (failure instanceof ApiError && failure.code === 'SESSION_INVALID') onSessionInvalid();
      else setError(failure instanceof Error ? failure.message : String(failure));
    });
    return () => controller.abort();
  }, [site.idsite, selection.period, selection.date, segment, sessionToken]);

  return (
    <section class="panel report" aria-labelledby="goals-title">
      <h2 id="goals-title">Goals</h2>
      {error && <p class="notice error" role="alert">{error}</p>}
      {!error && rows === null && <p class="muted" aria-busy="true">Loading goals…</p>}
      {rows !== null && rows.length === 1 && <p class="notice" role="status">This site has no goals yet. A superuser can add them under Administration, Goals.</p>}
      {rows !== null && rows.length > 1 && (
        <div class="table-scroll">
          <table class="data-table report-table">
            <thead><tr><th scope="col">Goal</th>{COLUMNS.map(([key, name]) => <th scope="col" key={key}>{name}</th>)}</tr></thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.name}><th scope="row">{row.name}</th>{COLUMNS.map(([key]) => <td key={key}>{String(row.metrics[key] ?? 0)}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
