/** Reading and writing whole tables of a tenant database in batches, on every engine, for export and import. */
import { sql, type Kysely } from 'kysely';
import { splitIntoChunks } from './chunks.js';
import type { DatabaseConfig } from './database-config.js';
import { TABLE_NAMES, type Database } from './schema.js';

/** A table of the schema with its columns in database order. */
export interface TableColumns {
  /** Unprefixed name, as in `schema.ts`. */
  name: keyof Database;
  columns: string[];
}

/** Maximum rows in one read batch or one insert statement. */
export const DEFAULT_ROW_BATCH_SIZE = 500;

/** Bind parameters one insert may carry; SQLite's limit (32766 since 3.32) is the lowest of the three engines. */
const MAX_BIND_PARAMETERS = 30_000;

/** Lists the tables of `schema.ts` that exist in the database, in schema order, with their columns. */
export async function loadTableColumns(db: Kysely<Database>, config: DatabaseConfig): Promise<TableColumns[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: false });
  const byName = new Map(tables.map((table) => [table.name, table.columns.map((column) => column.name)]));
  return TABLE_NAMES.flatMap((name) => {
    const columns = byName.get(`${config.tablesPrefix}${name}`);
    return columns ? [{ name, columns }] : [];
  });
}

/**
 * Reads every row of a table and hands them to `onBatch` in batches, in no particular
 * order. SQLite and MariaDB stream the result; PostgreSQL reads through a cursor, because
 * its driver streams only with the `pg-cursor` package.
 */
export async function forEachRowBatch(
  db: Kysely<Database>, config: DatabaseConfig, table: keyof Database,
  onBatch: (rows: Record<string, unknown>[]) => Promise<void>, batchSize = DEFAULT_ROW_BATCH_SIZE,
): Promise<void> {
  if (config.adapter === 'pgsql') {
    await forEachRowBatchWithCursor(db, table, onBatch, batchSize);
    return;
  }
  let batch: Record<string, unknown>[] = [];
  for await (const row of db.selectFrom(table).selectAll().stream(batchSize)) {
    batch.push(row as Record<string, unknown>);
    if (batch.length < batchSize) continue;
    await onBatch(batch);
    batch = [];
  }
  if (batch.length > 0) await onBatch(batch);
}

async function forEachRowBatchWithCursor(
  db: Kysely<Database>, table: keyof Database, onBatch: (rows: Record<string, unknown>[]) => Promise<void>, batchSize: number,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`declare footfall_rows no scroll cursor for select * from ${sql.table(table)}`.execute(trx);
    for (;;) {
      const result = await sql<Record<string, unknown>>`fetch forward ${sql.lit(batchSize)} from footfall_rows`.execute(trx);
      if (result.rows.length === 0) break;
      await onBatch(result.rows);
    }
    await sql`close footfall_rows`.execute(trx);
  });
}

/** Inserts rows given as value arrays in `columns` order, in as few statements as the bind-parameter limit allows. */
export async function insertRows(db: Kysely<Database>, table: keyof Database, columns: readonly string[], rows: readonly unknown[][]): Promise<void> {
  const rowsPerInsert = Math.max(1, Math.min(DEFAULT_ROW_BATCH_SIZE, Math.floor(MAX_BIND_PARAMETERS / Math.max(1, columns.length))));
  for (const chunk of splitIntoChunks(rows, rowsPerInsert)) {
    const values = chunk.map((row) => Object.fromEntries(columns.map((column, index) => [column, row[index]])));
    await db.insertInto(table).values(values as never).execute();
  }
}

/**
 * Moves every PostgreSQL sequence of the tenant's tables past the highest id, after rows were
 * inserted with their ids, so the next insert does not reuse one. MariaDB and SQLite move
 * their auto-increment counters on such inserts by themselves.
 */
export async function resetAutoIncrementSequences(db: Kysely<Database>, config: DatabaseConfig): Promise<number> {
  if (config.adapter !== 'pgsql') return 0;
  const serials = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = current_schema() and column_default like 'nextval(%' and table_name like ${`${config.tablesPrefix}%`}`.execute(db);
  for (const { table_name: tableName, column_name: columnName } of serials.rows) {
    const quotedTable = `"${tableName.replace(/"/g, '""')}"`;
    await sql`select setval(pg_get_serial_sequence(${quotedTable}, ${columnName}),
      coalesce((select max(${sql.id(columnName)}) from ${sql.id(tableName)}), 0) + 1, false)`.execute(db);
  }
  return serials.rows.length;
}
