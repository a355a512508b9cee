/** Creating and dropping the database of a tenant on each engine. */
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSecret } from '../auth/token-hash.js';
import type { Settings } from '../config/settings.js';
import { FootfallError } from '../errors.js';
import { SINGLE_TENANT_KEY, type TenantPaths } from '../tenancy/root-paths.js';
import type { TenantHost } from '../tenancy/tenant-host.js';
import type { ProvisionedDatabase } from '../tenancy/tenant-provisioner.js';
import { readDatabaseAdminConfig, type DatabaseAdminConfig } from './database-admin-config.js';
import { explainAdminStatementError } from './database-admin-errors.js';
import type { DatabaseAdapter, DatabaseConfig } from './database-config.js';
import { deriveTenantDatabaseName } from './database-identifiers.js';
import { createMysqlTenantDatabase, dropMysqlTenantDatabase, type TenantDatabaseNames } from './mysql-provisioner.js';
import { createPgsqlTenantDatabase, dropPgsqlTenantDatabase } from './pgsql-provisioner.js';

/** The SQLite file name a new tenant gets, in its files folder. */
export const DEFAULT_SQLITE_FILE = 'footfall.sqlite';

/** Returns the files of a SQLite database: the file itself, its write-ahead log, shared-memory file and rollback journal. */
export function listSqliteFiles(file: string): string[] {
  return ['', '-wal', '-shm', '-journal'].map((suffix) => `${file}${suffix}`);
}

/** Removes a SQLite database with its write-ahead log and shared-memory files. */
export function removeSqliteFiles(file: string): void {
  for (const path of listSqliteFiles(file)) rmSync(path, { force: true });
}

function provisionSqlite(paths: TenantPaths): ProvisionedDatabase {
  const file = resolve(paths.filesDir, DEFAULT_SQLITE_FILE);
  return {
    settings: { adapter: 'sqlite', sqlite_file: DEFAULT_SQLITE_FILE },
    drop: async () => removeSqliteFiles(file),
  };
}

/** Bytes of a generated database password; written as hex, so 48 characters. */
const DATABASE_PASSWORD_BYTES = 24;

async function provisionServerDatabase(adapter: 'mysql' | 'pgsql', host: TenantHost | null, defaults: Settings): Promise<ProvisionedDatabase> {
  const admin = readDatabaseAdminConfig(defaults, adapter);
  const name = deriveTenantDatabaseName(host ?? SINGLE_TENANT_KEY);
  const names: TenantDatabaseNames = { dbname: name, username: name };
  const password = createSecret(DATABASE_PASSWORD_BYTES);
  await runAdminStatements(adapter, admin, () => (adapter === 'mysql'
    ? createMysqlTenantDatabase(admin, names, password)
    : createPgsqlTenantDatabase(admin, names, password)));
  return {
    settings: {
      adapter, host: admin.host, port: String(admin.port), username: names.username, password, dbname: names.dbname,
      tables_prefix: defaults.string('database', 'tables_prefix'),
    },
    drop: () => dropServerDatabase(adapter, admin, names),
  };
}

/** Runs statements on the admin connection, turning a missing privilege into an error that lists the privileges needed. */
async function runAdminStatements(adapter: 'mysql' | 'pgsql', admin: DatabaseAdminConfig, statements: () => Promise<void>): Promise<void> {
  try {
    await statements();
  } catch (error) {
    throw explainAdminStatementError(adapter, admin, error);
  }
}

function dropServerDatabase(adapter: 'mysql' | 'pgsql', admin: DatabaseAdminConfig, names: TenantDatabaseNames): Promise<void> {
  return runAdminStatements(adapter, admin, () => (adapter === 'mysql' ? dropMysqlTenantDatabase(admin, names) : dropPgsqlTenantDatabase(admin, names)));
}

/**
 * Creates the database of a new tenant: nothing for SQLite (the file is made on first use),
 * a database and its own user with a generated password for MariaDB and PostgreSQL, made
 * through the admin connection of `[database_admin_mysql]` or `[database_admin_pgsql]`.
 *
 * @throws FootfallError DATABASE_ADMIN_MISSING when the engine's admin connection is not set,
 *   DATABASE_ADMIN_UNAVAILABLE when it fails to connect, and DATABASE_ADMIN_PRIVILEGES_MISSING
 *   when the server rejects a statement for a missing privilege.
 */
export async function provisionDatabase(adapter: DatabaseAdapter, host: TenantHost | null, paths: TenantPaths, defaults: Settings): Promise<ProvisionedDatabase> {
  if (adapter === 'sqlite') return provisionSqlite(paths);
  if (adapter === 'mysql' || adapter === 'pgsql') return provisionServerDatabase(adapter, host, defaults);
  throw new FootfallError('DATABASE_ADAPTER_INVALID', `Invalid database adapter ${String(adapter)}. Use sqlite, mysql or pgsql.`);
}

/** Outcome of `dropTenantDatabase`. */
export interface DropDatabaseResult {
  dropped: boolean;
  /** Reason the database was kept, when it was. */
  keptBecause?: string;
}

/**
 * Drops a tenant's database: the SQLite file, or the MariaDB/PostgreSQL database with its
 * user. A server database is dropped only when its name and user are the ones Footfall
 * derives for `key` (the host), so a tenant an operator pointed at a shared database or a
 * privileged user never takes them down with it.
 */
export async function dropTenantDatabase(config: DatabaseConfig, key: string, defaults: Settings): Promise<DropDatabaseResult> {
  if (config.adapter === 'sqlite') {
    removeSqliteFiles(config.sqliteFile);
    return { dropped: true };
  }
  const expected = deriveTenantDatabaseName(key);
  if (config.dbname !== expected || config.username !== expected) {
    return { dropped: false, keptBecause: `database ${config.dbname} and user ${config.username} were not created by Footfall for this host (expected ${expected}); drop them by hand if they are no longer used` };
  }
  const admin = readDatabaseAdminConfig(defaults, config.adapter);
  await dropServerDatabase(config.adapter, admin, { dbname: config.dbname, username: config.username });
  return { dropped: true };
}
