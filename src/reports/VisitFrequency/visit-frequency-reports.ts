/** VisitFrequency.get: the visit metrics of returning and of new visitors. */
import type { ApiObject } from '../../api/api-value.js';
import type { ReportDefinition } from '../report-definition.js';
import { describeReport, type ReportMetadata } from '../report-metadata.js';
import { formatPercent, roundTo } from '../visit-metrics.js';

const STORED_METRICS = ['nb_uniq_visitors', 'nb_users', 'nb_visits', 'nb_actions', 'nb_visits_converted', 'bounce_count', 'sum_visit_length', 'max_actions'] as const;

function groupMetrics(numerics: Readonly<Record<string, number>>, suffix: string): ApiObject {
  const result: ApiObject = {};
  for (const name of STORED_METRICS) {
    const key = `${name}_${suffix}`;
    if (key in numerics) result[key] = numerics[key]!;
  }
  const visits = numerics[`nb_visits_${suffix}`] ?? 0;
  result[`bounce_rate_${suffix}`] = formatPercent(numerics[`bounce_count_${suffix}`] ?? 0, visits);
  result[`nb_actions_per_visit_${suffix}`] = visits === 0 ? 0 : roundTo((numerics[`nb_actions_${suffix}`] ?? 0) / visits, 1);
  result[`avg_time_on_site_${suffix}`] = visits === 0 ? 0 : Math.round((numerics[`sum_visit_length_${suffix}`] ?? 0) / visits);
  return result;
}

const PROCESSED_METRICS = ['bounce_rate', 'nb_actions_per_visit', 'avg_time_on_site'] as const;

/** Returns the metadata of VisitFrequency.get, whose metrics are VisitsSummary's with `_returning` and `_new` added. */
function describeFrequencyReport(): ReportMetadata {
  const groups = [['returning', 'returning visits'], ['new', 'new visits']] as const;
  const summary = describeReport({ category: 'Visitors', subcategory: 'Engagement', name: 'Returning Visits', metrics: STORED_METRICS, processedMetrics: PROCESSED_METRICS });
  const metadata: ReportMetadata = { ...summary, metrics: {}, processedMetrics: {}, metricsDocumentation: {}, metricTypes: {} };
  for (const [suffix, words] of groups) {
    for (const [source, target] of [[summary.metrics, metadata.metrics], [summary.processedMetrics, metadata.processedMetrics]] as const) {
      for (const [name, translation] of Object.entries(source)) {
        target[`${name}_${suffix}`] = `${translation} (${words})`;
        metadata.metricTypes[`${name}_${suffix}`] = summary.metricTypes[name]!;
      }
    }
  }
  return metadata;
}

/** The VisitFrequency reports. */
export const VISIT_FREQUENCY_REPORTS: readonly ReportDefinition[] = [
  {
    kind: 'metrics',
    name: 'VisitFrequency.get',
    description: 'Returns the VisitsSummary metrics of returning visits (suffix _returning) and of new visits (suffix _new).',
    metadata: describeFrequencyReport(),
    build(numerics) {
      if ((numerics.nb_visits_returning ?? 0) + (numerics.nb_visits_new ?? 0) === 0) return null;
      return { ...groupMetrics(numerics, 'returning'), ...groupMetrics(numerics, 'new') };
    },
  },
];
