/** Matomo's `format_metrics` output option: raw values, percentages only (`bc`), or every metric formatted. */
import type { ApiParams } from '../api/api-params.js';
import type { ApiObject, ApiValue } from '../api/api-value.js';
import { FootfallError, quote } from '../errors.js';
import type { MetricType } from './report-metadata.js';

/** A `format_metrics` value: `0` raw, `1` formatted, `bc` percentages formatted (Matomo's default). */
export type MetricFormatMode = '0' | '1' | 'bc';

/** The metric format of one request. */
export interface MetricFormatOptions {
  mode: MetricFormatMode;
  /** Types of the report's metrics, by name. */
  metricTypes: Readonly<Record<string, MetricType>>;
  /** ISO 4217 code of the site's currency, such as EUR. */
  currency: string;
}

/**
 * Reads `format_metrics`, which Matomo accepts as 0, 1 or bc (the default).
 *
 * @throws FootfallError PARAMETER_INVALID for any other value.
 */
export function parseMetricFormatMode(params: ApiParams): MetricFormatMode {
  const raw = params.string('format_metrics', 'bc').toLowerCase();
  if (raw === '' || raw === 'bc') return 'bc';
  if (raw === '0' || raw === 'false') return '0';
  if (raw === '1' || raw === 'true') return '1';
  throw new FootfallError('PARAMETER_INVALID', `Invalid format_metrics ${quote(raw)}. Use 0, 1 or bc.`);
}

/** Formats seconds as Matomo's formatted durations show them: `0:13:31`. */
export function formatDuration(seconds: number): string {
  const whole = Math.round(seconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  return `${hours}:${String(minutes).padStart(2, '0')}:${String(rest).padStart(2, '0')}`;
}

/** Formats money as Matomo's en locale does: the currency symbol first, no decimals for whole amounts (`$53`, `€1.50`). */
export function formatMoney(amount: number, currency: string): string {
  const digits = Number.isInteger(amount) ? 0 : 2;
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(amount);
  } catch {
    // An unknown currency code leaves the amount with the code in front, rather than failing the report.
    return `${currency} ${amount.toFixed(digits)}`;
  }
}

/** Parses a percentage the reports serve in `bc` form (`33%`) back to its ratio (0.33), as Matomo's raw output has it. */
function percentToRatio(value: ApiValue): ApiValue {
  if (typeof value !== 'string' || !value.endsWith('%')) return value;
  const percent = Number.parseFloat(value);
  return Number.isNaN(percent) ? value : Math.round(percent * 100) / 10000;
}

/**
 * Returns whether a metric without a declared type is an amount of money: `revenue` and its
 * parts (`revenue_tax`), and the goal view's columns (`goal_1_revenue`,
 * `goal_ecommerceOrder_revenue_per_visit`, `avg_order_revenue`).
 */
function isMoneyMetric(name: string): boolean {
  return name === 'revenue' || name.startsWith('revenue_') || name.endsWith('_revenue') || name.endsWith('_revenue_per_visit');
}

function formatValue(name: string, value: ApiValue, options: MetricFormatOptions): ApiValue {
  const type = options.metricTypes[name] ?? (isMoneyMetric(name) ? 'money' : undefined);
  // Reports serve every percentage as a `bc` string, including ones of suffixed names such as conversion_rate_new_visit.
  if (options.mode === '0') return percentToRatio(value);
  if (options.mode !== '1' || typeof value !== 'number') return value;
  if (type === 'money') return formatMoney(value, options.currency);
  if (type === 'duration_s') return formatDuration(value);
  return value;
}

/**
 * Applies `format_metrics` to a report's value: rows, their subtables and `goals`, or one
 * metrics object. Reports compute percentages as `bc` strings, so `bc` returns the value as is.
 */
export function formatMetrics(value: ApiValue, options: MetricFormatOptions): ApiValue {
  if (options.mode === 'bc' || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => formatMetrics(item, options));
  const result: ApiObject = {};
  for (const [name, item] of Object.entries(value as ApiObject)) {
    if (name === 'subtable' || name === 'goals' || (typeof item === 'object' && item !== null && !Array.isArray(item))) result[name] = formatMetrics(item, options);
    else result[name] = formatValue(name, item, options);
  }
  return result;
}
