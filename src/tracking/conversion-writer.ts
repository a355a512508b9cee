/** Writing goal conversions, e-commerce orders and abandoned carts of one hit. */
import { crc32 } from 'node:zlib';
import type { Insertable, Kysely } from 'kysely';
import type { Database, LogConversionTable } from '../db/schema.js';
import { formatUtcDateTime } from '../time.js';
import type { ActionDictionary, ActionWriteContext } from './action-dictionary.js';
import type { EcommerceItem, EnrichedHit } from './hit.js';
import { matchGoals, type GoalConversion } from './goal-matcher.js';
import { ACTION_TYPE } from './parse-action.js';
import { ABANDONED_CART_GOAL, ECOMMERCE_ORDER_GOAL } from './parse-conversion.js';
import type { TrackedSite } from './site-cache.js';
import { buildVisitDimensions } from './visit-row.js';
import type { VisitState } from './visit-state.js';

/** `idorder` of the items of an abandoned cart, as Matomo stores them. */
const CART_ITEMS_ORDER_ID = '0';
/** `visit_goal_buyer` values, as Matomo stores them. */
const BUYER = { none: 0, ordered: 1, openCart: 2, orderedThenOpenCart: 3 } as const;

/** The visit, action and tenant state a conversion is written with. */
export interface ConversionContext extends ActionWriteContext {
  db: Kysely<Database>;
  hit: EnrichedHit;
  visit: VisitState;
  previous: VisitState | null;
  tracked: TrackedSite;
  actions: ActionDictionary;
  idlinkVa: number | null;
  idactionUrl: number | null;
}

/**
 * Records the goals a hit converts and its e-commerce order or cart update. Returns the
 * number of conversion rows written; the caller stores `goalConverted` and `goalBuyer`.
 */
export async function writeConversions(context: ConversionContext): Promise<number> {
  let written = await writeGoalConversions(context, matchGoals(context.hit, context.tracked.goals, context.visit));
  const conversion = context.hit.conversion;
  if (conversion?.idgoal === ECOMMERCE_ORDER_GOAL) written += await writeOrder(context);
  if (conversion?.idgoal === ABANDONED_CART_GOAL) written += await writeCart(context);
  return written;
}

/**
 * Records goal conversions, skipping a goal the visit already converted unless it allows
 * several conversions per visit. Returns the number of rows written.
 */
export async function writeGoalConversions(context: ConversionContext, conversions: readonly GoalConversion[]): Promise<number> {
  let written = 0;
  for (const { goal, revenue } of conversions) {
    const idgoal = Number(goal.idgoal);
    const allowMultiple = Number(goal.allow_multiple) === 1;
    if (!allowMultiple && context.visit.convertedGoals.has(idgoal)) continue;
    const buster = allowMultiple ? crc32(`${context.hit.time.getTime()}:${context.hit.params.get('rand') ?? context.hit.params.get('r') ?? ''}:${context.visit.totalActions}`) : 0;
    await insertConversion(context, { idgoal, buster, revenue, idorder: null, items: null });
    written += 1;
  }
  return written;
}

async function writeOrder(context: ConversionContext): Promise<number> {
  const conversion = context.hit.conversion!;
  const orderId = conversion.orderId!;
  // An order id is unique per site: a repeated order (a reloaded thank-you page) is ignored, as in Matomo.
  const existing = await context.db.selectFrom('log_conversion').select('idvisit')
    .where('idsite', '=', context.hit.siteId).where('idorder', '=', orderId).executeTakeFirst();
  if (existing) return 0;

  await insertConversion(context, {
    idgoal: ECOMMERCE_ORDER_GOAL, buster: crc32(orderId), revenue: conversion.revenue ?? 0, idorder: orderId,
    items: countItems(conversion.items),
  });
  await insertItems(context, orderId, conversion.items);
  await deleteCart(context);
  context.visit.goalBuyer = BUYER.ordered;
  return 1;
}

