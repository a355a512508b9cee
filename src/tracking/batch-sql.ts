/**
 * The SQL that flushes a tracking batch: multi-row inserts and single-row updates, built as
 * text once per shape and run as compiled queries, so no query builder runs per hit.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { DatabaseAdapter } from '../db/database-config.js';
import type { Database } from '../db/schema.js';
import type { Row, WriteBatch } from './write-batch.js';

/** The tables a batch writes with pre-built SQL. */
export type BatchTable = 'log_visit' | 'log_link_visit_action' | 'log_action';

const BATCH_TABLES: readonly BatchTable[] = ['log_visit', 'log_link_visit_action', 'log_action'];

/**
 * Bound parameters per statement. SQLite allows 32,766 (since 3.32), MariaDB and PostgreSQL
 * 65,535, so this stays under all three.
 */
const MAX_PARAMETERS = 30_000;
/** Rows per multi-row insert; chunks are powers of two so that few SQL texts exist. */
const MAX_ROWS_PER_INSERT = 256;

/** Quoted, prefixed table names, read from Kysely's compiler so that they match every other query. */
export type TableNames = Record<BatchTable, string>;

/** Returns the quoted table names that `db` (with its table prefix plugin) uses. */
export function readTableNames(db: Kysely<Database>): TableNames {
  const names = {} as TableNames;
  for (const table of BATCH_TABLES) {
    const text = db.selectFrom(table).selectAll().compile().sql;
    const match = /\bfrom (.+)$/.exec(text);
    if (!match) throw new Error(`failed to read the table name of ${table} from the compiled query "${text}"`);
    names[table] = match[1]!;
  }
  return names;
}

/** Builds and runs the statements of one engine and one tenant's table names. */
export class BatchStatements {
  readonly adapter: DatabaseAdapter;
  readonly tables: TableNames;
  readonly #texts = new Map<string, string>();

  constructor(adapter: DatabaseAdapter, tables: TableNames) {
    this.adapter = adapter;
    this.tables = tables;
  }

  /** Quotes a column name for this engine. */
  quote(name: string): string {
    return this.adapter === 'mysql' ? `\`${name}\`` : `"${name}"`;
  }

  /** Runs SQL text with parameters on `db` (a single connection inside the batch's transaction). */
  async run<R = Row>(db: Kysely<Database>, text: string, parameters: readonly unknown[] = []): Promise<R[]> {
    const result = await db.executeQuery<R>(CompiledQuery.raw(text, parameters as unknown[]));
    return result.rows as R[];
  }

  /** Writes every pending row and update of a batch. */
  async flush(db: Kysely<Database>, batch: WriteBatch): Promise<void> {
    await this.insertRows(db, 'log_action', batch.newActions);
    await this.insertRows(db, 'log_visit', [...batch.newVisits.values()]);
    await this.insertRows(db, 'log_link_visit_action', [...batch.newActionRows.values()]);
    for (const [idvisit, values] of batch.visitUpdates) await this.updateRow(db, 'log_visit', 'idvisit', idvisit, values);
    for (const [idlinkVa, seconds] of batch.timeSpentUpdates) {
      await this.updateRow(db, 'log_link_visit_action', 'idlink_va', idlinkVa, { time_spent: seconds });
    }
  }

  /**
   * Inserts rows with multi-row INSERTs. The columns are the union of the rows' keys, and a
   * row without one of them stores NULL there, which is every optional column's default.
   */
  async insertRows(db: Kysely<Database>, table: BatchTable, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    const columns = columnsOf(rows);
    const maxRows = largestPowerOfTwo(Math.min(MAX_ROWS_PER_INSERT, Math.floor(MAX_PARAMETERS / columns.length)));
    let start = 0;
    while (start < rows.length) {
      const count = largestPowerOfTwo(Math.min(maxRows, rows.length - start));
      const parameters: unknown[] = [];
      for (let index = start; index < start + count; index += 1) {
        const row = rows[index]!;
        for (const column of columns) parameters.push(row[column] ?? null);
      }
      await this.run(db, this.#insertText(table, columns, count), parameters);
      start += count;
    }
  }

  async updateRow(db: Kysely<Database>, table: BatchTable, idColumn: string, id: number, values: Row): Promise<void> {
    const columns = Object.keys(values);
    if (columns.length === 0) return;
    const parameters = columns.map((column) => values[column] ?? null);
    parameters.push(id);
    await this.run(db, this.#updateText(table, idColumn, columns), parameters);
  }

  #insertText(table: BatchTable, columns: readonly string[], rowCount: number): string {
    const key = `insert|${table}|${rowCount}|${columns.join(',')}`;
    let text = this.#texts.get(key);
    if (text !== undefined) return text;
    const groups: string[] = [];
    let parameter = 0;
    for (let row = 0; row < rowCount; row += 1) {
      groups.push(`(${columns.map(() => this.#placeholder(++parameter)).join(', ')})`);
    }
    text = `insert into ${this.tables[table]} (${columns.map((column) => this.quote(column)).join(', ')}) values ${groups.join(', ')}`;
    this.#texts.set(key, text);
    return text;
  }

  #updateText(table: BatchTable, idColumn: string, columns: readonly string[]): string {
    const key = `update|${table}|${idColumn}|${columns.join(',')}`;
    let text = this.#texts.get(key);
    if (text !== undefined) return text;
    const assignments = columns.map((column, index) => `${this.quote(column)} = ${this.#placeholder(index + 1)}`);
    text = `update ${this.tables[table]} set ${assignments.join(', ')} where ${this.quote(idColumn)} = ${this.#placeholder(columns.length + 1)}`;
    this.#texts.set(key, text);
    return text;
  }

  #placeholder(position: number): string {
    return this.adapter === 'pgsql' ? `$${position}` : '?';
  }
}

/** Returns the keys of all rows, in the order they first appear. */
function columnsOf(rows: readonly Row[]): string[] {
  const columns = new Set<string>(Object.keys(rows[0]!));
  for (const row of rows) {
    for (const column of Object.keys(row)) columns.add(column);
  }
  return [...columns];
}

function largestPowerOfTwo(limit: number): number {
  let value = 1;
  while (value * 2 <= limit) value *= 2;
  return value;
}
