/** A better-sqlite3 connection for Kysely that prepares each distinct SQL text once. */
import type SQLite from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Distinct SQL texts whose prepared statements one connection keeps. */
export const DEFAULT_STATEMENT_CACHE_SIZE = 500;

/**
 * Wraps a connection so that `prepare` returns a cached statement for SQL it has seen.
 * Kysely's SQLite driver calls `prepare` for every query, which took about 7% of a CPU
 * profile of single-pageview tracking. A statement busy in an `iterate()` (a Kysely
 * stream) cannot run a second query, so a fresh one is prepared for that call instead.
 */
export function withStatementCache(database: SQLite.Database, size = DEFAULT_STATEMENT_CACHE_SIZE): SqliteDatabase {
  // A Map keeps insertion order, so the oldest statement goes when the cache is full. The SQL texts
  // tracking uses are about twenty, so this rarely happens, and a Map lookup costs less than an LRU's.
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => {
      statements.clear();
      database.close();
    },
    prepare: (sql: string): SqliteStatement => {
      const cached = statements.get(sql);
      if (cached && !cached.busy) return cached;
      const statement = database.prepare(sql);
      if (cached) return statement;
      if (statements.size >= size) statements.delete(statements.keys().next().value!);
      statements.set(sql, statement);
      return statement;
    },
  };
}