async function writeCart(context: ConversionContext): Promise<number> {
  const conversion = context.hit.conversion!;
  await deleteCart(context);
  await insertConversion(context, {
    idgoal: ABANDONED_CART_GOAL, buster: 0, revenue: conversion.revenue ?? 0, idorder: null, items: countItems(conversion.items),
  });
  await insertItems(context, CART_ITEMS_ORDER_ID, conversion.items);
  context.visit.goalBuyer = context.visit.goalBuyer === BUYER.ordered || context.visit.goalBuyer === BUYER.orderedThenOpenCart
    ? BUYER.orderedThenOpenCart : BUYER.openCart;
  return 1;
}

function countItems(items: readonly EcommerceItem[]): number {
  return items.reduce((sum, item) => sum + item.quantity, 0);
}

/** Removes the visit's abandoned cart row and its items: a cart update replaces it, an order ends it. */
async function deleteCart(context: ConversionContext): Promise<void> {
  await context.db.deleteFrom('log_conversion').where('idvisit', '=', context.visit.idvisit).where('idgoal', '=', ABANDONED_CART_GOAL).execute();
  await context.db.deleteFrom('log_conversion_item').where('idvisit', '=', context.visit.idvisit).where('idorder', '=', CART_ITEMS_ORDER_ID).execute();
}

async function insertConversion(
  context: ConversionContext, values: { idgoal: number; buster: number; revenue: number; idorder: string | null; items: number | null },
): Promise<void> {
  const { hit, visit } = context;
  const conversion = hit.conversion;
  const isOrder = values.idgoal === ECOMMERCE_ORDER_GOAL || values.idgoal === ABANDONED_CART_GOAL;
  // Object.assign, not a spread followed by more properties, which V8 runs slowly (see buildVisitRow).
  const row: Insertable<LogConversionTable> = Object.assign(buildVisitDimensions(hit, context.previous), {
    visitor_count_visits: visit.visitorCountVisits,
    idvisit: visit.idvisit, idsite: hit.siteId, idvisitor: visit.idvisitor, server_time: formatUtcDateTime(hit.time),
    idaction_url: context.idactionUrl, idlink_va: context.idlinkVa, idgoal: values.idgoal, buster: values.buster,
    idorder: values.idorder, items: values.items, url: hit.action.pageUrl ?? '', revenue: values.revenue,
    revenue_subtotal: isOrder ? conversion?.subtotal ?? null : null, revenue_tax: isOrder ? conversion?.tax ?? null : null,
    revenue_shipping: isOrder ? conversion?.shipping ?? null : null, revenue_discount: isOrder ? conversion?.discount ?? null : null,
    pageviews_before: visit.pageviews,
    visitor_days_since_first: Math.floor(visit.visitorSecondsSinceFirst / 86_400),
  });
  // A goal conversion goes into the batch's multi-row insert. An order or a cart is written now,
  // because the duplicate order check and the cart's replacement read and delete stored rows.
  if (isOrder) await context.db.insertInto('log_conversion').values(row).execute();
  else context.batch.addConversion(row);
  visit.convertedGoals.add(values.idgoal);
  if (values.idgoal !== ABANDONED_CART_GOAL) visit.goalConverted = true;
}

async function insertItems(context: ConversionContext, idorder: string, items: readonly EcommerceItem[]): Promise<void> {
  for (const item of items) {
    const id = (value: string | undefined, type: number): Promise<number | null> =>
      context.actions.idOf(context, value === undefined || value === '' ? null : { value, type });
    const categories: (number | null)[] = [];
    for (let index = 0; index < 5; index += 1) categories.push(await id(item.categories[index], ACTION_TYPE.ecommerceCategory));
    await context.db.insertInto('log_conversion_item').values({
      idsite: context.hit.siteId, idvisitor: context.visit.idvisitor, server_time: formatUtcDateTime(context.hit.time),
      idvisit: context.visit.idvisit, idorder,
      idaction_sku: (await id(item.sku, ACTION_TYPE.ecommerceSku)) ?? 0, idaction_name: (await id(item.name, ACTION_TYPE.ecommerceName)) ?? 0,
      idaction_category: categories[0] ?? 0, idaction_category2: categories[1] ?? 0, idaction_category3: categories[2] ?? 0,
      idaction_category4: categories[3] ?? 0, idaction_category5: categories[4] ?? 0,
      price: item.price, quantity: item.quantity, deleted: 0,
    }).execute();
  }
}
