/** Matomo's generic report filters: label, flat, pattern, sort, offset/limit, show/hide columns. */
import type { ApiParams } from '../api/api-params.js';
import type { ApiObject, ApiValue } from '../api/api-value.js';
import { FootfallError, quote } from '../errors.js';
import { trimAsPhp } from '../php-trim.js';
import { compileTenantRegExp, InvalidTenantRegExpError, TENANT_REGEXP_SYNTAX_HINT, testTenantRegExp, type TenantRegExp } from '../tenant-regexp.js';

/** Key of the names of a row's metadata (`segment`, `logo`...), which `showColumns` keeps as Matomo does. */
export const ROW_METADATA_NAMES: unique symbol = Symbol('rowMetadataNames');

/** An output row. While filters run, `subtable` contains the rows of its subtable. */
export type OutputRow = ApiObject & { subtable?: OutputRow[]; [ROW_METADATA_NAMES]?: readonly string[] };

/** The generic filters of one request. */
export interface DataTableFilterOptions {
  limit: number;
  offset: number;
  sortColumn: string | undefined;
  sortOrder: 'asc' | 'desc';
  pattern: TenantRegExp | undefined;
  patternColumn: string;
  flat: boolean;
  expanded: boolean;
  labels: string[] | undefined;
  showColumns: string[] | undefined;
  hideColumns: string[];
  /** `filter_truncate`: the number of rows kept before the rest are summed into one "Others" row. */
  truncate: number | undefined;
}

/**
 * Reads the generic filters of a request; `defaultLimit` is `[General] API_datatable_default_limit`.
 *
 * @throws FootfallError PARAMETER_INVALID for a bad sort order or pattern.
 */
export function parseDataTableFilters(params: ApiParams, defaultLimit: number): DataTableFilterOptions {
  const sortOrder = params.string('filter_sort_order', 'desc').toLowerCase();
  if (sortOrder !== 'asc' && sortOrder !== 'desc') throw new FootfallError('PARAMETER_INVALID', `Invalid filter_sort_order ${quote(sortOrder)}. Use asc or desc.`);
  return {
    limit: params.int('filter_limit', defaultLimit),
    offset: Math.max(0, params.int('filter_offset', 0)),
    sortColumn: params.optionalString('filter_sort_column') || undefined,
    sortOrder,
    pattern: parsePattern(params.optionalString('filter_pattern')),
    patternColumn: params.string('filter_column', 'label') || 'label',
    flat: params.bool('flat', false),
    expanded: params.bool('expanded', false),
    labels: params.has('label') ? params.optionalList('label')?.map(decodeLabel) : undefined,
    showColumns: params.has('showColumns') ? params.optionalList('showColumns') : undefined,
    hideColumns: params.optionalList('hideColumns') ?? [],
    truncate: parseTruncate(params.optionalString('filter_truncate')),
  };
}

/** Decodes one label of the `label` parameter: labels are split on commas, so a comma inside a label arrives as %2C. */
function decodeLabel(label: string): string {
  try {
    return decodeURIComponent(label);
  } catch {
    return label;
  }
}

function parseTruncate(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^[0-9]+$/.test(raw)) throw new FootfallError('PARAMETER_INVALID', `Invalid filter_truncate ${quote(raw)}. Use the number of rows to keep, a whole number from 0.`);
  return Number(raw);
}

/** Label of the row that `filter_truncate` sums the remaining rows into, as Matomo's English output names it. */
export const OTHERS_LABEL = 'Others';

/**
 * Returns the first `keep` rows and one "Others" row summing the numeric columns of the rest
 * (the largest value of `max_*` columns, the smallest of `min_*`).
 *
 * NOTE: the "Others" row leaves out processed metrics such as bounce_rate, which Matomo recomputes.
 */
function truncateRows(rows: OutputRow[], keep: number): OutputRow[] {
  if (rows.length <= keep) return rows;
  const others: OutputRow = { label: OTHERS_LABEL };
  for (const row of rows.slice(keep)) {
    for (const [name, value] of Object.entries(row)) {
      if (typeof value !== 'number' || name === 'idsubdatatable' || (row[ROW_METADATA_NAMES] ?? []).includes(name)) continue;
      const current = others[name];
      if (typeof current !== 'number') others[name] = value;
      else if (name.startsWith('max_')) others[name] = Math.max(current, value);
      else if (name.startsWith('min_')) others[name] = Math.min(current, value);
      else others[name] = current + value;
    }
  }
  return [...rows.slice(0, keep), others];
}

function parsePattern(raw: string | undefined): TenantRegExp | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    return compileTenantRegExp(raw, 'i');
  } catch (error) {
    if (!(error instanceof InvalidTenantRegExpError)) throw error;
    throw new FootfallError('PARAMETER_INVALID', `Invalid filter_pattern ${quote(raw)}: ${error.reason}. ${TENANT_REGEXP_SYNTAX_HINT}`);
  }
}

function findByLabelPath(rows: OutputRow[], path: string): OutputRow | undefined {
  const [head, ...rest] = path.split('>').map((part) => part.trim());
  const row = rows.find((candidate) => candidate.label === head);
  if (!row || rest.length === 0) return row;
  return row.subtable ? findByLabelPath(row.subtable, rest.join('>')) : undefined;
}

