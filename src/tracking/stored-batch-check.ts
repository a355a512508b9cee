/**
 * Tells whether a SQLite batch committed when the write thread ended before replying, from the
 * rows the batch inserted, so that the writer does not write a committed batch a second time.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { BatchStatements, BatchTable } from './batch-sql.js';
import { ID_COLUMNS, readSqliteMaxima } from './id-reservation.js';
import type { Row, WriteBatch } from './write-batch.js';

/**
 * Columns that a batch sets when it inserts a row and that no later statement changes. A row
 * with the batch's id and these values was written by the batch, not by another process that
 * counted the same ids after the batch rolled back.
 */
const FIXED_COLUMNS: Record<BatchTable, readonly string[]> = {
  log_action: ['type', 'hash', 'name'],
  log_visit: ['idsite', 'config_id', 'visit_first_action_time'],
  log_link_visit_action: ['idsite', 'idvisit', 'server_time', 'idpageview'],
};

/** A row a batch inserted: its table, its id and the values of its fixed columns. */
export interface InsertedRow {
  table: BatchTable;
  id: number;
  values: Row;
}

/**
 * Lists the row with the last id of each table whose ids the batch advanced from `start` to
 * `end`. A batch that inserted no row, such as one of heartbeats only, gets an empty list.
 */
export function listLastInsertedRows(batch: WriteBatch, start: Record<BatchTable, number>, end: Record<BatchTable, number>): InsertedRow[] {
  const rowsByTable: Record<BatchTable, (id: number) => Row | undefined> = {
    log_action: (id) => batch.newActions.findLast((row) => row.idaction === id),
    log_visit: (id) => batch.newVisits.get(id),
    log_link_visit_action: (id) => batch.newActionRows.get(id),
  };
  const inserted: InsertedRow[] = [];
  for (const table of Object.keys(FIXED_COLUMNS) as BatchTable[]) {
    if (end[table] === start[table]) continue;
    // Every id a batch assigns gets a row, so this finds one.
    const row = rowsByTable[table](end[table]);
    if (row === undefined) continue;
    const values: Row = {};
    for (const column of FIXED_COLUMNS[table]) values[column] = row[column] ?? null;
    inserted.push({ table, id: end[table], values });
  }
  return inserted;
}

/**
 * Returns whether every row of `inserted` is stored with its values, which shows that the batch
 * that inserted them committed, because a transaction commits all of its rows or none. Reads
 * the table maxima first: one below `end` shows at once that the batch is not stored. An empty
 * list returns false, because nothing shows the batch committed.
 *
 * A row read here is durable. `openSqlite` sets WAL mode with `synchronous = FULL`, in which
 * SQLite syncs a transaction's WAL frames before other connections can see the transaction
 * (`walFrames` in SQLite's wal.c).
 */
export async function isBatchStored(
  db: Kysely<Database>, statements: BatchStatements, end: Record<BatchTable, number>, inserted: readonly InsertedRow[],
): Promise<boolean> {
  if (inserted.length === 0) return false;
  const maxima = await readSqliteMaxima(db, statements);
  if (inserted.some(({ table }) => maxima[table] < end[table])) return false;

  const q = (name: string): string => statements.quote(name);
  for (const { table, id, values } of inserted) {
    const columns = Object.keys(values);
    // `is` compares NULL with NULL as equal, as `=` does not.
    const conditions = [`${q(ID_COLUMNS[table])} = ?`, ...columns.map((column) => `${q(column)} is ?`)];
    const rows = await statements.run(db, `select 1 as found from ${statements.tables[table]} where ${conditions.join(' and ')}`,
      [id, ...columns.map((column) => values[column])]);
    if (rows.length === 0) return false;
  }
  return true;
}
