/** Archiving of Goals: conversions and revenue of all goals and of each goal, split by new and returning visits. */
import { sql } from 'kysely';
import type { LogQuery } from '../../archiving/log-query.js';
import type { ReportArchiver } from '../../archiving/report-archiver.js';

/** The visit groups of Goals.get: a returning visit has `visitor_returning` 1 or 2, a new one 0 or null. */
const VISITOR_GROUP = sql<number>`case when ${sql.ref('log_conversion.visitor_returning')} >= 1 then 1 else 0 end`;

/**
 * Loads conversions grouped by visitor group, and by goal when `byGoal` (idgoal 0 otherwise).
 * Conversions count in the period of their own time; e-commerce orders and carts (idgoal 0
 * and -1) are left out of the goal metrics.
 */
async function loadConversions(query: LogQuery, byGoal: boolean) {
  // Grouping by position, as PostgreSQL would not match repeated expressions with bound values.
  let select = query.db.selectFrom('log_conversion')
    .where('log_conversion.idsite', '=', query.siteId)
    .where('log_conversion.server_time', '>=', query.bounds.start)
    .where('log_conversion.server_time', '<', query.bounds.end)
    .where('log_conversion.idgoal', '>', 0);
  if (query.segment) {
    const matchingVisits = query.db.selectFrom('log_visit').select('log_visit.idvisit').where('log_visit.idsite', '=', query.siteId).where(query.segment.visits);
    select = select.where('log_conversion.idvisit', 'in', matchingVisits);
  }
  const rows = await select.select([
    byGoal ? sql<number>`${sql.ref('log_conversion.idgoal')}`.as('idgoal') : sql<number>`0`.as('idgoal'),
    VISITOR_GROUP.as('returning'),
    sql<number>`count(*)`.as('nb_conversions'),
    sql<number>`count(distinct ${sql.ref('log_conversion.idvisit')})`.as('nb_visits_converted'),
    sql<number>`sum(coalesce(${sql.ref('log_conversion.revenue')}, 0))`.as('revenue'),
  ]).groupBy([sql.raw('1'), sql.raw('2')]).execute();
  return rows.map((row) => ({
    idgoal: Number(row.idgoal), returning: Number(row.returning) === 1,
    metrics: { nb_conversions: Number(row.nb_conversions), nb_visits_converted: Number(row.nb_visits_converted), revenue: Number(row.revenue) },
  }));
}

/** Order and cart metrics summed from `log_conversion`, stored as `Goal_<record>_<name>`. */
const ORDER_SUMS = ['revenue', 'items', 'revenue_subtotal', 'revenue_tax', 'revenue_shipping', 'revenue_discount'] as const;

/** The e-commerce records of Goals.get: `log_conversion.idgoal` and Matomo's name for each. */
const ECOMMERCE_RECORDS = [
  { idgoal: 0, name: 'ecommerceOrder' },
  { idgoal: -1, name: 'ecommerceAbandonedCart' },
] as const;

/**
 * Loads the day's e-commerce orders (idgoal 0) or abandoned carts (idgoal -1) as
 * `Goal_<record>_*` numerics, or none when the day has no such row.
 */
async function loadEcommerce(query: LogQuery, record: (typeof ECOMMERCE_RECORDS)[number]): Promise<Record<string, number>> {
  let select = query.db.selectFrom('log_conversion')
    .where('log_conversion.idsite', '=', query.siteId)
    .where('log_conversion.server_time', '>=', query.bounds.start)
    .where('log_conversion.server_time', '<', query.bounds.end)
    .where('log_conversion.idgoal', '=', record.idgoal);
  if (query.segment) {
    const matchingVisits = query.db.selectFrom('log_visit').select('log_visit.idvisit').where('log_visit.idsite', '=', query.siteId).where(query.segment.visits);
    select = select.where('log_conversion.idvisit', 'in', matchingVisits);
  }
  const row = await select.select([
    sql<number>`count(*)`.as('nb_conversions'),
    sql<number>`count(distinct ${sql.ref('log_conversion.idvisit')})`.as('nb_visits_converted'),
    ...ORDER_SUMS.map((name) => sql<number>`sum(coalesce(${sql.ref(`log_conversion.${name}`)}, 0))`.as(name)),
  ]).executeTakeFirst() as Record<string, unknown> | undefined;
  if (!row || Number(row.nb_conversions) === 0) return {};
  const names = ['nb_conversions', 'nb_visits_converted', ...ORDER_SUMS];
  return Object.fromEntries(names.map((name) => [`Goal_${record.name}_${name}`, Number(row[name] ?? 0)]));
}

function add(numerics: Record<string, number>, prefix: string, suffix: string, metrics: Record<string, number>): void {
  for (const [name, value] of Object.entries(metrics)) {
    const key = `${prefix}${name}${suffix}`;
    numerics[key] = (numerics[key] ?? 0) + value;
  }
}

/**
 * Computes the goal metrics of a day as numerics named as Matomo names its goal records:
 * `Goal_nb_conversions` for all goals and `Goal_<idgoal>_nb_conversions` for one, each
 * also with `_new_visit` and `_returning_visit`.
 * A visit converting two goals counts once in `Goal_nb_visits_converted`.
 */
export const goalsArchiver: ReportArchiver = {
  module: 'Goals',

  async archiveDay(query) {
    const numerics: Record<string, number> = {};
    for (const byGoal of [false, true]) {
      for (const row of await loadConversions(query, byGoal)) {
        const prefix = byGoal ? `Goal_${row.idgoal}_` : 'Goal_';
        add(numerics, prefix, '', row.metrics);
        add(numerics, prefix, row.returning ? '_returning_visit' : '_new_visit', row.metrics);
      }
    }
    for (const record of ECOMMERCE_RECORDS) Object.assign(numerics, await loadEcommerce(query, record));
    return { numerics, reports: {} };
  },
};
