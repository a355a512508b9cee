/** Deleting a tenant: its database and database user, config file, files and caches. */
import { existsSync, rmSync } from 'node:fs';
import { Settings } from '../config/settings.js';
import { dropTenantDatabase } from '../db/database-provisioner.js';
import type { TenantHost } from './tenant-host.js';
import type { TenantRegistry } from './tenant-registry.js';

/** Summary of a deleted tenant. */
export interface DeleteTenantResult {
  host: string;
  /** Whether the database (and its user) was dropped; false when it was kept, see `databaseKeptBecause`. */
  databaseDropped: boolean;
  databaseKeptBecause?: string;
  removed: string[];
}

/**
 * Deletes a tenant. The database goes first, so that when dropping it fails the config
 * file is still there and the command can be run again.
 *
 * @throws FootfallError TENANT_NOT_FOUND when the host has no config file.
 */
export async function deleteTenant(registry: TenantRegistry, host: TenantHost): Promise<DeleteTenantResult> {
  const tenant = registry.require(host);
  const rootPaths = registry.rootPaths;
  const defaults = Settings.load({ global: rootPaths.globalConfig, common: rootPaths.commonConfig, local: null });
  await registry.forget(host);

  const dropped = await dropTenantDatabase(tenant.databaseConfig, host, defaults);
  const removed = [tenant.paths.legacyConfig, tenant.paths.preferredConfig, tenant.paths.filesDir, tenant.paths.tmpDir].filter((path) => existsSync(path));
  for (const path of removed) rmSync(path, { recursive: true, force: true });
  await registry.forget(host);
  return { host, databaseDropped: dropped.dropped, databaseKeptBecause: dropped.keptBecause, removed };
}
