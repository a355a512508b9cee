/** Matomo's generic report filters: label, flat, pattern, sort, offset/limit, show/hide columns. */
import type { ApiParams } from '../api/api-params.js';
import type { ApiObject, ApiValue } from '../api/api-value.js';
import { FootfallError, quote } from '../errors.js';

/** An output row. While filters run, `subtable` contains the rows of its subtable. */
export type OutputRow = ApiObject & { subtable?: OutputRow[] };

/** The generic filters of one request. */
export interface DataTableFilterOptions {
  limit: number;
  offset: number;
  sortColumn: string | undefined;
  sortOrder: 'asc' | 'desc';
  pattern: RegExp | undefined;
  patternColumn: string;
  flat: boolean;
  expanded: boolean;
  labels: string[] | undefined;
  showColumns: string[] | undefined;
  hideColumns: string[];
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

function parsePattern(raw: string | undefined): RegExp | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    return new RegExp(raw, 'i');
  } catch {
    throw new FootfallError('PARAMETER_INVALID', `Invalid filter_pattern ${quote(raw)}. Use a regular expression.`);
  }
}

function findByLabelPath(rows: OutputRow[], path: string): OutputRow | undefined {
  const [head, ...rest] = path.split('>').map((part) => part.trim());
  const row = rows.find((candidate) => candidate.label === head);
  if (!row || rest.length === 0) return row;
  return row.subtable ? findByLabelPath(row.subtable, rest.join('>')) : undefined;
}

function flatten(rows: OutputRow[], prefix = ''): OutputRow[] {
  return rows.flatMap((row) => {
    const label = prefix === '' ? String(row.label) : `${prefix} - ${String(row.label)}`;
    if (!row.subtable) return [{ ...row, label }];
    return flatten(row.subtable, label);
  });
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
  // NOTE: Matomo's showColumns keeps row metadata (segment, logo...); here it keeps only the label and idsubdatatable.
  const keep = options.showColumns ? new Set(['label', 'idsubdatatable', ...options.showColumns]) : undefined;
  const result: OutputRow = {};
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
 * Applies the generic filters in Matomo's order: label, flat, pattern, sort, offset and
 * limit (-1 means all), then show/hide columns. `defaultSortColumn` is the report's
 * natural order (usually nb_visits), or null for the archived order.
 */
export function applyDataTableFilters(rows: OutputRow[], options: DataTableFilterOptions, defaultSortColumn: string | null): OutputRow[] {
  let result = rows;
  if (options.labels) result = options.labels.map((label) => findByLabelPath(rows, label)).filter((row): row is OutputRow => row !== undefined);
  if (options.flat) result = flatten(result);
  if (options.pattern) {
    const pattern = options.pattern;
    result = result.filter((row) => pattern.test(String(row[options.patternColumn] ?? '')));
  }

  const sortColumn = options.sortColumn ?? defaultSortColumn;
  if (sortColumn !== null) result = sortRows(result, sortColumn, options.sortOrder);
  result = result.slice(options.offset, options.limit < 0 ? undefined : options.offset + options.limit);
  return result.map((row) => finishRow(row, options, sortColumn));
}
