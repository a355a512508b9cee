/** Reading goal conversions and e-commerce orders or cart updates from a hit. */
import { FootfallError, quote } from '../errors.js';
import type { ActionInfo, ConversionRequest, EcommerceItem, Hit, HitAmounts } from './hit.js';
import type { TrackedSite } from './site-cache.js';
import { MAX_TRACKED_AMOUNT, MAX_TRACKED_AMOUNT_TEXT, readAmountParameter, readPhpNumeric, roundRevenue } from './tracking-numbers.js';
import type { TrackingParams } from './tracking-params.js';

/** `idgoal` of an e-commerce order. */
export const ECOMMERCE_ORDER_GOAL = 0;
/** `idgoal` of an abandoned cart row, which each cart update replaces. */
export const ABANDONED_CART_GOAL = -1;

/** Most categories an item may have, as Matomo stores them (category to category5). */
const MAX_ITEM_CATEGORIES = 5;
/** Largest item quantity and sum of quantities: `log_conversion_item.quantity` and `log_conversion.items` are signed 32-bit integers on every engine. */
const MAX_ITEM_QUANTITY = 2_147_483_647;

/** Returns an amount such as `revenue` or `ec_tx` rounded as Matomo 5 stores it, or null when it is missing or malformed. */
function parseMoney(params: TrackingParams, name: string): number | null {
  const value = readAmountParameter(params, name);
  return value === null ? null : roundRevenue(value);
}

/**
 * Reads a hit's `revenue` and then its `e_v`. A malformed amount is ignored, as in Matomo 5.
 * For an event `action`, `e_v` comes from `action.eventValue`, which parseAction read already.
 *
 * @throws FootfallError TRACKING_PARAMETER_INVALID for an amount beyond ±10^15 (MAX_TRACKED_AMOUNT).
 */
export function parseHitAmounts(params: TrackingParams, action?: ActionInfo): HitAmounts {
  const revenue = parseMoney(params, 'revenue');
  // An event goal may take `e_v` as its revenue, and a goal request has no action that would check it.
  const eventValue = action?.kind === 'event' ? action.eventValue : readAmountParameter(params, 'e_v');
  return { revenue, eventValue };
}

/**
 * Returns the amounts of a hit, read by `parseHitAmounts` on the first call and kept on the hit.
 * Call it after the hit's action is parsed, so that `e_v` is not read twice.
 *
 * @throws FootfallError as `parseHitAmounts` does.
 */
export function readHitAmounts(hit: Pick<Hit, 'params' | 'action' | 'amounts'>): HitAmounts {
  if (hit.amounts === undefined) hit.amounts = parseHitAmounts(hit.params, hit.action);
  return hit.amounts;
}

/**
 * Parses `idgoal` with its revenue, and for `idgoal=0` the order (`ec_id`, totals, `ec_items`)
 * or, without `ec_id`, a cart update. Returns null when the hit has no `idgoal`.
 *
 * A malformed amount is ignored, and amounts and item prices are rounded to 2 decimals, as in Matomo 5.
 * `revenue` and `e_v` are checked on every hit, because a goal that the hit's action converts
 * takes them. A caller that has read the hit's amounts already passes them as `amounts`.
 *
 * @throws FootfallError TRACKING_PARAMETER_INVALID for a malformed `idgoal` or `ec_items`, and
 *   for an amount, item price or item quantity too large to store and sum.
 */
export function parseConversion(params: TrackingParams, amounts: HitAmounts = parseHitAmounts(params)): ConversionRequest | null {
  const revenue = amounts.revenue;
  const idgoalText = params.get('idgoal');
  if (idgoalText === undefined) return null;
  if (!/^[0-9]{1,9}$/.test(idgoalText)) {
    throw new FootfallError('TRACKING_PARAMETER_INVALID', `Invalid value ${quote(idgoalText)} for 'idgoal'. Expected a goal id, or 0 for an e-commerce order.`);
  }
  const idgoal = Number(idgoalText);
  if (idgoal !== ECOMMERCE_ORDER_GOAL) {
    return { idgoal, revenue, orderId: null, subtotal: null, tax: null, shipping: null, discount: null, items: [] };
  }

  const orderId = params.get('ec_id')?.slice(0, 100) ?? null;
  return {
    idgoal: orderId === null ? ABANDONED_CART_GOAL : ECOMMERCE_ORDER_GOAL,
    revenue, orderId,
    subtotal: parseMoney(params, 'ec_st'), tax: parseMoney(params, 'ec_tx'),
    shipping: parseMoney(params, 'ec_sh'), discount: parseMoney(params, 'ec_dt'),
    items: parseItems(params.get('ec_items')),
  };
}

