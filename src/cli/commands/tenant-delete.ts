/** `tenant:delete HOST --force`: remove a tenant's config, files, caches, database and database user. */
import { FootfallError } from '../../errors.js';
import { deleteTenant } from '../../tenancy/tenant-deleter.js';
import { parseTenantHostArgument } from '../../tenancy/tenant-host.js';
import type { GlobalCommand } from '../command-definition.js';

export const tenantDeleteCommand: GlobalCommand = {
  kind: 'global',
  name: 'tenant:delete',
  description: 'Delete a tenant for good: its database and database user, config file, misc/user/HOST/ and tmp/HOST/. Nothing can be recovered afterwards.',
  arguments: [{ name: 'host', description: 'host name of the tenant', required: true }],
  options: [{ flags: '--force', description: 'confirm the deletion; without it nothing is deleted', defaultValue: false }],
  async run(context, args, options) {
    const host = parseTenantHostArgument(args[0]);
    if (options.force !== true) {
      throw new FootfallError('PARAMETER_MISSING', `Missing --force. tenant:delete removes every file and the database of ${host} for good; pass --force to confirm.`);
    }
    const result = await deleteTenant(context.registry, host);
    context.logger.info({ tenant: host, databaseDropped: result.databaseDropped }, 'tenant deleted');
    if (result.databaseKeptBecause) context.say(`Warning: the database of ${host} was kept: ${result.databaseKeptBecause}.`);
    return { data: result, text: `Deleted ${host}.` };
  },
};
