/**
 * Ids the tracking writer assigns itself (`idvisit`, `idlink_va`, `idaction`), so that rows can
 * reference each other before they are inserted together at the end of a batch.
 *
 * Another process (`log:import`, or a second server) may write the same tenant database, so
 * each engine reserves ids inside the batch's transaction:
 * - SQLite: the transaction starts with BEGIN IMMEDIATE, which takes the database's single
 *   write lock, and then reads the largest id of each table (and of `sqlite_sequence`, so that
 *   ids of deleted rows are not used again, as AUTOINCREMENT promises).
 * - MariaDB: a named lock (GET_LOCK, per database and table prefix) serialises tracking
 *   writers, and the transaction then reads the largest id of each table. Row locks would
 *   not do: `SELECT MAX(id) ... FOR UPDATE` on an empty table takes only a gap lock, which two
 *   writers may both hold, and their inserts then deadlock. NOTE: unlike AUTO_INCREMENT, this
 *   reuses the ids of rows deleted from the end of a table, and an insert that bypasses the
 *   writer (and its lock) may take an id the writer also assigns, failing one of them.
 * - PostgreSQL: ids come from each table's own sequence (`nextval`), in blocks, so nothing is
 *   locked for them, and unused ids of a block are left as gaps. A transaction-scoped
 *   advisory lock still serialises tracking writers, so that two processes do not both insert
 *   one new `log_action` string.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { BatchStatements, BatchTable } from './batch-sql.js';

/** The id column of each table whose ids a batch assigns. */
export const ID_COLUMNS: Record<BatchTable, string> = { log_visit: 'idvisit', log_link_visit_action: 'idlink_va', log_action: 'idaction' };
const TABLE_ORDER: readonly BatchTable[] = ['log_action', 'log_visit', 'log_link_visit_action'];

/**
 * PostgreSQL ids fetched by a batch's first `nextval` round trip of a table, unless the batch
 * expects more (see `IdSource.expect`). Each further block doubles, up to the maximum.
 */
const FIRST_BLOCK_SIZE = 16;
const MAX_BLOCK_SIZE = 1024;

/** Seconds a MariaDB writer waits for another process's batch to commit before its batch fails. */
const MYSQL_LOCK_TIMEOUT_SECONDS = 30;

/** Hands out new ids within one transaction. */
export interface IdSource {
  next(table: BatchTable): Promise<number>;
  /** Returns the next id when it costs no round trip, else undefined and `next` must be awaited. */
  nextAtOnce(table: BatchTable): number | undefined;
  /** Tells how many ids of `table` the batch will likely take, so that they can be fetched at once. */
  expect(table: BatchTable, count: number): void;
  /** Releases what the reservation holds beyond the transaction; call after COMMIT or ROLLBACK. */
  release(): Promise<void>;
}

/**
 * Starts the batch's transaction on `db` (one connection) and reserves the right to assign ids
 * in it. `expectedActionRows` (the batch's hit count) sizes the first block of
 * `log_link_visit_action` ids on PostgreSQL, so that a large batch fetches them in one round trip.
 */
export async function beginWithIds(db: Kysely<Database>, statements: BatchStatements, expectedActionRows = FIRST_BLOCK_SIZE): Promise<IdSource> {
  switch (statements.adapter) {
    case 'sqlite':
      await statements.run(db, 'begin immediate');
      return new CounterIds(await readSqliteMaxima(db, statements), () => Promise.resolve());
    case 'mysql': {
      // Names longer than 64 characters are an error, so the name is a hash of the database and the table name.
      const lockName = "concat('footfall_tracking_', sha1(concat(database(), '.', ?)))";
      const [lock] = await statements.run<{ acquired: number | null }>(db,
        `select get_lock(${lockName}, ?) as acquired`, [statements.tables.log_visit, MYSQL_LOCK_TIMEOUT_SECONDS]);
      if (Number(lock?.acquired) !== 1) {
        throw new Error(`timed out after ${MYSQL_LOCK_TIMEOUT_SECONDS} s waiting for the tracking write lock of ${statements.tables.log_visit}`);
      }
      const release = async (): Promise<void> => {
        await statements.run(db, `select release_lock(${lockName})`, [statements.tables.log_visit]);
      };
      try {
        await statements.run(db, 'start transaction');
        const selects = TABLE_ORDER.map((table) =>
          `(select max(${statements.quote(ID_COLUMNS[table])}) from ${statements.tables[table]}) as ${statements.quote(table)}`);
        const [row] = await statements.run<Record<BatchTable, number | null>>(db, `select ${selects.join(', ')}`);
        const maxima = {} as Record<BatchTable, number>;
        for (const table of TABLE_ORDER) maxima[table] = Number(row?.[table] ?? 0);
        return new CounterIds(maxima, release);
      } catch (error) {
        await release();
        throw error;
      }
    }
    case 'pgsql': {
      // One round trip for both statements: node-postgres sends a query without parameters with
      // the simple query protocol, which accepts several statements.
      const lockKey = `footfall tracking ${statements.tables.log_visit}`.replaceAll("'", "''");
      await statements.run(db, `begin; select pg_advisory_xact_lock(hashtext('${lockKey}'))`);
      return new SequenceIds(db, statements, expectedActionRows);
    }
  }
}

