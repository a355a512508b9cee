/** Report tables of visit metrics grouped by one visit dimension, optionally with a second one as subtables. */
import { sql, type Expression } from 'kysely';
import type { LogQuery } from '../archiving/log-query.js';
import { combineMetric, type ReportRow } from '../archiving/report-table.js';
import { hasGoalConversions } from './log-contents.js';
import { loadVisitMetricsBy, type VisitMetricsRow } from './visit-metrics.js';

/** A dimension value as the database returns it. */
export type DimensionValue = string | number | null;

/** The label and metadata a report gives one dimension value. */
export interface RowDescription {
  label: string;
  metadata?: Record<string, string | number>;
}

/** How to build one table: its dimensions, the visits it counts, and how values become rows. */
export interface DimensionTableSpec {
  dimension: Expression<unknown>;
  /** A second dimension whose values become the subtable of each row. */
  subDimension?: Expression<unknown>;
  where?: Expression<unknown>;
  describe(value: DimensionValue): RowDescription;
  describeSub?(parentValue: DimensionValue, value: DimensionValue): RowDescription;
  /** Values that get no subtable (such as direct entries in the referrer types). */
  hasSubtable?(value: DimensionValue): boolean;
}

function keyOf(value: DimensionValue): string {
  return value === null ? '\u0000null' : String(value);
}

function pairKeyOf(parent: DimensionValue, child: DimensionValue): string {
  return `${keyOf(parent)}\u0001${keyOf(child)}`;
}

function mergeRow(rows: Map<string, ReportRow>, description: RowDescription, metrics: Record<string, number>): ReportRow {
  const existing = rows.get(description.label);
  if (!existing) {
    const row: ReportRow = { label: description.label, metrics: { ...metrics }, ...(description.metadata ? { metadata: description.metadata } : {}) };
    rows.set(description.label, row);
    return row;
  }
  // Two stored values with one label (such as NULL and '' both "Unknown") add up.
  for (const [name, value] of Object.entries(metrics)) existing.metrics[name] = name in existing.metrics ? combineMetric(name, existing.metrics[name]!, value) : value;
  return existing;
}

/**
 * Builds the table of a visit dimension with one GROUP BY query per level. Rows come in
 * the order of their visits, most first.
 */
export async function archiveDimensionTable(query: LogQuery, spec: DimensionTableSpec): Promise<ReportRow[]> {
  const parents = await loadVisitMetricsBy(query, [spec.dimension], spec.where);
  const children = spec.subDimension && spec.describeSub ? await loadVisitMetricsBy(query, [spec.dimension, spec.subDimension], spec.where) : [];
  return buildDimensionTable(query, spec, parents, children);
}

/**
 * Builds the table of a visit dimension from visit metrics already grouped by the spec's
 * dimension (`parents`) and by the dimension and sub-dimension (`children`), so several
 * tables can share one GROUP BY. Goal metrics are still loaded per table.
 */
export async function buildDimensionTable(
  query: LogQuery, spec: DimensionTableSpec, parents: readonly VisitMetricsRow[], children: readonly VisitMetricsRow[],
): Promise<ReportRow[]> {
  const rows = new Map<string, ReportRow>();
  const rowByValue = new Map<string, ReportRow>();
  for (const parent of parents) {
    const value = parent.dimensions[0] ?? null;
    rowByValue.set(keyOf(value), mergeRow(rows, spec.describe(value), parent.metrics));
  }
  await addGoalMetrics(query, spec, rowByValue);

  if (spec.describeSub) {
    const subRows = new Map<ReportRow, Map<string, ReportRow>>();
    const subRowByValues = new Map<string, ReportRow>();
    for (const child of children) {
      const parentValue = child.dimensions[0] ?? null;
      if (spec.hasSubtable && !spec.hasSubtable(parentValue)) continue;
      const parentRow = rowByValue.get(keyOf(parentValue));
      if (!parentRow) continue;
      const siblings = subRows.get(parentRow) ?? new Map<string, ReportRow>();
      subRows.set(parentRow, siblings);
      const childValue = child.dimensions[1] ?? null;
      subRowByValues.set(pairKeyOf(parentValue, childValue), mergeRow(siblings, spec.describeSub(parentValue, childValue), child.metrics));
    }
    await addGoalMetrics(query, spec, subRowByValues, spec.subDimension);
    for (const [parentRow, siblings] of subRows) parentRow.subtable = sortByVisits([...siblings.values()]);
  }
  return sortByVisits([...rows.values()]);
}

/** Returns the `goals` key of a `log_conversion.idgoal`, with Matomo's names for e-commerce orders (0) and abandoned carts (-1). */
function goalKeyOf(idgoal: number): string {
  if (idgoal === 0) return 'ecommerceOrder';
  if (idgoal === -1) return 'ecommerceAbandonedCart';
  return String(idgoal);
}

