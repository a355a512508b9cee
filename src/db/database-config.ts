/** The connection settings of one tenant database, read from `[database]`. */
import { isAbsolute, resolve } from 'node:path';
import type { Settings } from '../config/settings.js';

/** Database engines Footfall runs on. */
export type DatabaseAdapter = 'sqlite' | 'mysql' | 'pgsql';

/** Standard ports of the server engines. */
export const DEFAULT_PORTS = { mysql: 3306, pgsql: 5432 } as const;

/** Where and how to reach one tenant database. */
export interface DatabaseConfig {
  adapter: DatabaseAdapter;
  host: string;
  port: number;
  username: string;
  password: string;
  dbname: string;
  tablesPrefix: string;
  /** Absolute path of the SQLite file; used only with the sqlite adapter. */
  sqliteFile: string;
  sqliteBusyTimeoutSeconds: number;
  ssl: boolean;
}

/** Reads `[database]` of a tenant; a relative `sqlite_file` is taken from the tenant's files folder. */
export function readDatabaseConfig(settings: Settings, filesDir: string): DatabaseConfig {
  const adapter = (settings.string('database', 'adapter') || 'sqlite') as DatabaseAdapter;
  const sqliteFile = settings.string('database', 'sqlite_file') || 'footfall.sqlite';
  const port = settings.int('database', 'port');
  return {
    adapter,
    host: settings.string('database', 'host') || '127.0.0.1',
    port: port > 0 ? port : adapter === 'sqlite' ? 0 : DEFAULT_PORTS[adapter],
    username: settings.string('database', 'username'),
    password: settings.string('database', 'password'),
    dbname: settings.string('database', 'dbname'),
    tablesPrefix: settings.string('database', 'tables_prefix'),
    sqliteFile: isAbsolute(sqliteFile) ? sqliteFile : resolve(filesDir, sqliteFile),
    sqliteBusyTimeoutSeconds: settings.int('database', 'sqlite_busy_timeout'),
    ssl: settings.bool('database', 'enable_ssl'),
  };
}

/** Returns a string that changes whenever a setting that affects the connection changes. */
export function databaseConfigKey(config: DatabaseConfig): string {
  return JSON.stringify(config);
}

/** Describes the database for logs and messages, without the password. */
export function describeDatabase(config: DatabaseConfig): string {
  if (config.adapter === 'sqlite') return `sqlite:${config.sqliteFile}`;
  return `${config.adapter}://${config.username}@${config.host}:${config.port}/${config.dbname}`;
}
