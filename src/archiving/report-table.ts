/** Report tables as archived: rows of metrics keyed by label, with optional subtables. */

/** One row of a report: its label, its summed metrics, fixed metadata and an optional subtable. */
export interface ReportRow {
  label: string;
  metrics: Record<string, number>;
  /** Values that describe the row rather than count it (`segment`, `url`, `code`...); never summed. */
  metadata?: Record<string, string | number>;
  subtable?: ReportRow[];
  /** Id of the subtable within its archive, assigned when the archive is saved. */
  idsubdatatable?: number;
}

/** The numbers and report tables of one archive. */
export interface ArchiveRecords {
  numerics: Record<string, number>;
  reports: Record<string, ReportRow[]>;
}

/** Combines a metric of two periods: most add up, `max_*` take the maximum and `min_*` the minimum. */
export function combineMetric(name: string, left: number, right: number): number {
  if (name.startsWith('max_')) return Math.max(left, right);
  if (name.startsWith('min_')) return Math.min(left, right);
  return left + right;
}

/** Returns the metric names of a table as seen in a longer period: `nb_uniq_visitors` becomes `sum_daily_nb_uniq_visitors`. */
function renameForLongerPeriod(name: string): string {
  return name === 'nb_uniq_visitors' || name === 'nb_users' ? `sum_daily_${name}` : name;
}

function addMetrics(target: Record<string, number>, source: Record<string, number>, rename: boolean): void {
  for (const [rawName, value] of Object.entries(source)) {
    const name = rename ? renameForLongerPeriod(rawName) : rawName;
    target[name] = name in target ? combineMetric(name, target[name]!, value) : value;
  }
}

/**
 * Sums report tables row by row, matching rows by label at every level. `fromDays` renames
 * unique-visitor counts to their `sum_daily_` form, since daily uniques do not add up to
 * the uniques of a longer period.
 */
export function sumReportTables(tables: readonly ReportRow[][], options: { fromDays: boolean }): ReportRow[] {
  const byLabel = new Map<string, ReportRow>();
  const pendingSubtables = new Map<string, ReportRow[][]>();
  for (const table of tables) {
    for (const row of table) {
      let target = byLabel.get(row.label);
      if (!target) {
        target = { label: row.label, metrics: {}, ...(row.metadata ? { metadata: { ...row.metadata } } : {}) };
        byLabel.set(row.label, target);
      }
      addMetrics(target.metrics, row.metrics, options.fromDays);
      if (row.subtable) pendingSubtables.set(row.label, [...(pendingSubtables.get(row.label) ?? []), row.subtable]);
    }
  }
  for (const [label, subtables] of pendingSubtables) byLabel.get(label)!.subtable = sumReportTables(subtables, options);
  return [...byLabel.values()];
}

/** Sums the numeric records of several archives, combining each metric with `combineMetric`. */
export function sumNumerics(records: readonly Record<string, number>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const record of records) addMetrics(total, record, false);
  return total;
}

/** Numbers every subtable of a table tree breadth first from 1, so `idSubtable=N` can find it. */
export function assignSubtableIds(tables: Iterable<ReportRow[]>): void {
  let next = 1;
  const queue: ReportRow[][] = [...tables];
  while (queue.length > 0) {
    for (const row of queue.shift()!) {
      if (!row.subtable) continue;
      row.idsubdatatable = next++;
      queue.push(row.subtable);
    }
  }
}

/** Returns the subtable with a given id in a table tree, or undefined. */
export function findSubtable(table: readonly ReportRow[], id: number): ReportRow[] | undefined {
  for (const row of table) {
    if (!row.subtable) continue;
    if (row.idsubdatatable === id) return row.subtable;
    const found = findSubtable(row.subtable, id);
    if (found) return found;
  }
  return undefined;
}
