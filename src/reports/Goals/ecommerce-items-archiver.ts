/** Archiving of the e-commerce item reports: items ordered or left in carts, by SKU, name and category. */
import { sql, type Expression, type SqlBool } from 'kysely';
import type { LogQuery } from '../../archiving/log-query.js';
import type { ReportArchiver } from '../../archiving/report-archiver.js';
import type { ReportRow } from '../../archiving/report-table.js';
import { countOptionalActions } from '../log-contents.js';

/** `idorder` of the items of an abandoned cart, as tracking stores them. */
const CART_ITEMS_ORDER_ID = '0';

/** The item reports: the `log_conversion_item` columns each groups by, the product-view column, and the label of items without a value. */
export const ITEM_REPORTS = {
  getItemsSku: { record: 'Goals_ItemsSku', itemColumns: ['idaction_sku'], viewColumn: 'idaction_product_sku', notDefined: 'Product SKU not defined' },
  getItemsName: { record: 'Goals_ItemsName', itemColumns: ['idaction_name'], viewColumn: 'idaction_product_name', notDefined: 'Product Name not defined' },
  getItemsCategory: {
    record: 'Goals_ItemsCategory',
    itemColumns: ['idaction_category', 'idaction_category2', 'idaction_category3', 'idaction_category4', 'idaction_category5'],
    viewColumn: 'idaction_product_cat',
    notDefined: 'Product Category not defined',
  },
} as const;

/** One item report, by its API action name. */
export type ItemReportAction = keyof typeof ITEM_REPORTS;

/** Returns the record of an item report, of orders or, with `abandonedCarts`, of abandoned carts (`Goals_ItemsSku_Cart`). */
export function itemRecord(action: ItemReportAction, abandonedCarts: boolean): string {
  return abandonedCarts ? `${ITEM_REPORTS[action].record}_Cart` : ITEM_REPORTS[action].record;
}

/** Metrics stored in item rows that the API does not serve, because they only feed `avg_price`. */
export const HIDDEN_ITEM_METRICS = ['price', 'sum_price_viewed', 'nb_price_viewed'] as const;

type ItemRows = Map<string, ReportRow>;

function addToRow(rows: ItemRows, label: string, metrics: Record<string, number>): void {
  const row = rows.get(label);
  if (!row) {
    rows.set(label, { label, metrics: { ...metrics } });
    return;
  }
  for (const [name, value] of Object.entries(metrics)) row.metrics[name] = (row.metrics[name] ?? 0) + value;
}

/** Returns the item condition that limits items to the visits of the segment, or none without a segment. */
function segmentCondition(query: LogQuery): Expression<SqlBool> | null {
  if (!query.segment) return null;
  const matchingVisits = query.db.selectFrom('log_visit').select('log_visit.idvisit').where('log_visit.idsite', '=', query.siteId).where(query.segment.visits);
  return sql<SqlBool>`${sql.ref('log_conversion_item.idvisit')} in (${matchingVisits})`;
}

/**
 * Adds the day's items grouped by one item column to the order and cart rows. An order
 * counts once per row however many of its lines match, and a cart counts once per visit,
 * which is what `abandoned_carts` counts. An empty value in the first column gets the
 * report's "not defined" label, and an empty second to fifth category is skipped.
 */
