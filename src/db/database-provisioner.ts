/** Creating and dropping the database of a tenant on each engine. */
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Settings } from '../config/settings.js';
import { FootfallError } from '../errors.js';
import type { TenantPaths } from '../tenancy/root-paths.js';
import type { TenantHost } from '../tenancy/tenant-host.js';
import type { ProvisionedDatabase } from '../tenancy/tenant-provisioner.js';
import type { DatabaseAdapter } from './database-config.js';

/** The SQLite file name a new tenant gets, in its files folder. */
export const DEFAULT_SQLITE_FILE = 'footfall.sqlite';

/** Removes a SQLite database with its write-ahead log and shared-memory files. */
export function removeSqliteFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
}

function provisionSqlite(paths: TenantPaths): ProvisionedDatabase {
  const file = resolve(paths.filesDir, DEFAULT_SQLITE_FILE);
  return {
    settings: { adapter: 'sqlite', sqlite_file: DEFAULT_SQLITE_FILE },
    drop: async () => removeSqliteFiles(file),
  };
}

/**
 * Creates the database of a new tenant: nothing for SQLite (the file is made on first use),
 * a database and its own user for MariaDB and PostgreSQL.
 */
export async function provisionDatabase(adapter: DatabaseAdapter, host: TenantHost | null, paths: TenantPaths, defaults: Settings): Promise<ProvisionedDatabase> {
  if (adapter === 'sqlite') return provisionSqlite(paths);
  void host;
  void defaults;
  throw new FootfallError('DATABASE_ADAPTER_INVALID', `Creating ${adapter} tenants is not built yet.`);
}