/** Order sums that e-commerce rows carry beyond conversions and revenue, as Matomo's `goals` entries do. */
const ORDER_METRICS = ['revenue_subtotal', 'revenue_tax', 'revenue_shipping', 'revenue_discount', 'items'] as const;

/**
 * Adds the goal conversions of each row, by the conversion's time: `goal_<idgoal>_*`
 * metrics per goal, `goal_ecommerceOrder_*` (with the order sums and `items`) and
 * `goal_ecommerceAbandonedCart_*` (with `items`), and the totals `nb_conversions` and
 * `revenue`. Abandoned carts count in neither total, as Matomo leaves out their lost
 * revenue. Rows without conversions get none.
 */
async function addGoalMetrics(query: LogQuery, spec: DimensionTableSpec, rowByValue: Map<string, ReportRow>, subDimension?: Expression<unknown>): Promise<void> {
  if (rowByValue.size === 0 || !(await hasGoalConversions(query))) return;
  let select = query.db.selectFrom('log_conversion')
    .innerJoin('log_visit', 'log_visit.idvisit', 'log_conversion.idvisit')
    .where('log_conversion.idsite', '=', query.siteId)
    .where('log_conversion.server_time', '>=', query.bounds.start)
    .where('log_conversion.server_time', '<', query.bounds.end)
    .where('log_conversion.idgoal', '>=', -1) as any;
  if (query.segment) select = select.where(query.segment.visits);
  if (spec.where) select = select.where(spec.where);
  // With a sub-dimension the rows are subtable rows, keyed by both values, and the goal id is the third column.
  const groups = subDimension ? [spec.dimension, subDimension] : [spec.dimension];
  const rows = (await select.select([
    ...groups.map((dimension, index) => sql`${dimension}`.as(`d${index}`)),
    sql`${sql.ref('log_conversion.idgoal')}`.as('idgoal'),
    sql`count(*)`.as('nb_conversions'),
    sql`count(distinct ${sql.ref('log_conversion.idvisit')})`.as('nb_visits_converted'),
    sql`sum(coalesce(${sql.ref('log_conversion.revenue')}, 0))`.as('revenue'),
    ...ORDER_METRICS.map((name) => sql`sum(coalesce(${sql.ref(`log_conversion.${name}`)}, 0))`.as(name)),
  ]).groupBy(groups.map((_, index) => sql.raw(String(index + 1))).concat(sql.raw(String(groups.length + 1)))).execute()) as Record<string, unknown>[];

  for (const conversion of rows) {
    const parentValue = (conversion.d0 ?? null) as DimensionValue;
    const row = subDimension ? rowByValue.get(pairKeyOf(parentValue, (conversion.d1 ?? null) as DimensionValue)) : rowByValue.get(keyOf(parentValue));
    if (!row) continue;
    const idgoal = Number(conversion.idgoal);
    const prefix = `goal_${goalKeyOf(idgoal)}_`;
    const isCart = idgoal === -1;
    const metrics: Record<string, number> = {
      [`${prefix}nb_conversions`]: Number(conversion.nb_conversions),
      [`${prefix}nb_visits_converted`]: Number(conversion.nb_visits_converted),
      [`${prefix}revenue`]: Number(conversion.revenue),
      nb_conversions: isCart ? 0 : Number(conversion.nb_conversions),
      revenue: isCart ? 0 : Number(conversion.revenue),
    };
    if (idgoal === 0) {
      for (const name of ORDER_METRICS) metrics[`${prefix}${name}`] = Number(conversion[name]);
    }
    if (isCart) metrics[`${prefix}items`] = Number(conversion.items);
    for (const [name, value] of Object.entries(metrics)) row.metrics[name] = (row.metrics[name] ?? 0) + value;
  }
}

function sortByVisits(rows: ReportRow[]): ReportRow[] {
  return rows.sort((a, b) => (b.metrics.nb_visits ?? 0) - (a.metrics.nb_visits ?? 0) || a.label.localeCompare(b.label));
}

/**
 * Builds a flat table grouped by several visit dimensions at once, such as browser and
 * version. Each distinct combination is one row, and combinations with the same label add up.
 */
export async function archiveCombinedDimensionTable(
  query: LogQuery, dimensions: readonly Expression<unknown>[], describe: (values: DimensionValue[]) => RowDescription, where?: Expression<unknown>,
): Promise<ReportRow[]> {
  const rows = new Map<string, ReportRow>();
  for (const group of await loadVisitMetricsBy(query, dimensions, where)) mergeRow(rows, describe(group.dimensions), group.metrics);
  return sortByVisits([...rows.values()]);
}

/** Encodes a value for a row's `segment` metadata as Matomo does, so clients can pass it back unchanged. */
export function segmentValue(value: string): string {
  return encodeURIComponent(value);
}
