/**
 * Checks of an archive's logs for data that most days lack (events, page timings, product
 * views, goal conversions), run once per LogQuery so the reports of that data skip their scans.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import { countWhere, type LogQuery } from '../archiving/log-query.js';
import { OPTIONAL_ACTION_COLUMNS } from '../db/migrations/014-optional-action-index.js';
import { PAGE_TIMINGS } from './PagePerformance/page-performance-archiver.js';

/** Summed milliseconds of one timing column and the number of actions with a value in it. */
export interface TimingSum {
  total: number;
  hits: number;
}

/**
 * Counts of the archive's actions (under its segment) with a value in columns that only some
 * reports read, and the sums of the page timings, which PagePerformance stores.
 */
export interface OptionalActionCounts {
  /** Actions with `idaction_event_category`, the events. */
  events: number;
  /** Actions with at least one page timing. */
  timings: number;
  /**
   * Sums by timing column, and under `page_load` the page load times: each action's timings
   * added with a missing one counted as 0, over the `timings` actions.
   */
  timingSums: Record<string, TimingSum>;
  /** Product page views with `idaction_product_sku`, `idaction_product_name` and `idaction_product_cat`. */
  productSkus: number;
  productNames: number;
  productCategories: number;
}

const actionCounts = new WeakMap<LogQuery, Promise<OptionalActionCounts>>();
const goalConversions = new WeakMap<LogQuery, Promise<boolean>>();

/**
 * Returns the WHERE term of the partial index `log_link_visit_action_idsite_servertime_optional`.
 * SQLite uses a partial index only for a query whose WHERE contains this same term.
 */
export function hasOptionalActionColumn(): Expression<SqlBool> {
  const columns = OPTIONAL_ACTION_COLUMNS.map((name) => sql.ref(`log_link_visit_action.${name}`));
  return sql<SqlBool>`coalesce(${sql.join(columns)}) is not null`;
}

async function loadOptionalActionCounts(query: LogQuery): Promise<OptionalActionCounts> {
  const column = (name: string) => sql.ref(`log_link_visit_action.${name}`);
  const timingColumns = PAGE_TIMINGS.map((timing) => column(timing.column));
  const anyTiming = sql<SqlBool>`coalesce(${sql.join(timingColumns)}) is not null`;

  // Summing over every action gives the sums over the actions with a timing, since the others add nothing.
  const timingSelections = PAGE_TIMINGS.flatMap((timing, index) => [
    sql<number>`sum(${timingColumns[index]})`.as(`${timing.column}_total`),
    sql<number>`count(${timingColumns[index]})`.as(`${timing.column}_hits`),
  ]);
  const pageLoad = sql.join(timingColumns.map((timingColumn) => sql`coalesce(${timingColumn}, 0)`), sql` + `);

  // Events are counted from the covering archive index without reading action rows. The other
  // columns are read only from the actions that have one of them, which SQLite and PostgreSQL
  // find through a partial index. The actions without any add nothing to these counts and sums.
  const events = await query.actions()
    .select(sql<number>`count(${column('idaction_event_category')})`.as('events'))
    .executeTakeFirstOrThrow();
  const row = await query.actions()
    .where(hasOptionalActionColumn())
    .select([
      countWhere(anyTiming).as('timings'),
      ...timingSelections,
      sql<number>`sum(${pageLoad})`.as('page_load_total'),
      sql<number>`count(${column('idaction_product_sku')})`.as('product_skus'),
      sql<number>`count(${column('idaction_product_name')})`.as('product_names'),
      sql<number>`count(${column('idaction_product_cat')})`.as('product_categories'),
    ])
    .executeTakeFirstOrThrow() as Record<string, unknown>;

  const timings = Number(row.timings ?? 0);
  const timingSums: Record<string, TimingSum> = {};
  for (const timing of PAGE_TIMINGS) {
    timingSums[timing.column] = { total: Number(row[`${timing.column}_total`] ?? 0), hits: Number(row[`${timing.column}_hits`] ?? 0) };
  }
  timingSums.page_load = { total: Number(row.page_load_total ?? 0), hits: timings };

  return {
    events: Number(events.events),
    timings,
    timingSums,
    productSkus: Number(row.product_skus),
    productNames: Number(row.product_names),
    productCategories: Number(row.product_categories),
  };
}

/** Returns the counts of the archive's actions with optional columns, from two queries on the first call. */
export function countOptionalActions(query: LogQuery): Promise<OptionalActionCounts> {
  let counts = actionCounts.get(query);
  if (!counts) {
    counts = loadOptionalActionCounts(query);
    actionCounts.set(query, counts);
  }
  return counts;
}

/** Returns whether the site has a goal conversion (idgoal above 0) in the archive's bounds, under any segment. */
export function hasGoalConversions(query: LogQuery): Promise<boolean> {
  let found = goalConversions.get(query);
  if (!found) {
    found = query.db.selectFrom('log_conversion').select('log_conversion.idvisit')
      .where('log_conversion.idsite', '=', query.siteId)
      .where('log_conversion.server_time', '>=', query.bounds.start)
      .where('log_conversion.server_time', '<', query.bounds.end)
      .where('log_conversion.idgoal', '>', 0)
      .limit(1)
      .executeTakeFirst()
      .then((row) => row !== undefined);
    goalConversions.set(query, found);
  }
  return found;
}
