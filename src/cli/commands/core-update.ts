/** `core:update`: migrate the tenant's database schema to the code's version. */
import { migrateToLatest } from '../../db/migrator.js';
import type { TenantCommand } from '../command-definition.js';

export const coreUpdateCommand: TenantCommand = {
  kind: 'tenant',
  name: 'core:update',
  description: 'Migrate the tenant\'s database schema to the version this code expects; with --all-tenants, every tenant in turn.',
  options: [],
  // A migration changes tables but writes no hit, user or setting. A disabled tenant kept at
  // the code's schema version serves at once after tenant:enable, so --all-tenants migrates it too.
  runsOnDisabledTenant: true,
  async run(context, tenant) {
    const result = await migrateToLatest(tenant.db(), tenant.databaseConfig);
    tenant.forgetSchemaVersion();
    const host = tenant.host ?? tenant.key;
    if (result.applied.length > 0) context.logger.info({ tenant: host, fromVersion: result.fromVersion, toVersion: result.toVersion }, 'schema updated');
    const text = result.applied.length === 0
      ? `${host}: schema already at version ${result.toVersion}.`
      : `${host}: schema updated from version ${result.fromVersion} to ${result.toVersion} (${result.applied.join(', ')}).`;
    return { data: { host, ...result }, text };
  },
};
