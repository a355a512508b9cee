/**
 * Raw SQLite insert baseline of the tracking and import benchmarks: the rate at which SQLite
 * alone stores the log rows that a benchmark run wrote, with nothing of Footfall's writer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { openSqlite } from '../src/db/connect.js';
import type { DatabaseConfig } from '../src/db/database-config.js';

/**
 * Log tables that tracking writes for hits, without the table prefix, in the order each
 * transaction inserts its rows. A hit is one `log_link_visit_action` row.
 */
export const RAW_INSERT_TABLES = ['log_action', 'log_visit', 'log_link_visit_action', 'log_conversion', 'log_conversion_item'] as const;

/** One of `RAW_INSERT_TABLES`. */
export type RawInsertTable = (typeof RAW_INSERT_TABLES)[number];

const HIT_TABLE: RawInsertTable = 'log_link_visit_action';

/** Name of the copy inside its folder. */
const COPY_FILE_NAME = 'raw-inserts.sqlite';

/** Settings of one `measureRawSqliteInserts` call. */
export interface RawInsertOptions {
  /** Hits per transaction. Each transaction commits after the rows of this many hits. */
  hitsPerCommit: number;
  /**
   * Time limit in milliseconds, counted from the first read of rows. No transaction starts
   * after it, so the run ends at most one transaction later.
   */
  limitMs: number;
  /**
   * Folder for the copy, which then stays there for the caller. By default the copy goes to
   * a new temporary folder that is removed before the function returns.
   */
  directory?: string;
}

/** Outcome of `measureRawSqliteInserts`. */
export interface RawInsertResult {
  /** Hits inserted per second spent inside the transactions (INSERTs and COMMITs, no reads). */
  hitsPerSecond: number;
  /** Hits inserted before the time limit. */
  hits: number;
  /** Hits in the source file. */
  sourceHits: number;
  /** Rows inserted into each table. */
  rows: Record<RawInsertTable, number>;
  /** Transactions committed. */
  commits: number;
  /** Seconds spent inside the transactions. */
  seconds: number;
  /** Path of the copy, which exists only when `directory` was given. */
  file: string;
}