/**
 * Returns the SQL that reads, in one row named by table, the largest id of each table or of
 * its `sqlite_sequence` entry, so that ids of deleted rows are not used again.
 */
export function sqliteMaximaText(statements: BatchStatements): string {
  const selects = TABLE_ORDER.map((table) => {
    const name = unquote(statements.tables[table]);
    return `max(coalesce((select max(${statements.quote(ID_COLUMNS[table])}) from ${statements.tables[table]}), 0),`
      + ` coalesce((select seq from sqlite_sequence where name = '${name.replaceAll("'", "''")}'), 0)) as ${statements.quote(table)}`;
  });
  return `select ${selects.join(', ')}`;
}

/** Reads the largest ids of a SQLite tenant, inside a write transaction or, for the write thread's prediction, outside one. */
export async function readSqliteMaxima(db: Kysely<Database>, statements: BatchStatements): Promise<Record<BatchTable, number>> {
  const [row] = await statements.run<Record<BatchTable, number>>(db, sqliteMaximaText(statements));
  return { log_action: Number(row!.log_action), log_visit: Number(row!.log_visit), log_link_visit_action: Number(row!.log_link_visit_action) };
}

function unquote(quoted: string): string {
  return quoted.slice(1, -1).replaceAll(quoted[0]! + quoted[0]!, quoted[0]!);
}

/** Ids counted up from the largest id of each table, read while the write lock is held. */
export class CounterIds implements IdSource {
  readonly #last: Record<BatchTable, number>;
  readonly release: () => Promise<void>;

  constructor(maxima: Record<BatchTable, number>, release: () => Promise<void>) {
    this.#last = { ...maxima };
    this.release = release;
  }

  next(table: BatchTable): Promise<number> {
    return Promise.resolve(this.nextAtOnce(table));
  }

  nextAtOnce(table: BatchTable): number {
    this.#last[table] += 1;
    return this.#last[table];
  }

  /** Does nothing: counted ids cost no round trip. */
  expect(): void {}

  /** Returns the last id handed out of each table, or the maxima it started from. */
  last(): Record<BatchTable, number> {
    return { ...this.#last };
  }
}

/** Ids taken from PostgreSQL sequences in blocks. */
class SequenceIds implements IdSource {
  readonly #db: Kysely<Database>;
  readonly #statements: BatchStatements;
  readonly #blocks = new Map<BatchTable, { ids: number[]; size: number }>();

  /** Sizes of each table's first block. */
  readonly #firstBlocks = new Map<BatchTable, number>();

  constructor(db: Kysely<Database>, statements: BatchStatements, expectedActionRows: number) {
    this.#db = db;
    this.#statements = statements;
    this.expect('log_link_visit_action', expectedActionRows);
  }

  expect(table: BatchTable, count: number): void {
    this.#firstBlocks.set(table, Math.min(MAX_BLOCK_SIZE, Math.max(FIRST_BLOCK_SIZE, count)));
  }

  nextAtOnce(table: BatchTable): number | undefined {
    return this.#blocks.get(table)?.ids.pop();
  }

  async next(table: BatchTable): Promise<number> {
    let block = this.#blocks.get(table);
    if (!block) {
      block = { ids: [], size: 0 };
      this.#blocks.set(table, block);
    }
    if (block.ids.length === 0) {
      const first = this.#firstBlocks.get(table) ?? FIRST_BLOCK_SIZE;
      block.size = block.size === 0 ? first : Math.min(MAX_BLOCK_SIZE, block.size * 2);
      const rows = await this.#statements.run<{ id: number }>(this.#db,
        'select nextval(pg_get_serial_sequence($1, $2)) as id from generate_series(1, $3::int) order by 1',
        [this.#statements.tables[table], ID_COLUMNS[table], block.size]);
      block.ids = rows.map((row) => Number(row.id)).reverse();
    }
    return block.ids.pop()!;
  }

  /** Does nothing: the advisory lock ends with the transaction. */
  release(): Promise<void> {
    return Promise.resolve();
  }
}
