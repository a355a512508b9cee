/**
 * The SQL that flushes a tracking batch: multi-row inserts and single-row updates, built as
 * text once per shape and run as compiled queries, so no query builder runs per hit.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import { splitIntoChunks } from '../db/chunks.js';
import type { DatabaseAdapter } from '../db/database-config.js';
import type { Database } from '../db/schema.js';
import type { BatchStatement } from './sqlite-write-thread.js';
import type { Row, WriteBatch } from './write-batch.js';

/** The tables whose ids a batch assigns itself. */
export type BatchTable = 'log_visit' | 'log_link_visit_action' | 'log_action';
/** The tables a batch writes with pre-built SQL. */
export type WrittenTable = BatchTable | 'log_conversion';

const WRITTEN_TABLES: readonly WrittenTable[] = ['log_visit', 'log_link_visit_action', 'log_action', 'log_conversion'];

/**
 * Bound parameters per statement. SQLite allows 32,766 (since 3.32), MariaDB and PostgreSQL
 * 65,535, so this stays under all three.
 */
const MAX_PARAMETERS = 30_000;
/**
 * Rows per multi-row insert or update on SQLite, and per lookup list. SQLite's chunks are
 * powers of two, so that few SQL texts are prepared and kept.
 */
const MAX_ROWS_PER_INSERT = 256;
/**
 * Rows per multi-row insert or update on MariaDB and PostgreSQL. There each statement costs a
 * round trip, and Kysely's drivers keep no prepared statements (mysql2 `query`, unnamed pg
 * statements), so a chunk has any size up to this.
 */
const MAX_ROWS_PER_SERVER_STATEMENT = 1024;
/** Keys per read-ahead query; a shorter list is padded to a power of two so that few SQL texts exist. */
const MAX_KEYS_PER_SELECT = 1024;

/** Lists of (type, hashes) per `log_action` lookup query: 16 × 257 parameters at most. */
const MAX_PARTS_PER_ACTION_SELECT = 16;

/** A `log_action` row as the lookup by hash returns it. */
export interface ActionRow {
  idaction: number | string;
  name: string;
  type: number | string;
}

/** The `log_visit` column a batch reads visits by. */
export type VisitKeyColumn = 'idvisitor' | 'config_id';

/** A `log_link_visit_action` row as the read-ahead of a visit's last actions returns it. */
export interface LastActionRow {
  idvisit: number | string;
  idlink_va: number | string;
  server_time: string;
  idaction_url: number | string | null;
  idaction_name: number | string | null;
  pageview_position: number | string | null;
}

/** Quoted, prefixed table names, read from Kysely's compiler so that they match every other query. */
export type TableNames = Record<WrittenTable, string>;

/** Returns the quoted table names that `db` (with its table prefix plugin) uses. */
export function readTableNames(db: Kysely<Database>): TableNames {
  const names = {} as TableNames;
  for (const table of WRITTEN_TABLES) {
    const text = db.selectFrom(table).selectAll().compile().sql;
    const match = /\bfrom (.+)$/.exec(text);
    if (!match) throw new Error(`failed to read the table name of ${table} from the compiled query "${text}"`);
    names[table] = match[1]!;
  }
  return names;
}

/** Statements gathered for the SQLite write thread instead of being run on a connection. */
export class CollectedStatements {
  readonly list: BatchStatement[] = [];
}