/** A source table's rows and the prepared statements that move them into the copy. */
interface TableCopy {
  table: RawInsertTable;
  /** Statement that reads up to `limit` rows after a rowid, with the rowid as the last value of each row. */
  select: Sqlite.Statement<[number, number], unknown[]>;
  insert: Sqlite.Statement<unknown[]>;
  total: number;
  rowsRead: number;
  lastRowid: number;
  /** Rows read for the next transaction, without their rowid. */
  pending: unknown[][];
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Creates `table` and its indexes in `target` from the SQL stored in the source's
 * `sqlite_schema`. Indexes that SQLite creates for PRIMARY KEY and UNIQUE constraints have
 * no SQL there and come back with the table. Returns false when the source has no such table.
 */
function copyTableSchema(source: Sqlite.Database, target: Sqlite.Database, table: string): boolean {
  const statements = source.prepare<[string], { type: string; sql: string }>(
    "SELECT type, sql FROM sqlite_schema WHERE tbl_name = ? AND type IN ('table', 'index') AND sql IS NOT NULL",
  ).all(table);
  const create = statements.find((entry) => entry.type === 'table');
  if (create === undefined) return false;

  target.exec(create.sql);
  for (const entry of statements) {
    if (entry.type === 'index') target.exec(entry.sql);
  }
  return true;
}

/** Prepares the read of `table` from `source` and its single-row INSERT into `target`. */
function prepareTableCopy(source: Sqlite.Database, target: Sqlite.Database, table: RawInsertTable, prefixed: string): TableCopy {
  const columns = source.prepare<[string], { name: string }>('SELECT name FROM pragma_table_info(?)').all(prefixed)
    .map((column) => quoteIdentifier(column.name));
  const quoted = quoteIdentifier(prefixed);
  const select = source.prepare<[number, number], unknown[]>(
    `SELECT ${columns.join(', ')}, rowid FROM ${quoted} WHERE rowid > ? ORDER BY rowid LIMIT ?`,
  ).raw(true);
  const insert = target.prepare<unknown[]>(`INSERT INTO ${quoted} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
  const total = source.prepare<[], { count: number }>(`SELECT count(*) AS count FROM ${quoted}`).get()?.count ?? 0;
  return { table, select, insert, total, rowsRead: 0, lastRowid: Number.MIN_SAFE_INTEGER, pending: [] };
}

/**
 * Reads the rows of the transaction that ends after hit `hitsEnd` into `copy.pending`. The
 * hit table gives exactly its rows up to that hit. Every other table is spread over the
 * transactions in rowid order, in proportion to the hits, so its last rows go with the last hit.
 */
function readRowsUpTo(copy: TableCopy, hitsEnd: number, sourceHits: number): void {
  const end = copy.table === HIT_TABLE ? hitsEnd : Math.round((copy.total * hitsEnd) / sourceHits);
  const count = end - copy.rowsRead;
  copy.pending = [];
  if (count <= 0) return;

  for (const row of copy.select.all(copy.lastRowid, count)) {
    copy.lastRowid = row.pop() as number;
    copy.pending.push(row);
  }
  copy.rowsRead += copy.pending.length;
}

/**
 * Copies the schema of the log tables of `config.sqliteFile` (tables and their indexes, from
 * `sqlite_schema`) into a new file, then re-inserts the rows of those tables into it with
 * one prepared single-row INSERT per row. Each transaction contains the rows of
 * `hitsPerCommit` hits (`log_link_visit_action` rows, in rowid order) and starts with
 * BEGIN IMMEDIATE, as the tracking writer's do. The copy is opened with `openSqlite`, the
 * opener of tenant files, so it runs in WAL mode with `synchronous = FULL`.
 *
 * Only the transactions are timed. Reading the source rows, which happens between them, is not.
 *
 * Limitations: this is a ceiling, not the writer's work. It does not run the writer's reads,
 * its UPDATEs of visits stored by earlier batches, its id reservation, or its
 * `archive_invalidations` and `tracking_drop` upserts.
 *
 * @throws RangeError when `hitsPerCommit` is not a positive integer.
 * @throws Error when the source has no `log_link_visit_action` table or no row in it.
 */
export function measureRawSqliteInserts(config: DatabaseConfig, options: RawInsertOptions): RawInsertResult {
  if (!Number.isInteger(options.hitsPerCommit) || options.hitsPerCommit < 1) {
    throw new RangeError(`Invalid hitsPerCommit ${options.hitsPerCommit}. Use a positive integer.`);
  }
  const source = new Sqlite(config.sqliteFile, { readonly: true, fileMustExist: true });
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), 'footfall-raw-inserts-'));
  const file = join(directory, COPY_FILE_NAME);
  let target: Sqlite.Database | undefined;
  try {
    target = openSqlite({ ...config, sqliteFile: file });
    const copies = prepareCopies(source, target, config);
    const result = insertInTransactions(target, copies, options);
    return { ...result, file };
  } finally {
    target?.close();
    source.close();
    if (options.directory === undefined) rmSync(directory, { recursive: true, force: true });
  }
}

/** Copies the schema of every log table the source has and prepares its rows' copy. */
function prepareCopies(source: Sqlite.Database, target: Sqlite.Database, config: DatabaseConfig): TableCopy[] {
  const copies: TableCopy[] = [];
  for (const table of RAW_INSERT_TABLES) {
    const prefixed = `${config.tablesPrefix}${table}`;
    if (copyTableSchema(source, target, prefixed)) copies.push(prepareTableCopy(source, target, table, prefixed));
  }
  const hits = copies.find((copy) => copy.table === HIT_TABLE);
  if (hits === undefined) throw new Error(`Table ${config.tablesPrefix}${HIT_TABLE} not found in ${config.sqliteFile}. Pass the SQLite file of a tenant.`);
  if (hits.total === 0) throw new Error(`Table ${config.tablesPrefix}${HIT_TABLE} in ${config.sqliteFile} is empty, so there are no hits to re-insert. Track or import hits first.`);
  return copies;
}

/** Runs the timed transactions until every hit is inserted or `options.limitMs` has passed. */
function insertInTransactions(
  target: Sqlite.Database, copies: TableCopy[], options: RawInsertOptions,
): Omit<RawInsertResult, 'file'> {
  const sourceHits = copies.find((copy) => copy.table === HIT_TABLE)!.total;
  const insertPending = target.transaction(() => {
    for (const copy of copies) {
      for (const row of copy.pending) copy.insert.run(row);
    }
  });

  const started = performance.now();
  let timedMs = 0;
  let hits = 0;
  let commits = 0;
  while (hits < sourceHits && (commits === 0 || performance.now() - started < options.limitMs)) {
    const hitsEnd = Math.min(sourceHits, hits + options.hitsPerCommit);
    for (const copy of copies) readRowsUpTo(copy, hitsEnd, sourceHits);

    const transactionStarted = performance.now();
    insertPending.immediate();
    timedMs += performance.now() - transactionStarted;
    hits = hitsEnd;
    commits += 1;
  }

  const rows = Object.fromEntries(RAW_INSERT_TABLES.map((table) => [table, copies.find((copy) => copy.table === table)?.rowsRead ?? 0]));
  const seconds = timedMs / 1000;
  return { hitsPerSecond: hits / seconds, hits, sourceHits, rows: rows as Record<RawInsertTable, number>, commits, seconds };
}
