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

/** The `idGoal` values of Goals.get that name an e-commerce record rather than a goal. */
const ECOMMERCE_GOALS: ReadonlySet<string> = new Set(['ecommerceOrder', 'ecommerceAbandonedCart']);

/**
 * Returns the metrics of `Goals.get` with `idGoal=ecommerceOrder` (orders) or
 * `idGoal=ecommerceAbandonedCart` (carts left without an order), or null without visits.
 */
function buildEcommerceMetrics(numerics: Readonly<Record<string, number>>, record: string): ApiObject | null {
  const visits = numerics.nb_visits ?? 0;
  if (visits === 0) return null;
  const value = (name: string) => numerics[`Goal_${record}_${name}`] ?? 0;
  const orders = value('nb_conversions');
  return {
    nb_conversions: orders, nb_visits_converted: value('nb_visits_converted'), revenue: value('revenue'),
    conversion_rate: formatRate(value('nb_visits_converted'), visits),
    items: value('items'), revenue_subtotal: value('revenue_subtotal'), revenue_tax: value('revenue_tax'),
    revenue_shipping: value('revenue_shipping'), revenue_discount: value('revenue_discount'),
    avg_order_revenue: orders === 0 ? 0 : roundTo(value('revenue') / orders, 2),
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
      if (rawGoal !== undefined && ECOMMERCE_GOALS.has(rawGoal)) return buildEcommerceMetrics(numerics, rawGoal);
      if (rawGoal !== undefined && rawGoal !== '' && !/^[1-9][0-9]*$/.test(rawGoal)) {
        throw new FootfallError('PARAMETER_INVALID', `Invalid idGoal ${quote(rawGoal)}. Use the id of a goal, a whole number from 1, ecommerceOrder or ecommerceAbandonedCart.`);
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
