/** The check that keeps console commands from writing to a tenant that `tenant:disable` turned off. */
import { FootfallError } from '../errors.js';
import type { Tenant } from '../tenancy/tenant.js';
import type { TenantCommand } from './command-definition.js';

/** Returns whether `definition` must not run on `tenant` because the tenant is disabled. */
export function isRejectedAsDisabled(definition: TenantCommand, tenant: Tenant): boolean {
  return tenant.disabled && !definition.runsOnDisabledTenant;
}

/** Returns the console command that enables `tenant` again. */
export function describeEnableCommand(tenant: Tenant): string {
  return tenant.host === null ? './console config:set General.tenant_disabled 0' : `./console tenant:enable ${tenant.host}`;
}

/**
 * Rejects a command that writes to the database of a disabled tenant.
 *
 * @throws FootfallError TENANT_DISABLED naming the tenant, its config file and the command
 *   that enables it.
 */
export function ensureTenantAcceptsCommand(definition: TenantCommand, tenant: Tenant): void {
  if (!isRejectedAsDisabled(definition, tenant)) return;
  const name = tenant.host === null ? 'The single-tenant install' : `Tenant ${tenant.host}`;
  throw new FootfallError('TENANT_DISABLED',
    `${name} is disabled ([General] tenant_disabled = 1 in ${tenant.configFile}), so ${definition.name} does not write to its database. `
    + `Enable it with ${describeEnableCommand(tenant)}, then run ${definition.name} again.`);
}
