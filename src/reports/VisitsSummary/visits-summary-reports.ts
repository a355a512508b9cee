/** VisitsSummary.get: the site-wide visit metrics of a period. */
import type { ReportDefinition } from '../report-definition.js';
import { describeReport } from '../report-metadata.js';
import { pickInOrder } from '../report-values.js';
import { formatPercent, roundTo } from '../visit-metrics.js';

const STORED_METRICS = [
  'nb_uniq_visitors', 'nb_users', 'nb_visits', 'nb_actions', 'nb_visits_converted', 'bounce_count', 'sum_visit_length', 'max_actions',
] as const;

/** The VisitsSummary reports. */
export const VISITS_SUMMARY_REPORTS: readonly ReportDefinition[] = [
  {
    kind: 'metrics',
    name: 'VisitsSummary.get',
    description: 'Returns visits, unique visitors, actions, bounces and visit durations of a period.',
    metadata: describeReport({
      category: 'Visitors', subcategory: 'Overview', name: 'Visits Summary',
      metrics: ['nb_uniq_visitors', 'nb_visits', 'nb_users', 'nb_actions', 'max_actions', 'bounce_count', 'nb_visits_converted', 'sum_visit_length'],
      processedMetrics: ['bounce_rate', 'nb_actions_per_visit', 'avg_time_on_site'],
    }),
    build(numerics) {
      const visits = numerics.nb_visits ?? 0;
      if (visits === 0) return null;
      return {
        // Unique visitors and users exist only for days, weeks and months, so a year or range leaves them out.
        ...pickInOrder(numerics, STORED_METRICS),
        bounce_rate: formatPercent(numerics.bounce_count ?? 0, visits),
        nb_actions_per_visit: roundTo((numerics.nb_actions ?? 0) / visits, 1),
        avg_time_on_site: Math.round((numerics.sum_visit_length ?? 0) / visits),
      };
    },
  },
];
