/** Goals.getItemsSku, getItemsName and getItemsCategory: e-commerce items ordered or left in abandoned carts. */
import type { ApiParams } from '../../api/api-params.js';
import type { ApiObject } from '../../api/api-value.js';
import { FootfallError, quote } from '../../errors.js';
import type { TableReportDefinition } from '../report-definition.js';
import { describeReport } from '../report-metadata.js';
import { roundTo } from '../visit-metrics.js';
import { HIDDEN_ITEM_METRICS, itemRecord, type ItemReportAction } from './ecommerce-items-archiver.js';

/**
 * Reads `abandonedCarts`: 1 serves items left in abandoned carts, 0 or absent items ordered.
 *
 * @throws FootfallError PARAMETER_INVALID for any other value.
 */
function readAbandonedCarts(params: ApiParams): boolean {
  const raw = params.string('abandonedCarts', '0').trim().toLowerCase();
  if (raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new FootfallError('PARAMETER_INVALID', `Invalid abandonedCarts ${quote(raw)}. Use 1 for items left in abandoned carts, or 0 for items ordered.`);
}

/**
 * Returns the processed metrics of an item row, with Matomo's precisions. `avg_price` is the
 * summed item price per order or cart (2 decimals), or the average viewed price of a product
 * that has no price yet. `avg_quantity` is the quantity per order or cart (1 decimal), and
 * `conversion_rate` the orders or carts per visit that viewed the product.
 */
function processItemMetrics(metrics: Readonly<Record<string, number>>): ApiObject {
  const orders = metrics.orders ?? metrics.abandoned_carts ?? 0;
  const price = metrics.price ?? 0;
  const viewedPrices = metrics.nb_price_viewed ?? 0;
  let averagePrice = orders === 0 ? 0 : roundTo(price / orders, 2);
  if (price === 0 && viewedPrices > 0) averagePrice = roundTo((metrics.sum_price_viewed ?? 0) / viewedPrices, 2);
  const visits = metrics.nb_visits ?? 0;
  // The ratio is rounded to 4 decimals before it becomes a percentage, so the percentage has at most 2.
  const conversionRate = visits === 0 ? 0 : roundTo(orders / visits, 4);
  return {
    avg_price: averagePrice,
    avg_quantity: orders === 0 ? 0 : roundTo((metrics.quantity ?? 0) / orders, 1),
    conversion_rate: `${roundTo(conversionRate * 100, 2)}%`,
  };
}

function itemReport(action: ItemReportAction, name: string, description: string): TableReportDefinition {
  return {
    kind: 'table', name: `Goals.${action}`, description,
    metadata: describeReport({
      category: 'Goals', subcategory: 'Ecommerce', name, dimension: name,
      metrics: ['revenue', 'quantity', 'orders', 'nb_visits'], processedMetrics: ['avg_price', 'avg_quantity', 'conversion_rate'],
    }),
    record: itemRecord(action, false),
    recordFor: (params) => itemRecord(action, readAbandonedCarts(params)),
    defaultSortColumn: 'revenue',
    hiddenMetrics: HIDDEN_ITEM_METRICS,
    processMetrics: processItemMetrics,
  };
}

/** The e-commerce item reports. */
export const ECOMMERCE_ITEMS_REPORTS: readonly TableReportDefinition[] = [
  itemReport('getItemsSku', 'Product SKU', 'Returns the revenue, quantity, orders and product-page visits of each product SKU ordered, or left in abandoned carts with abandonedCarts=1.'),
  itemReport('getItemsName', 'Product Name', 'Returns the revenue, quantity, orders and product-page visits of each product name ordered, or left in abandoned carts with abandonedCarts=1.'),
  itemReport('getItemsCategory', 'Product Category', 'Returns the revenue, quantity, orders and product-page visits of each product category ordered, or left in abandoned carts with abandonedCarts=1.'),
];
