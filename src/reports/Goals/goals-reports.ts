/** Goals.get: conversions, converted visits, revenue and conversion rates, overall or of one goal. */
import type { ApiObject } from '../../api/api-value.js';
import { FootfallError, quote } from '../../errors.js';
import type { ReportDefinition } from '../report-definition.js';
import { describeReport } from '../report-metadata.js';
import { roundTo } from '../visit-metrics.js';

/** Formats a conversion rate as Matomo does, with up to two decimals: `33.33%`. */
function formatRate(converted: number, visits: number): string {
  return visits === 0 ? '0%' : `${roundTo((converted / visits) * 100, 2)}%`;
}

function groupMetrics(numerics: Readonly<Record<string, number>>, prefix: string, suffix: string, visits: number): ApiObject {
  const converted = numerics[`${prefix}nb_visits_converted${suffix}`] ?? 0;
  return {
    [`nb_conversions${suffix}`]: numerics[`${prefix}nb_conversions${suffix}`] ?? 0,
    [`nb_visits_converted${suffix}`]: converted,
    [`revenue${suffix}`]: numerics[`${prefix}revenue${suffix}`] ?? 0,
    [`conversion_rate${suffix}`]: formatRate(converted, visits),
  };
}

/** The Goals reports. */
export const GOALS_REPORTS: readonly ReportDefinition[] = [
  {
    kind: 'metrics',
    name: 'Goals.get',
    description: 'Returns conversions, converted visits, revenue and conversion rate of all goals, or of the goal given by idGoal, split by new and returning visits.',
    metadata: describeReport({
      category: 'Goals', subcategory: 'Overview', name: 'Goals',
      metrics: ['nb_conversions', 'nb_visits_converted', 'revenue'], processedMetrics: ['conversion_rate'],
    }),
    listPerGoal: true,
    build(numerics, _period, params) {
      const rawGoal = params.optionalString('idGoal');
      if (rawGoal !== undefined && rawGoal !== '' && !/^[1-9][0-9]*$/.test(rawGoal)) {
        throw new FootfallError('PARAMETER_INVALID', `Invalid idGoal ${quote(rawGoal)}. Use the id of a goal, a whole number from 1.`);
      }
      const prefix = rawGoal ? `Goal_${rawGoal}_` : 'Goal_';
      if ((numerics.nb_visits ?? 0) === 0) return null;
      return {
        ...groupMetrics(numerics, prefix, '', numerics.nb_visits ?? 0),
        ...groupMetrics(numerics, prefix, '_new_visit', numerics.nb_visits_new ?? 0),
        ...groupMetrics(numerics, prefix, '_returning_visit', numerics.nb_visits_returning ?? 0),
      };
    },
  },
];
