/**
 * Matomo's goal view of report rows (`filter_update_columns_when_show_all_goals`): revenue
 * per visit, and per-goal conversion rates, conversions, revenue and revenue per visit
 * (with average order revenue and items in an e-commerce view), computed from a row's
 * `goals` breakdown.
 */
import type { ApiParams } from '../api/api-params.js';
import type { ApiObject } from '../api/api-value.js';
import { FootfallError, quote } from '../errors.js';
import type { OutputRow } from './datatable-filters.js';
import { roundTo } from './visit-metrics.js';

/** `idGoal` values of the goal view: only revenue per visit, also conversion rates per goal, or every per-goal metric. */
const MINIMAL = -2;
const OVERVIEW = -1;
const FULL_TABLE = 0;

/** The `idGoal` values that select an e-commerce record: orders, or carts left without an order. */
const ECOMMERCE_GOALS = ['ecommerceOrder', 'ecommerceAbandonedCart'] as const;

/** A goal view: -2, -1, 0, a goal id, or an e-commerce record, which also adds its average order revenue and items. */
export type GoalView = number | (typeof ECOMMERCE_GOALS)[number];

/**
 * Reads the goal view of a request: null without `filter_update_columns_when_show_all_goals`,
 * otherwise `idGoal` (default -1). -2 adds revenue per visit, -1 also each goal's conversion rate,
 * 0 every per-goal metric, and a goal id or `ecommerceOrder` or `ecommerceAbandonedCart` every
 * metric of that goal only.
 *
 * @throws FootfallError PARAMETER_INVALID for any other idGoal.
 */
export function parseGoalView(params: ApiParams): GoalView | null {
  if (!params.has('filter_update_columns_when_show_all_goals')) return null;
  const raw = params.string('idGoal', String(OVERVIEW)).trim();
  if (raw === '') return OVERVIEW;
  const ecommerce = ECOMMERCE_GOALS.find((name) => name === raw);
  if (ecommerce) return ecommerce;
  if (!/^-?[0-9]+$/.test(raw) || Number(raw) < MINIMAL) {
    throw new FootfallError('PARAMETER_INVALID', `Invalid idGoal ${quote(raw)} for filter_update_columns_when_show_all_goals. Use -2, -1, 0, the id of a goal, ecommerceOrder or ecommerceAbandonedCart.`);
  }
  return Number(raw);
}

function numberOf(value: unknown): number {
  return typeof value === 'number' ? value : Number(value ?? 0) || 0;
}

/** Returns whether a view shows the goal of this `goals` key, without the `idgoal=` prefix. */
function showsGoal(view: GoalView, idGoal: string): boolean {
  if (typeof view === 'string' || view > FULL_TABLE) return idGoal === String(view);
  return true;
}

/** Returns the goal columns of one row, or none when the row has no conversions. */
function goalColumns(row: OutputRow, view: GoalView): ApiObject {
  const goals = row.goals as Record<string, ApiObject> | undefined;
  if (!goals) return {};
  const visits = numberOf(row.nb_visits);
  const conversions = numberOf(row.nb_conversions);
  let revenue = 0;
  // Abandoned carts are lost revenue, so Matomo leaves them out of revenue per visit.
  for (const [key, metrics] of Object.entries(goals)) {
    if (key !== 'idgoal=ecommerceAbandonedCart') revenue += numberOf(metrics.revenue);
  }

  // A row with conversions but no visits divides by its conversions, as Matomo does.
  const divisor = visits === 0 ? conversions : visits;
  const columns: ApiObject = { revenue_per_visit: divisor === 0 ? 0 : roundTo(revenue / divisor, 2) };
  if (view === MINIMAL) return columns;

  for (const [key, metrics] of Object.entries(goals)) {
    const idGoal = key.replace('idgoal=', '');
    if (!showsGoal(view, idGoal)) continue;
    const goalConversions = numberOf(metrics.nb_conversions);
    columns[`goal_${idGoal}_conversion_rate`] = `${visits === 0 ? 0 : roundTo((100 * goalConversions) / visits, 2)}%`;
    if (view === OVERVIEW) continue;
    const goalRevenue = numberOf(metrics.revenue);
    const goalDivisor = visits === 0 ? goalConversions : visits;
    columns[`goal_${idGoal}_nb_conversions`] = goalConversions;
    columns[`goal_${idGoal}_revenue_per_visit`] = goalDivisor === 0 ? 0 : roundTo(goalRevenue / goalDivisor, 2);
    columns[`goal_${idGoal}_revenue`] = goalRevenue;
    if (typeof view !== 'string') continue;
    columns[`goal_${idGoal}_avg_order_revenue`] = goalConversions === 0 ? 0 : roundTo(goalRevenue / goalConversions, 2);
    columns[`goal_${idGoal}_items`] = numberOf(metrics.items);
  }
  return columns;
}

/**
 * Adds the goal view's columns to the rows of one table and of their subtables. Every row
 * of a table gets every goal column that some row has, with 0 (or `0%`) when it has no
 * conversions, so sorting by a goal column keeps such rows.
 */
export function addGoalViewColumns(rows: OutputRow[], view: GoalView): void {
  const expected = new Map<string, number | string>([['revenue_per_visit', 0]]);
  const added = rows.map((row) => goalColumns(row, view));
  for (const columns of added) {
    for (const name of Object.keys(columns)) expected.set(name, name.endsWith('_conversion_rate') ? '0%' : 0);
  }
  rows.forEach((row, index) => {
    for (const [name, fallback] of expected) row[name] = added[index]![name] ?? fallback;
    if (row.subtable) addGoalViewColumns(row.subtable, view);
  });
}
