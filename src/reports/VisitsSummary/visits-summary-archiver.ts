/** Archiving of VisitsSummary: the site-wide visit metrics of a period. */
import { sql } from 'kysely';
import type { LogQuery } from '../../archiving/log-query.js';
import type { ReportArchiver } from '../../archiving/report-archiver.js';
import { loadVisitMetricsBy } from '../visit-metrics.js';

async function loadUniques(query: LogQuery): Promise<Record<string, number>> {
  const row = await query.visits()
    .select([
      sql<number>`count(distinct ${sql.ref('log_visit.idvisitor')})`.as('nb_uniq_visitors'),
      sql<number>`count(distinct ${sql.ref('log_visit.user_id')})`.as('nb_users'),
    ])
    .executeTakeFirstOrThrow();
  return { nb_uniq_visitors: Number(row.nb_uniq_visitors), nb_users: Number(row.nb_users) };
}

/** Computes nb_visits, nb_actions, bounces and the other VisitsSummary metrics; uniques for days, weeks and months only. */
export const visitsSummaryArchiver: ReportArchiver = {
  module: 'VisitsSummary',
  nonAdditiveMetrics: ['nb_uniq_visitors', 'nb_users'],

  async archiveDay(query) {
    const [totals] = await loadVisitMetricsBy(query, []);
    const metrics = totals!.metrics;
    const uniques = await loadUniques(query);
    return {
      numerics: {
        nb_uniq_visitors: uniques.nb_uniq_visitors!, nb_users: uniques.nb_users!,
        nb_visits: metrics.nb_visits, nb_actions: metrics.nb_actions, nb_visits_converted: metrics.nb_visits_converted,
        bounce_count: metrics.bounce_count, sum_visit_length: metrics.sum_visit_length, max_actions: metrics.max_actions,
      },
      reports: {},
    };
  },

  archiveNonAdditive: loadUniques,
};
