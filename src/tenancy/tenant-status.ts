/** The state of each tenant as `tenant:list` reports it. */
import type { DatabaseAdapter } from '../db/database-config.js';
import { CODE_SCHEMA_VERSION } from '../db/migrations/index.js';
import type { TenantHost } from './tenant-host.js';
import type { TenantRegistry } from './tenant-registry.js';
import type { Tenant } from './tenant.js';

/** enabled: serving; disabled: `tenant:disable` turned it off; maintenance: schema behind the code; unreachable: database cannot be read. */
export type TenantState = 'enabled' | 'disabled' | 'maintenance' | 'unreachable';

/** One line of `tenant:list`. */
export interface TenantStatus {
  host: string;
  /** Database engine, or null when the tenant's config file cannot be read. */
  adapter: DatabaseAdapter | null;
  /** Schema version of the database, or null when it cannot be read. */
  schemaVersion: number | null;
  state: TenantState;
  /** Error message of the config reader or the database driver, for an unreachable tenant. */
  error?: string;
}

/**
 * Loads the status of a tenant by host; a config file with a bad value makes the tenant
 * unreachable rather than failing the whole list.
 */
export async function loadTenantStatusByHost(registry: TenantRegistry, host: TenantHost): Promise<TenantStatus> {
  let tenant: Tenant;
  try {
    tenant = registry.require(host);
  } catch (error) {
    return { host, adapter: null, schemaVersion: null, state: 'unreachable', error: error instanceof Error ? error.message : String(error) };
  }
  try {
    return await loadTenantStatus(tenant);
  } finally {
    await registry.forget(host);
  }
}

/**
 * Reads a tenant's schema version and derives its state. A disabled tenant is reported
 * disabled even when its database is also behind or unreachable, because that is what its
 * visitors see.
 */
export async function loadTenantStatus(tenant: Tenant): Promise<TenantStatus> {
  const base = { host: tenant.host ?? tenant.key, adapter: tenant.databaseConfig.adapter };
  let schemaVersion: number;
  try {
    schemaVersion = await tenant.schemaVersion();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ...base, schemaVersion: null, state: tenant.disabled ? 'disabled' : 'unreachable', error: message };
  }
  if (tenant.disabled) return { ...base, schemaVersion, state: 'disabled' };
  return { ...base, schemaVersion, state: schemaVersion < CODE_SCHEMA_VERSION ? 'maintenance' : 'enabled' };
}
