/** Archiving of VisitsSummary: the site-wide visit metrics of a period. */
import { sql, type Expression } from 'kysely';
import type { LogQuery } from '../../archiving/log-query.js';
import type { ReportArchiver } from '../../archiving/report-archiver.js';
import { loadVisitTotals, type SummaryMetrics } from '../visit-metrics.js';

/** Counts unique visitors and users of the visits matching `where` (all visits when absent). */
export async function loadUniques(query: LogQuery, where?: Expression<unknown>): Promise<{ nb_uniq_visitors: number; nb_users: number }> {
  let select = query.visits();
  if (where) select = select.where(where as Expression<any>);
  const row = await select
    .select([
      sql<number>`count(distinct ${sql.ref('log_visit.idvisitor')})`.as('nb_uniq_visitors'),
      sql<number>`count(distinct ${sql.ref('log_visit.user_id')})`.as('nb_users'),
    ])
    .executeTakeFirstOrThrow();
  return { nb_uniq_visitors: Number(row.nb_uniq_visitors), nb_users: Number(row.nb_users) };
}

/** Returns the VisitsSummary metrics of one group of visits in the order Matomo lists them. */
export function toSummaryNumerics(metrics: SummaryMetrics): Record<string, number> {
  return {
    nb_uniq_visitors: metrics.nb_uniq_visitors, nb_users: metrics.nb_users,
    nb_visits: metrics.nb_visits, nb_actions: metrics.nb_actions, nb_visits_converted: metrics.nb_visits_converted,
    bounce_count: metrics.bounce_count, sum_visit_length: metrics.sum_visit_length, max_actions: metrics.max_actions,
  };
}

/** Computes nb_visits, nb_actions, bounces and the other VisitsSummary metrics; uniques for days, weeks and months only. */
export const visitsSummaryArchiver: ReportArchiver = {
  module: 'VisitsSummary',
  nonAdditiveMetrics: ['nb_uniq_visitors', 'nb_users'],

  async archiveDay(query) {
    return { numerics: toSummaryNumerics(await loadVisitTotals(query)), reports: {} };
  },

  archiveNonAdditive: (query) => loadUniques(query),
};
