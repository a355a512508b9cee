/** Opening a Kysely instance on any of the three engines. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, type Dialect } from 'kysely';
import { createPool as createMysqlPool } from 'mysql2';
import pg from 'pg';
import type { DatabaseConfig } from './database-config.js';
import type { Database } from './schema.js';
import { withStatementCache } from './sqlite-statement-cache.js';
import { TablePrefixPlugin } from './table-prefix-plugin.js';

// PostgreSQL sends BIGINT (type 20) as text because it can exceed 2^53; our ids and
// counters never do, and every other engine returns numbers, so parse it as one.
pg.types.setTypeParser(20, (value: string) => Number.parseInt(value, 10));

/** Connections each tenant pool may keep; small, because one process serves many tenants. */
const MAX_CONNECTIONS_PER_TENANT = 4;

/**
 * Opens `config.sqliteFile` with the pragmas of every tenant connection (WAL,
 * `synchronous = FULL`, foreign keys on), creating its folder first. The benchmarks open
 * their raw-insert copies with it, so the baselines commit as tenant files do.
 */
export function openSqlite(config: Pick<DatabaseConfig, 'sqliteFile' | 'sqliteBusyTimeoutSeconds'>): SQLite.Database {
  mkdirSync(dirname(config.sqliteFile), { recursive: true, mode: 0o750 });
  const database = new SQLite(config.sqliteFile, { timeout: config.sqliteBusyTimeoutSeconds * 1000 });
  // WAL lets the dashboard read while tracking writes; synchronous=FULL makes each commit durable.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  return database;
}

/** Called when the server closes a pooled connection that no query was using; the pool then drops it. */
export type IdleConnectionErrorHandler = (error: Error) => void;

/**
 * Builds the Kysely dialect for a tenant's engine; no connection is opened until the first query.
 * `onIdleError` receives errors of idle PostgreSQL connections, which pg's pool would otherwise
 * raise as an unhandled 'error' event that ends the process (for example when the server
 * restarts, or `tenant:delete` drops the database WITH (FORCE) under a running server).
 */
export function createDialect(config: DatabaseConfig, onIdleError: IdleConnectionErrorHandler = () => undefined): Dialect {
  switch (config.adapter) {
    case 'sqlite':
      return new SqliteDialect({ database: async () => withStatementCache(openSqlite(config)) });
    case 'mysql':
      return new MysqlDialect({
        pool: async () => createMysqlPool({
          host: config.host, port: config.port, user: config.username, password: config.password,
          database: config.dbname, connectionLimit: MAX_CONNECTIONS_PER_TENANT, charset: 'utf8mb4',
          dateStrings: true, supportBigNumbers: true, bigNumberStrings: false, decimalNumbers: true,
          ssl: config.ssl ? {} : undefined,
        }),
      });
    case 'pgsql':
      return new PostgresDialect({
        pool: async () => {
          const pool = new pg.Pool({
            host: config.host, port: config.port, user: config.username, password: config.password,
            database: config.dbname, max: MAX_CONNECTIONS_PER_TENANT, ssl: config.ssl ? { rejectUnauthorized: true } : undefined,
            idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000,
          });
          pool.on('error', onIdleError);
          return pool;
        },
      });
  }
}

/** Creates a Kysely instance for a tenant database, with its table prefix applied. */
export function connectDatabase(config: DatabaseConfig, onIdleError?: IdleConnectionErrorHandler): Kysely<Database> {
  return new Kysely<Database>({ dialect: createDialect(config, onIdleError), plugins: [new TablePrefixPlugin(config.tablesPrefix)] });
}