async function addItems(query: LogQuery, column: string, isFirstColumn: boolean, notDefined: string, orders: ItemRows, carts: ItemRows): Promise<void> {
  let select = query.db.selectFrom('log_conversion_item')
    .leftJoin('log_action', 'log_action.idaction', sql.ref(`log_conversion_item.${column}`) as any)
    .where('log_conversion_item.idsite', '=', query.siteId)
    .where('log_conversion_item.server_time', '>=', query.bounds.start)
    .where('log_conversion_item.server_time', '<', query.bounds.end)
    .where('log_conversion_item.deleted', '=', 0);
  const condition = segmentCondition(query);
  if (condition) select = select.where(condition);

  // Grouping by position, as PostgreSQL would not match repeated expressions with bound values.
  const rows = await select.select([
    sql<number>`case when ${sql.ref('log_conversion_item.idorder')} = ${CART_ITEMS_ORDER_ID} then 1 else 0 end`.as('is_cart'),
    sql<string | null>`${sql.ref('log_action.name')}`.as('label'),
    sql<number>`sum(${sql.ref('log_conversion_item.price')} * ${sql.ref('log_conversion_item.quantity')})`.as('revenue'),
    sql<number>`sum(${sql.ref('log_conversion_item.quantity')})`.as('quantity'),
    sql<number>`sum(${sql.ref('log_conversion_item.price')})`.as('price'),
    sql<number>`count(distinct ${sql.ref('log_conversion_item.idorder')})`.as('orders'),
    sql<number>`count(distinct ${sql.ref('log_conversion_item.idvisit')})`.as('visits'),
  ]).groupBy([sql.raw('1'), sql.raw('2')]).execute();

  for (const row of rows) {
    const name = row.label ?? '';
    if (name === '' && !isFirstColumn) continue;
    const isCart = Number(row.is_cart) === 1;
    const metrics: Record<string, number> = {
      revenue: roundMoney(Number(row.revenue ?? 0)),
      quantity: Number(row.quantity ?? 0),
      price: roundMoney(Number(row.price ?? 0)),
      [isCart ? 'abandoned_carts' : 'orders']: Number(isCart ? row.visits : row.orders),
    };
    addToRow(isCart ? carts : orders, name === '' ? notDefined : name, metrics);
  }
}

/**
 * Adds the day's product page views (`_pks`, `_pkn`, `_pkc` of pageviews) to every row of
 * both tables: visits that viewed the product and the summed viewed prices, for the
 * average price of products never bought.
 */
async function addViews(query: LogQuery, viewColumn: string, tables: readonly ItemRows[]): Promise<void> {
  const counts = await countOptionalActions(query);
  const views = { idaction_product_sku: counts.productSkus, idaction_product_name: counts.productNames, idaction_product_cat: counts.productCategories }[viewColumn];
  if (views === 0) return;
  const rows = await query.actions()
    .innerJoin('log_action', 'log_action.idaction', sql.ref(`log_link_visit_action.${viewColumn}`) as any)
    .select([
      sql<string>`${sql.ref('log_action.name')}`.as('label'),
      sql<number>`count(distinct ${sql.ref('log_link_visit_action.idvisit')})`.as('nb_visits'),
      sql<number>`sum(coalesce(${sql.ref('log_link_visit_action.product_price')}, 0))`.as('sum_price_viewed'),
      sql<number>`count(${sql.ref('log_link_visit_action.product_price')})`.as('nb_price_viewed'),
    ])
    .groupBy(sql.raw('1') as any)
    .execute();
  for (const row of rows) {
    if (row.label === '' || row.label === null) continue;
    const metrics = { nb_visits: Number(row.nb_visits), sum_price_viewed: Number(row.sum_price_viewed ?? 0), nb_price_viewed: Number(row.nb_price_viewed) };
    for (const table of tables) addToRow(table, row.label, metrics);
  }
}

/** Rounds a money sum to cents, so float sums such as 0.1 + 0.2 store as 0.3. */
function roundMoney(value: number): number {
  return Math.round(value * 100) / 100;
}

function sortByRevenue(rows: ItemRows): ReportRow[] {
  return [...rows.values()].sort((a, b) => (b.metrics.revenue ?? 0) - (a.metrics.revenue ?? 0) || a.label.localeCompare(b.label));
}

/** Computes the item tables of a day: one of ordered items and one of abandoned-cart items per report. */
export const ecommerceItemsArchiver: ReportArchiver = {
  module: 'Goals',

  async archiveDay(query) {
    const reports: Record<string, ReportRow[]> = {};
    for (const action of Object.keys(ITEM_REPORTS) as ItemReportAction[]) {
      const spec = ITEM_REPORTS[action];
      const orders: ItemRows = new Map();
      const carts: ItemRows = new Map();
      for (const [index, column] of spec.itemColumns.entries()) await addItems(query, column, index === 0, spec.notDefined, orders, carts);
      // A product that was viewed but neither ordered nor left in a cart gets a row of views in both tables, as in Matomo.
      await addViews(query, spec.viewColumn, [orders, carts]);
      reports[itemRecord(action, false)] = sortByRevenue(orders);
      reports[itemRecord(action, true)] = sortByRevenue(carts);
    }
    return { numerics: {}, reports };
  },
};
