/** Archiving of VisitFrequency: the VisitsSummary metrics of new and of returning visits. */
import { sql } from 'kysely';
import type { LogQuery } from '../../archiving/log-query.js';
import type { ReportArchiver } from '../../archiving/report-archiver.js';
import { loadSummaryMetrics, loadUniques } from '../VisitsSummary/visits-summary-archiver.js';

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

/** Computes the VisitFrequency metrics of a day: each VisitsSummary metric with `_new` and `_returning`. */
export const visitFrequencyArchiver: ReportArchiver = {
  module: 'VisitFrequency',
  nonAdditiveMetrics: ['nb_uniq_visitors_new', 'nb_users_new', 'nb_uniq_visitors_returning', 'nb_users_returning'],

  async archiveDay(query) {
    const numerics: Record<string, number> = {};
    for (const [suffix, condition] of Object.entries(GROUPS)) Object.assign(numerics, withSuffix(await loadSummaryMetrics(query, condition()), suffix));
    return { numerics, reports: {} };
  },

  archiveNonAdditive: loadGroupUniques,
};
