/** The state of each tenant as `tenant:list` reports it. */
import { existsSync } from 'node:fs';
import type { DatabaseAdapter } from '../db/database-config.js';
import { CODE_SCHEMA_VERSION } from '../db/migrations/index.js';
import { isFootfallError } from '../errors.js';
import { SINGLE_TENANT_KEY } from './root-paths.js';
import type { TenantHost } from './tenant-host.js';
import type { TenantRegistry } from './tenant-registry.js';
import type { Tenant } from './tenant.js';

/**
 * The state of a tenant. An enabled tenant is serving, `tenant:disable` turned a disabled one
 * off, and a maintenance one has a schema behind the code. An unreachable tenant has a database
 * or config file that cannot be read, and a config-invalid one has a bad value in its config chain.
 */
export type TenantState = 'enabled' | 'disabled' | 'maintenance' | 'unreachable' | 'config-invalid';

/** One line of `tenant:list`. */
export interface TenantStatus {
  /** Host name, or null for the single-tenant install. */
  host: TenantHost | null;
  /** Database engine, or null when the tenant's config file cannot be read. */
  adapter: DatabaseAdapter | null;
  /** Schema version of the database, or null when it cannot be read. */
  schemaVersion: number | null;
  state: TenantState;
  /** Error message of the config reader or the database driver, for an unreachable or config-invalid tenant. */
  error?: string;
}

/** Returns the state of a tenant whose config or database failed to load with `error`. */
function stateOfLoadError(error: unknown): TenantState {
  return isFootfallError(error, 'CONFIG_INVALID') ? 'config-invalid' : 'unreachable';
}

/**
 * Loads the status of a tenant by host, or of the single-tenant install when `host` is null.
 * A config file with a bad value makes that tenant config-invalid rather than failing the
 * whole list.
 */
export async function loadTenantStatusByHost(registry: TenantRegistry, host: TenantHost | null): Promise<TenantStatus> {
  let tenant: Tenant;
  try {
    tenant = registry.require(host ?? undefined);
  } catch (error) {
    return { host, adapter: null, schemaVersion: null, state: stateOfLoadError(error), error: error instanceof Error ? error.message : String(error) };
  }
  try {
    return await loadTenantStatus(tenant);
  } finally {
    await registry.forget(host ?? SINGLE_TENANT_KEY);
  }
}

/**
 * Reads a tenant's schema version and derives its state. A disabled tenant is reported
 * disabled even when its database is also behind or unreachable, because that is what its
 * visitors see.
 */
export async function loadTenantStatus(tenant: Tenant): Promise<TenantStatus> {
  const base = { host: tenant.host, adapter: tenant.databaseConfig.adapter };
  const { adapter, sqliteFile } = tenant.databaseConfig;
  let schemaVersion: number;
  try {
    // Opening a missing SQLite file would create an empty database, and listing must change
    // nothing. A tenant whose file is not created yet has schema version 0, which core:update creates.
    schemaVersion = adapter === 'sqlite' && !existsSync(sqliteFile) ? 0 : await tenant.schemaVersion();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ...base, schemaVersion: null, state: tenant.disabled ? 'disabled' : stateOfLoadError(error), error: message };
  }
  if (tenant.disabled) return { ...base, schemaVersion, state: 'disabled' };
  return { ...base, schemaVersion, state: schemaVersion < CODE_SCHEMA_VERSION ? 'maintenance' : 'enabled' };
}
