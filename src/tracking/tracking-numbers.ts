/** Numbers of tracking requests, rounded as Matomo 5 stores them. */

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
