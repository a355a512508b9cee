/** Numbers of tracking requests, read and rounded as Matomo 5 reads and stores them. */
import { FootfallError, quote } from '../errors.js';
import type { TrackingParams } from './tracking-params.js';

/**
 * Matomo 5's check of a decimal tracking parameter (`Common::getRequestVar` with type float):
 * 12, 12.5, .5, 5. or 1e3 with an optional sign, after commas become dots. Matomo's pattern
 * ends with PHP's `$`, which also matches before a final line break, so one is allowed.
 */
const MATOMO_FLOAT = /^[+-]?([0-9]+|[0-9]*\.[0-9]+|[0-9]+\.[0-9]*)([eE][+-]?[0-9]+)?\n?$/;

/** The number at the start of a text, as PHP's float cast reads it. */
const LEADING_NUMBER = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?/;

/** A numeric string as PHP 8's is_numeric() accepts it: whitespace may come before and after the number. */
const PHP_NUMERIC_STRING = /^[ \t\n\r\v\f]*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?[ \t\n\r\v\f]*$/;

/**
 * Reads a decimal tracking parameter such as `revenue`, `ec_tx`, `e_v` or `_pkp`, untrimmed, as
 * Matomo 5 reads it. Returns null when it is missing, empty, malformed or not finite, so the
 * caller uses Matomo's default: hex (0x10), binary, underscores (1_000), spaces and text are
 * malformed.
 *
 * Matomo tests the text with its commas turned into dots, but casts the text as sent, which
 * reads the number before the first comma, so `12,5` is 12 and `,5` is 0.
 */
export function parseFloatParameter(text: string | undefined): number | null {
  if (text === undefined || text === '' || !MATOMO_FLOAT.test(text.replaceAll(',', '.'))) return null;
  const leading = LEADING_NUMBER.exec(text);
  const value = leading === null ? 0 : Number(leading[0]);
  if (!Number.isFinite(value)) return null;
  return value === 0 ? 0 : value;
}

/**
 * Largest absolute amount or event value a hit may carry. It is far above any real order,
 * and it keeps report sums finite: a double reaches about 1.8e308, so a few values near that
 * add up to Infinity, which JSON cannot express.
 */
export const MAX_TRACKED_AMOUNT = 1e15;
/** MAX_TRACKED_AMOUNT as error messages write it. */
export const MAX_TRACKED_AMOUNT_TEXT = '10^15';

/**
 * Reads a decimal parameter such as `revenue` or `e_v` as `parseFloatParameter` does.
 *
 * @throws FootfallError TRACKING_PARAMETER_INVALID when its absolute value is above MAX_TRACKED_AMOUNT.
 */
export function readAmountParameter(params: TrackingParams, name: string): number | null {
  const text = params.raw(name);
  const value = parseFloatParameter(text);
  if (value !== null && Math.abs(value) > MAX_TRACKED_AMOUNT) {
    throw new FootfallError('TRACKING_PARAMETER_INVALID', `Invalid value ${quote(text ?? '')} for '${name}'. Expected a number from -${MAX_TRACKED_AMOUNT_TEXT} to ${MAX_TRACKED_AMOUNT_TEXT}.`);
  }
  return value;
}

/**
 * Returns a value decoded from JSON as a number when PHP 8's is_numeric() accepts it: a finite
 * number, or a string of a decimal number with optional whitespace around it. Returns null for
 * anything else, such as `"0x10"`, `"1_000"`, `true` or `null`.
 */
export function readPhpNumeric(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || !PHP_NUMERIC_STRING.test(value)) return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

/** Decimals Matomo keeps of a revenue or price (`GoalManager::REVENUE_PRECISION`). */
export const REVENUE_DECIMALS = 2;

/** Value times 10^REVENUE_DECIMALS from which PHP's round() returns the value unchanged, as a double has no digits left for the decimals. */
const MAX_ROUNDED_SCALED_VALUE = 1e15;

/**
 * Rounds a revenue or an item price as Matomo 5 stores it (`BaseConversion::roundRevenueIfNeeded`,
 * `GoalManager::getRevenue`): a whole number stays as it is, and any other number is rounded to
 * REVENUE_DECIMALS decimals, half away from zero, as PHP 8.3's round() does.
 *
 * For amounts from 0.01 to below 10^12, round() first rounds to 15 significant digits, so 1.005,
 * stored as 1.00499999999999989..., becomes 1.01, where `Math.round(x * 100) / 100` gives 1.
 * It returns an amount of 10^13 or more unchanged.
 */
export function roundRevenue(value: number): number {
  if (!Number.isFinite(value) || Number.isInteger(value)) return value;
  const magnitude = Math.abs(value);
  const precisionPlaces = 14 - Math.floor(Math.log10(magnitude));
  let rounded: number;
  if (precisionPlaces > REVENUE_DECIMALS && precisionPlaces - 15 < REVENUE_DECIMALS) {
    // Shifting the decimal point in the text, not by multiplying, keeps 1.005 as 100.5 exactly.
    const [digits, exponent = '0'] = Number(magnitude.toPrecision(15)).toString().split('e');
    rounded = Math.round(Number(`${digits}e${Number(exponent) + REVENUE_DECIMALS}`)) / 10 ** REVENUE_DECIMALS;
  } else {
    const scaled = magnitude * 10 ** REVENUE_DECIMALS;
    if (scaled >= MAX_ROUNDED_SCALED_VALUE) return value;
    rounded = Math.round(scaled) / 10 ** REVENUE_DECIMALS;
  }
  // A negative amount that rounds to 0 gives 0, not -0.
  return rounded === 0 ? 0 : Math.sign(value) * rounded;
}