/**
 * Checks that a manual conversion (`idgoal` above 0) names a goal of the site. Matomo 5 rejects
 * the request otherwise (`GoalManager::detectGoalId`), and a deleted goal counts as missing,
 * because the tracker reads only goals that are not deleted.
 *
 * NOTE: the goals come from the site cache, so a goal added through another server process is
 * found only after this process reloads the site, at most `SITE_CACHE_TTL_MS` later.
 *
 * @throws FootfallError GOAL_NOT_FOUND naming the goal id and the site.
 */
export function checkConversionGoal(conversion: ConversionRequest | null, tracked: Pick<TrackedSite, 'site' | 'goals'>): void {
  if (conversion === null || conversion.idgoal <= 0) return;
  const idgoal = conversion.idgoal;
  if (tracked.goals.some((goal) => Number(goal.idgoal) === idgoal)) return;
  const siteId = tracked.site.idsite;
  throw new FootfallError('GOAL_NOT_FOUND', `Invalid value '${idgoal}' for 'idgoal': site ${siteId} has no goal ${idgoal}, or the goal was deleted. Use an id that Goals.getGoals lists for site ${siteId}.`);
}

function parseItems(text: string | undefined): EcommerceItem[] {
  if (text === undefined) return [];
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  if (!Array.isArray(data)) {
    throw new FootfallError('TRACKING_PARAMETER_INVALID', `Invalid value ${quote(text)} for 'ec_items'. Expected a JSON array of [sku, name, category, price, quantity].`);
  }
  const items = new Map<string, EcommerceItem>();
  for (const [index, entry] of data.entries()) {
    if (!Array.isArray(entry) || entry[0] === undefined || entry[0] === null || String(entry[0]).trim() === '') continue;
    let categories: unknown[] = [];
    if (Array.isArray(entry[2])) categories = entry[2];
    else if (entry[2] !== undefined && entry[2] !== null && entry[2] !== '') categories = [entry[2]];
    const price = readPhpNumeric(entry[3]);
    if (price !== null && Math.abs(price) > MAX_TRACKED_AMOUNT) {
      throw new FootfallError('TRACKING_PARAMETER_INVALID', `Invalid price ${quote(entry[3])} of item ${index + 1} in 'ec_items'. Expected a number from -${MAX_TRACKED_AMOUNT_TEXT} to ${MAX_TRACKED_AMOUNT_TEXT}.`);
    }
    const quantity = readItemQuantity(entry[4]);
    if (quantity > MAX_ITEM_QUANTITY) {
      throw new FootfallError('TRACKING_PARAMETER_INVALID', `Invalid quantity ${quote(entry[4])} of item ${index + 1} in 'ec_items'. Expected a whole number up to ${MAX_ITEM_QUANTITY}.`);
    }
    const sku = String(entry[0]).trim();
    // Matomo keeps one row per SKU; a SKU listed twice keeps its last values.
    items.set(sku, {
      sku, name: String(entry[1] ?? '').trim(),
      categories: categories.slice(0, MAX_ITEM_CATEGORIES).map((category: unknown) => String(category).trim()).filter((category: string) => category !== ''),
      price: price === null ? 0 : roundRevenue(price),
      quantity,
    });
  }
  const parsed = [...items.values()];
  // log_conversion.items stores the sum of the quantities in the same integer type.
  const total = parsed.reduce((sum, item) => sum + item.quantity, 0);
  if (total > MAX_ITEM_QUANTITY) {
    throw new FootfallError('TRACKING_PARAMETER_INVALID', `Invalid value for 'ec_items': its item quantities add up to ${total}. Expected at most ${MAX_ITEM_QUANTITY} in all.`);
  }
  return parsed;
}

/**
 * Reads an item's quantity as Matomo 5 does (`GoalManager::getCleanedEcommerceItems`). A value
 * that PHP's empty() counts as empty (0, "0", "") or that is_numeric() rejects counts as 1.
 * Any other is cut to a whole number, so 2.9 is 2 and "0.5" is 0.
 *
 * NOTE: a negative quantity counts as 1. Matomo casts it to a negative number, which its
 * unsigned `quantity` column cannot store.
 */
function readItemQuantity(value: unknown): number {
  if (value === 0 || value === '0') return 1;
  const quantity = readPhpNumeric(value);
  if (quantity === null) return 1;
  const whole = Math.trunc(quantity);
  if (whole < 0) return 1;
  // Math.trunc(-0.5) is -0, which is stored as 0.
  return whole === 0 ? 0 : whole;
}