/** Rules by which `flat=1` joins the labels of a report's rows with those of their subtables. */
export interface FlatLabelRules {
  /** Text between a row's label and a subtable row's label, Matomo's `recursiveLabelSeparator`. */
  separator: string;
  /** Returns a joined label as the report's API method rewrites it after flattening. */
  rewriteLabel?(label: string): string;
}

/** The rules of every report that sets none: labels joined with ` - `, Matomo's default separator. */
export const DEFAULT_FLAT_LABEL_RULES: FlatLabelRules = { separator: ' - ' };

/**
 * Replaces each row that has a subtable by the rows of that subtable, recursively, as Matomo's
 * Flattener (core/API/DataTableManipulator/Flattener.php) does. Each label is trimmed and
 * appended to its parents' labels with the separator. With the separator `/`, a label that
 * starts with `/` loses that slash after a prefix that ends with one, so `blog` and `/a`
 * give `blog/a`. Archived tables have no summary rows, so Matomo's ` - ` before a summary
 * row's label inside a subtable has no case here.
 */
function flatten(rows: OutputRow[], separator: string, prefix = ''): OutputRow[] {
  return rows.flatMap((row) => {
    let own = trimAsPhp(String(row.label));
    if (separator === '/' && own.startsWith('/') && prefix.endsWith('/')) own = own.slice(1);
    const label = `${prefix}${own}`;
    if (!row.subtable) return [{ ...row, label }];
    return flatten(row.subtable, separator, `${label}${separator}`);
  });
}

function flattenWithRules(rows: OutputRow[], rules: FlatLabelRules): OutputRow[] {
  const flattened = flatten(rows, rules.separator);
  const rewrite = rules.rewriteLabel;
  if (!rewrite) return flattened;
  return flattened.map((row) => ({ ...row, label: rewrite(String(row.label)) }));
}

function compareValues(left: ApiValue, right: ApiValue): number {
  const leftNumber = typeof left === 'number' ? left : typeof left === 'string' && /^-?[\d.]+%?$/.test(left) ? Number.parseFloat(left) : NaN;
  const rightNumber = typeof right === 'number' ? right : typeof right === 'string' && /^-?[\d.]+%?$/.test(right) ? Number.parseFloat(right) : NaN;
  if (!Number.isNaN(leftNumber) || !Number.isNaN(rightNumber)) return (Number.isNaN(leftNumber) ? -Infinity : leftNumber) - (Number.isNaN(rightNumber) ? -Infinity : rightNumber);
  return String(left ?? '').localeCompare(String(right ?? ''));
}

function sortRows(rows: OutputRow[], column: string, order: 'asc' | 'desc'): OutputRow[] {
  const direction = order === 'asc' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => direction * compareValues(a.row[column], b.row[column]) || a.index - b.index)
    .map((entry) => entry.row);
}

function pickColumns(row: OutputRow, options: DataTableFilterOptions): OutputRow {
  const keep = options.showColumns ? new Set(['label', 'idsubdatatable', ...(row[ROW_METADATA_NAMES] ?? []), ...options.showColumns]) : undefined;
  const result: OutputRow = {};
  // Expanded subtables pass through here twice, so the metadata names stay on the row.
  if (row[ROW_METADATA_NAMES]) result[ROW_METADATA_NAMES] = row[ROW_METADATA_NAMES];
  for (const [key, value] of Object.entries(row)) {
    if (keep && !keep.has(key) && key !== 'subtable') continue;
    if (options.hideColumns.includes(key)) continue;
    result[key] = key === 'subtable' ? (value as OutputRow[]).map((child) => pickColumns(child, options)) : value;
  }
  return result;
}

function finishRow(row: OutputRow, options: DataTableFilterOptions, sortColumn: string | null): OutputRow {
  const { subtable, ...rest } = row;
  if (!options.expanded || !subtable) return pickColumns(rest, options);
  const children = sortColumn === null ? subtable : sortRows(subtable, sortColumn, options.sortOrder);
  return pickColumns({ ...rest, subtable: children.map((child) => finishRow(child, options, sortColumn)) }, options);
}

/**
 * Applies the generic filters in Matomo's order: label, flat, pattern, sort, truncate,
 * offset and limit (-1 means all), then show/hide columns. `defaultSortColumn` is the report's
 * natural order (usually nb_visits), or null for the archived order. `flatLabelRules` are the
 * report's rules for joining labels under `flat=1`.
 */
export function applyDataTableFilters(
  rows: OutputRow[], options: DataTableFilterOptions, defaultSortColumn: string | null, flatLabelRules: FlatLabelRules = DEFAULT_FLAT_LABEL_RULES,
): OutputRow[] {
  let result = rows;
  if (options.labels) result = options.labels.map((label) => findByLabelPath(rows, label)).filter((row): row is OutputRow => row !== undefined);
  if (options.flat) result = flattenWithRules(result, flatLabelRules);
  if (options.pattern) {
    const pattern = options.pattern;
    result = result.filter((row) => testTenantRegExp(pattern, String(row[options.patternColumn] ?? '')));
  }

  const sortColumn = options.sortColumn ?? defaultSortColumn;
  if (sortColumn !== null) result = sortRows(result, sortColumn, options.sortOrder);
  if (options.truncate !== undefined) result = truncateRows(result, options.truncate);
  result = result.slice(options.offset, options.limit < 0 ? undefined : options.offset + options.limit);
  return result.map((row) => finishRow(row, options, sortColumn));
}
