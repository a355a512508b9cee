/** The visit metrics most reports share, aggregated in SQL by any visit dimension. */
import { sql, type Expression, type RawBuilder } from 'kysely';
import { countWhere, type LogQuery } from '../archiving/log-query.js';

/** Visit metrics in the order Matomo lists them in report rows. */
export const VISIT_METRIC_NAMES = [
  'nb_uniq_visitors', 'nb_visits', 'nb_actions', 'max_actions', 'sum_visit_length', 'bounce_count', 'nb_visits_converted',
] as const;

/** One visit metric. */
export type VisitMetricName = (typeof VISIT_METRIC_NAMES)[number];

/** A row of visit metrics grouped by dimension values `d0`, `d1`... */
export interface VisitMetricsRow {
  dimensions: (string | number | null)[];
  metrics: Record<VisitMetricName, number>;
}

function visitMetricSelections(): RawBuilder<unknown>[] {
  return [
    sql`count(distinct ${sql.ref('log_visit.idvisitor')})`.as('nb_uniq_visitors'),
    sql`count(*)`.as('nb_visits'),
    sql`sum(${sql.ref('log_visit.visit_total_actions')})`.as('nb_actions'),
    sql`max(${sql.ref('log_visit.visit_total_actions')})`.as('max_actions'),
    sql`sum(${sql.ref('log_visit.visit_total_time')})`.as('sum_visit_length'),
    // Matomo counts a visit of one action (or none) as a bounce.
    countWhere(sql`${sql.ref('log_visit.visit_total_actions')} <= 1`).as('bounce_count'),
    countWhere(sql`${sql.ref('log_visit.visit_goal_converted')} = 1`).as('nb_visits_converted'),
  ] as unknown as RawBuilder<unknown>[];
}

function toMetrics(row: Record<string, unknown>): Record<VisitMetricName, number> {
  return Object.fromEntries(VISIT_METRIC_NAMES.map((name) => [name, Number(row[name] ?? 0)])) as Record<VisitMetricName, number>;
}

/**
 * Aggregates visit metrics grouped by the given expressions over `log_visit`, in one
 * GROUP BY query. `where` narrows the visits (such as `referer_type = 3`).
 */
export async function loadVisitMetricsBy(query: LogQuery, dimensions: readonly Expression<unknown>[], where?: Expression<unknown>): Promise<VisitMetricsRow[]> {
  let select = query.visits() as any;
  if (where) select = select.where(where);
  const dimensionSelections = dimensions.map((dimension, index) => sql`${dimension}`.as(`d${index}`));
  select = select.select([...dimensionSelections, ...visitMetricSelections()]);
  // Grouping by position: PostgreSQL would not match a repeated expression whose bound values got new parameter numbers.
  if (dimensions.length > 0) select = select.groupBy(dimensions.map((_, index) => sql.raw(String(index + 1))));
  const rows = (await select.execute()) as Record<string, unknown>[];
  return rows.map((row) => ({
    dimensions: dimensions.map((_, index) => (row[`d${index}`] ?? null) as string | number | null),
    metrics: toMetrics(row),
  }));
}

/** Visit metrics of one group with `nb_users`, the distinct non-NULL user ids. */
export type SummaryMetrics = Record<VisitMetricName | 'nb_users', number>;

/** A group of `loadSummaryMetricsBy`: the dimension value (null without a dimension) and its metrics. */
export interface SummaryMetricsRow {
  value: string | number | null;
  metrics: SummaryMetrics;
}

const dayTotals = new WeakMap<LogQuery, Promise<SummaryMetrics>>();

/**
 * Aggregates visit metrics and `nb_users` over `log_visit` in one query, grouped by
 * `dimension` when given. Without it the result is one row of totals, zeros included.
 */
export async function loadSummaryMetricsBy(query: LogQuery, dimension?: Expression<unknown>): Promise<SummaryMetricsRow[]> {
  let select = query.visits() as any;
  const users = sql`count(distinct ${sql.ref('log_visit.user_id')})`.as('nb_users');
  select = select.select([...(dimension ? [sql`${dimension}`.as('d0')] : []), ...visitMetricSelections(), users]);
  if (dimension) select = select.groupBy(sql.raw('1'));
  const rows = (await select.execute()) as Record<string, unknown>[];
  return rows.map((row) => ({
    value: (row.d0 ?? null) as string | number | null,
    metrics: { ...toMetrics(row), nb_users: Number(row.nb_users ?? 0) },
  }));
}

/** Returns the visit metrics and `nb_users` of all the archive's visits, queried once per LogQuery for the reports that share them. */
export function loadVisitTotals(query: LogQuery): Promise<SummaryMetrics> {
  let totals = dayTotals.get(query);
  if (!totals) {
    totals = loadSummaryMetricsBy(query).then((rows) => rows[0]!.metrics);
    dayTotals.set(query, totals);
  }
  return totals;
}

/** Returns the visit metrics of a summary in the order of VISIT_METRIC_NAMES, without `nb_users`. */
export function visitMetricsOf(metrics: SummaryMetrics): Record<VisitMetricName, number> {
  return Object.fromEntries(VISIT_METRIC_NAMES.map((name) => [name, metrics[name]])) as Record<VisitMetricName, number>;
}

/** Rounds as PHP's round() does for the ratios Matomo reports. */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** Formats a ratio as Matomo's default `format_metrics=bc` output does: `50%`. */
export function formatPercent(part: number, whole: number): string {
  if (whole === 0) return '0%';
  return `${roundTo((part / whole) * 100, 0)}%`;
}
