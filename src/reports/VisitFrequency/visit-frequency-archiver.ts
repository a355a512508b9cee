/** Archiving of VisitFrequency: the VisitsSummary metrics of new and of returning visits. */
import { sql } from 'kysely';
import type { LogQuery } from '../../archiving/log-query.js';
import type { ReportArchiver } from '../../archiving/report-archiver.js';
import { loadUniques, toSummaryNumerics } from '../VisitsSummary/visits-summary-archiver.js';
import { loadSummaryMetricsBy, type SummaryMetrics } from '../visit-metrics.js';

/** The two visitor groups and the condition of each: a returning visit has `visitor_returning` 1 or 2 (a returning customer). */
const GROUPS = {
  returning: () => sql`${sql.ref('log_visit.visitor_returning')} >= 1`,
  new: () => sql`(${sql.ref('log_visit.visitor_returning')} is null or ${sql.ref('log_visit.visitor_returning')} = 0)`,
} as const;

function withSuffix(metrics: Record<string, number>, suffix: string): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).map(([name, value]) => [`${name}_${suffix}`, value]));
}

async function loadGroupUniques(query: LogQuery): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const [suffix, condition] of Object.entries(GROUPS)) Object.assign(result, withSuffix(await loadUniques(query, condition()), suffix));
  return result;
}

/** The metrics of a group without visits, as an aggregate over no rows gives them. */
const NO_VISITS: SummaryMetrics = {
  nb_uniq_visitors: 0, nb_visits: 0, nb_actions: 0, max_actions: 0, sum_visit_length: 0, bounce_count: 0, nb_visits_converted: 0, nb_users: 0,
};

/**
 * Returns the group name of a visit as a CASE expression over the conditions of GROUPS,
 * so one GROUP BY counts both groups. Visits in neither group get NULL.
 */
function groupExpression() {
  const branches = Object.entries(GROUPS).map(([suffix, condition]) => sql`when ${condition()} then ${suffix}`);
  return sql`case ${sql.join(branches, sql` `)} else null end`;
}

/** Computes the VisitFrequency metrics of a day: each VisitsSummary metric with `_new` and `_returning`. */
export const visitFrequencyArchiver: ReportArchiver = {
  module: 'VisitFrequency',
  nonAdditiveMetrics: ['nb_uniq_visitors_new', 'nb_users_new', 'nb_uniq_visitors_returning', 'nb_users_returning'],

  async archiveDay(query) {
    const groups = await loadSummaryMetricsBy(query, groupExpression());
    const numerics: Record<string, number> = {};
    for (const suffix of Object.keys(GROUPS)) {
      const metrics = groups.find((group) => group.value === suffix)?.metrics ?? NO_VISITS;
      Object.assign(numerics, withSuffix(toSummaryNumerics(metrics), suffix));
    }
    return { numerics, reports: {} };
  },

  archiveNonAdditive: loadGroupUniques,
};