/** The destination of batch statements: a connection inside the batch's transaction, or a list for the write thread. */
export type StatementTarget = Kysely<Database> | CollectedStatements;

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

  /**
   * Runs SQL text with parameters on `db` (a single connection inside the batch's transaction),
   * or adds it to collected statements, which return no rows.
   */
  async run<R = Row>(db: StatementTarget, text: string, parameters: readonly unknown[] = []): Promise<R[]> {
    if (db instanceof CollectedStatements) {
      db.list.push([text, parameters]);
      return [];
    }
    const result = await db.executeQuery<R>(CompiledQuery.raw(text, parameters as unknown[]));
    return result.rows as R[];
  }

  /** Writes every pending row and update of a batch. */
  async flush(db: StatementTarget, batch: WriteBatch): Promise<void> {
    await this.insertRows(db, 'log_action', batch.newActions);
    await this.insertRows(db, 'log_visit', [...batch.newVisits.values()]);
    await this.insertRows(db, 'log_link_visit_action', [...batch.newActionRows.values()]);
    await this.insertRows(db, 'log_conversion', batch.newConversions);
    await this.updateRows(db, 'log_visit', 'idvisit', batch.visitUpdates);
    const timeSpent = new Map<number, Row>();
    for (const [idlinkVa, seconds] of batch.timeSpentUpdates) timeSpent.set(idlinkVa, { time_spent: seconds });
    await this.updateRows(db, 'log_link_visit_action', 'idlink_va', timeSpent);
  }

  /**
   * Returns the `log_action` rows whose (type, hash) pair is among `hashesByType`, in id order,
   * with one query for up to 16 lists of 256 hashes. Each list's condition puts the type first
   * so that it uses the (type, hash) index.
   */
  async selectActionsByHash(db: Kysely<Database>, hashesByType: ReadonlyMap<number, readonly number[]>): Promise<ActionRow[]> {
    const parts: { type: number; hashes: number[] }[] = [];
    for (const [type, hashes] of hashesByType) {
      for (const chunk of splitIntoChunks(hashes, MAX_ROWS_PER_INSERT)) parts.push({ type, hashes: padToPowerOfTwo(chunk) });
    }

    const rows: ActionRow[] = [];
    for (const chunk of splitIntoChunks(parts, MAX_PARTS_PER_ACTION_SELECT)) {
      const sizes = chunk.map((part) => part.hashes.length);
      const key = `select-actions|${sizes.join(',')}`;
      let text = this.#texts.get(key);
      if (text === undefined) {
        text = this.#actionsByHashText(sizes);
        this.#texts.set(key, text);
      }
      const parameters = chunk.flatMap((part) => [part.type, ...part.hashes]);
      rows.push(...await this.run<ActionRow>(db, text, parameters));
    }
    // Rows of several queries are not in one id order, so they are sorted together.
    if (parts.length > MAX_PARTS_PER_ACTION_SELECT) rows.sort((left, right) => Number(left.idaction) - Number(right.idaction));
    return rows;
  }

  #actionsByHashText(sizes: readonly number[]): string {
    const q = (name: string): string => this.quote(name);
    let parameter = 0;
    const selects = sizes.map((size) => {
      const type = this.#placeholder(++parameter);
      const hashes = Array.from({ length: size }, () => this.#placeholder(++parameter));
      return `select ${q('idaction')}, ${q('name')}, ${q('type')} from ${this.tables.log_action}`
        + ` where ${q('type')} = ${type} and ${q('hash')} in (${hashes.join(', ')})`;
    });
    return `${selects.join(' union all ')} order by 1`;
  }

  /**
   * Returns, for each key of `column`, the site's visit with the latest `visit_last_action_time`
   * in [`earliest`, `latest`], where a null bound leaves that side open. Ties go to the larger
   * `idvisit`. It runs one query per 1,024 keys, served by the (idsite, key, time) index.
   */
  async selectLatestVisits(
    db: Kysely<Database>, siteId: number, column: VisitKeyColumn, keys: readonly string[], earliest: string | null, latest: string | null,
  ): Promise<Row[]> {
    const rows: Row[] = [];
    for (const keysChunk of splitIntoChunks(keys, MAX_KEYS_PER_SELECT)) {
      const chunk = padToPowerOfTwo(keysChunk);
      const key = `latest-visits|${column}|${earliest === null ? 'open' : 'bounded'}|${latest === null ? 'open' : 'bounded'}|${chunk.length}`;
      let text = this.#texts.get(key);
      if (text === undefined) {
        text = this.#latestVisitsText(column, chunk.length, earliest !== null, latest !== null);
        this.#texts.set(key, text);
      }
      const bounds = [...(latest === null ? [] : [latest]), ...(earliest === null ? [] : [earliest])];
      const parameters = [siteId, ...bounds, ...chunk];
      for (const row of await this.run(db, text, parameters)) {
        delete row.visit_rank;
        rows.push(row);
      }
    }
    return rows;
  }

  #latestVisitsText(column: VisitKeyColumn, keyCount: number, hasEarliest: boolean, hasLatest: boolean): string {
    const q = (name: string): string => this.quote(name);
    let parameter = 0;
    const next = (): string => this.#placeholder(++parameter);
    const conditions = [`${q('idsite')} = ${next()}`];
    if (hasLatest) conditions.push(`${q('visit_last_action_time')} <= ${next()}`);
    if (hasEarliest) conditions.push(`${q('visit_last_action_time')} >= ${next()}`);
    const placeholders = Array.from({ length: keyCount }, next);
    conditions.push(`${q(column)} in (${placeholders.join(', ')})`);
    return `select * from (select v.*, row_number() over (partition by ${q(column)}`
      + ` order by ${q('visit_last_action_time')} desc, ${q('idvisit')} desc) as ${q('visit_rank')}`
      + ` from ${this.tables.log_visit} as v where ${conditions.join(' and ')}) as ranked where ${q('visit_rank')} = 1`;
  }

  /**
   * Returns, for each visit of `idvisits`, its last action row and its last pageview row (one
   * row when they are the same action), read through the `idvisit` index.
   */
  async selectLastActions(db: Kysely<Database>, idvisits: readonly number[]): Promise<LastActionRow[]> {
    const rows: LastActionRow[] = [];
    for (const idvisitsChunk of splitIntoChunks(idvisits, MAX_KEYS_PER_SELECT)) {
      const chunk = padToPowerOfTwo(idvisitsChunk);
      const key = `last-actions|${chunk.length}`;
      let text = this.#texts.get(key);
      if (text === undefined) {
        text = this.#lastActionsText(chunk.length);
        this.#texts.set(key, text);
      }
      rows.push(...await this.run<LastActionRow>(db, text, [...chunk, ...chunk]));
    }
    return rows;
  }

  #lastActionsText(visitCount: number): string {
    const q = (name: string): string => this.quote(name);
    const table = this.tables.log_link_visit_action;
    let parameter = 0;
    const list = (): string => Array.from({ length: visitCount }, () => this.#placeholder(++parameter)).join(', ');
    const columns = ['idvisit', 'idlink_va', 'server_time', 'idaction_url', 'idaction_name', 'pageview_position'].map(q).join(', ');
    const lastAction = `select max(${q('idlink_va')}) from ${table} where ${q('idvisit')} in (${list()}) group by ${q('idvisit')}`;
    const lastPageview = `select max(${q('idlink_va')}) from ${table} where ${q('idvisit')} in (${list()})`
      + ` and ${q('pageview_position')} is not null group by ${q('idvisit')}`;
    return `select ${columns} from ${table} where ${q('idlink_va')} in (${lastAction})`
      + ` union select ${columns} from ${table} where ${q('idlink_va')} in (${lastPageview})`;
  }

  /**
   * Inserts rows with multi-row INSERTs. The columns are the union of the rows' keys, and a
   * row without one of them stores NULL there, which is every optional column's default.
   */
  async insertRows(db: StatementTarget, table: WrittenTable, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    const columns = columnsOf(rows);
    let start = 0;
    while (start < rows.length) {
      const count = this.#chunkSize(columns.length, rows.length - start);
      const parameters = new Array<unknown>(count * columns.length);
      let position = 0;
      for (let index = start; index < start + count; index += 1) {
        const row = rows[index]!;
        for (const column of columns) parameters[position++] = row[column] ?? null;
      }
      await this.run(db, this.#insertText(table, columns, count), parameters);
      start += count;
    }
  }

  /**
   * Updates rows by id, with one multi-row UPDATE for each set of changed columns (chunked
   * like inserts): `UPDATE ... FROM (VALUES ...)` on SQLite and PostgreSQL, and a join with a
   * derived table on MariaDB, which has no UPDATE ... FROM.
   */
  async updateRows(db: StatementTarget, table: BatchTable, idColumn: string, updates: ReadonlyMap<number, Row>): Promise<void> {
    const groups = new Map<string, { columns: string[]; entries: [number, Row][] }>();
    for (const [id, values] of updates) {
      const columns = Object.keys(values);
      if (columns.length === 0) continue;
      const key = columns.join(',');
      const group = groups.get(key);
      if (group) group.entries.push([id, values]);
      else groups.set(key, { columns, entries: [[id, values]] });
    }

    for (const { columns, entries } of groups.values()) {
      let start = 0;
      while (start < entries.length) {
        const count = this.#chunkSize(columns.length + 1, entries.length - start);
        const chunk = entries.slice(start, start + count);
        const parameters: unknown[] = [];
        for (const [id, values] of chunk) {
          parameters.push(id);
          for (const column of columns) parameters.push(values[column] ?? null);
        }
        const casts = this.adapter === 'pgsql' ? columns.map((column) => castOf(chunk.map(([, values]) => values[column]))) : [];
        await this.run(db, this.#updateText(table, idColumn, columns, count, casts), parameters);
        start += count;
      }
    }
  }

  /** Returns how many of `remaining` rows of `width` parameters the next statement writes. */
  #chunkSize(width: number, remaining: number): number {
    const byParameters = Math.floor(MAX_PARAMETERS / width);
    if (this.adapter !== 'sqlite') return Math.min(MAX_ROWS_PER_SERVER_STATEMENT, byParameters, remaining);
    return largestPowerOfTwo(Math.min(largestPowerOfTwo(Math.min(MAX_ROWS_PER_INSERT, byParameters)), remaining));
  }

  /** Keeps an SQL text for reuse when its row count is a power of two; other counts are rare and their texts large. */
  #keep(key: string, text: string, rowCount: number): void {
    if ((rowCount & (rowCount - 1)) === 0) this.#texts.set(key, text);
  }

  #insertText(table: WrittenTable, columns: readonly string[], rowCount: number): string {
    const key = `insert|${table}|${rowCount}|${columns.join(',')}`;
    let text = this.#texts.get(key);
    if (text !== undefined) return text;
    const groups: string[] = [];
    let parameter = 0;
    for (let row = 0; row < rowCount; row += 1) {
      groups.push(`(${columns.map(() => this.#placeholder(++parameter)).join(', ')})`);
    }
    text = `insert into ${this.tables[table]} (${columns.map((column) => this.quote(column)).join(', ')}) values ${groups.join(', ')}`;
    this.#keep(key, text, rowCount);
    return text;
  }

  #updateText(table: BatchTable, idColumn: string, columns: readonly string[], rowCount: number, casts: readonly string[]): string {
    const key = `update|${table}|${idColumn}|${rowCount}|${columns.join(',')}|${casts.join(',')}`;
    let text = this.#texts.get(key);
    if (text !== undefined) return text;
    text = this.adapter === 'mysql'
      ? this.#joinUpdateText(table, idColumn, columns, rowCount)
      : this.#valuesUpdateText(table, idColumn, columns, rowCount, casts);
    this.#keep(key, text, rowCount);
    return text;
  }

  /** `UPDATE t SET c = v.c FROM (VALUES (...), ...) AS v WHERE t.id = v.id`, for SQLite 3.33+ and PostgreSQL. */
  #valuesUpdateText(table: BatchTable, idColumn: string, columns: readonly string[], rowCount: number, casts: readonly string[]): string {
    // SQLite names the columns of VALUES column1, column2, ... and takes no column list after the alias.
    const sqlite = this.adapter === 'sqlite';
    const names = ['id', ...columns.map((_, index) => `c${index}`)].map((name, index) => (sqlite ? `column${index + 1}` : name));
    const groups: string[] = [];
    let parameter = 0;
    for (let row = 0; row < rowCount; row += 1) {
      // PostgreSQL types an untyped parameter in VALUES as text, so each gets the cast of its column.
      const values = names.map((_, index) => {
        const placeholder = this.#placeholder(++parameter);
        if (this.adapter !== 'pgsql') return placeholder;
        return `${placeholder}::${index === 0 ? 'bigint' : casts[index - 1]}`;
      });
      groups.push(`(${values.join(', ')})`);
    }
    const assignments = columns.map((column, index) => `${this.quote(column)} = v.${names[index + 1]}`);
    const alias = sqlite ? 'v' : `v (${names.join(', ')})`;
    return `update ${this.tables[table]} set ${assignments.join(', ')} from (values ${groups.join(', ')}) as ${alias}`
      + ` where ${this.tables[table]}.${this.quote(idColumn)} = v.${names[0]}`;
  }

  /** `UPDATE t JOIN (SELECT ? AS id, ? AS c UNION ALL SELECT ?, ? ...) v ON t.id = v.id SET t.c = v.c`, for MariaDB. */
  #joinUpdateText(table: BatchTable, idColumn: string, columns: readonly string[], rowCount: number): string {
    const names = ['id', ...columns.map((_, index) => `c${index}`)];
    const selects: string[] = [];
    for (let row = 0; row < rowCount; row += 1) {
      const values = names.map((name) => (row === 0 ? `? as ${name}` : '?'));
      selects.push(`select ${values.join(', ')}`);
    }
    const assignments = columns.map((column, index) => `t.${this.quote(column)} = v.${names[index + 1]}`);
    return `update ${this.tables[table]} as t join (${selects.join(' union all ')}) as v on t.${this.quote(idColumn)} = v.id`
      + ` set ${assignments.join(', ')}`;
  }

  #placeholder(position: number): string {
    return this.adapter === 'pgsql' ? `$${position}` : '?';
  }
}

/**
 * Returns the keys of all rows that have a value other than null in at least one row, in the
 * order they first appear. A column left out of an INSERT stores its default. That is NULL
 * for every nullable column of the log tables, because none has another default. So leaving
 * out the columns that are null in every row stores the same rows with fewer parameters. A
 * NOT NULL column left out fails the INSERT, as a NULL in it does.
 */
function columnsOf(rows: readonly Row[]): string[] {
  const columns = new Set<string>();
  for (const row of rows) {
    // for...in, unlike Object.keys, allocates no array per row. Rows are plain objects, so it visits only their own keys.
    for (const column in row) {
      if (row[column] !== null && row[column] !== undefined) columns.add(column);
    }
  }
  return [...columns];
}

/** Repeats the last value until the list's length is a power of two; repeated keys in an IN list change nothing. */
function padToPowerOfTwo<T>(values: T[]): T[] {
  let length = 1;
  while (length < values.length) length *= 2;
  while (values.length < length) values.push(values[values.length - 1]!);
  return values;
}

function largestPowerOfTwo(limit: number): number {
  let value = 1;
  while (value * 2 <= limit) value *= 2;
  return value;
}

/**
 * Returns the PostgreSQL type a column's parameters are cast to. Integers become bigint and
 * strings text; assignment casts then convert them to the column's type (bigint to int,
 * and any type to varchar). A column of NULLs only is cast to bigint for the same reason.
 */
function castOf(values: readonly unknown[]): string {
  let cast = 'bigint';
  for (const value of values) {
    if (typeof value === 'string') return 'text';
    if (typeof value === 'number' && !Number.isInteger(value)) cast = 'double precision';
  }
  return cast;
}
