/** `user:create --login=L --password=P --email=E [--superuser]`: add a user to the tenant. */
import { createUser } from '../../auth/user-store.js';
import type { TenantCommand } from '../command-definition.js';
import { requireOption } from '../option-parsers.js';

export const userCreateCommand: TenantCommand = {
  kind: 'tenant',
  name: 'user:create',
  description: 'Create a user of the tenant; give it a role on sites from the dashboard or UsersManager.setUserAccess, or make it a superuser.',
  options: [
    { flags: '--login <login>', description: 'login, 2 to 100 letters, digits or _ . @ - (required)' },
    { flags: '--password <password>', description: 'password, 6 to 200 characters (required)' },
    { flags: '--email <email>', description: 'email address (required)' },
    { flags: '--superuser', description: 'give the user superuser access to every site of the tenant', defaultValue: false },
  ],
  runsOnDisabledTenant: false,
  async run(context, tenant, _args, options) {
    const user = await createUser(tenant.db(), {
      login: requireOption(options, 'login', '--login'),
      password: requireOption(options, 'password', '--password'),
      email: requireOption(options, 'email', '--email'),
      superuser: options.superuser === true,
      passwordHashCost: tenant.settings.int('General', 'password_hash_cost'),
      clock: context.clock,
    });
    context.logger.info({ tenant: tenant.key, login: user.login, superuser: user.superuser }, 'user created');
    return { data: user, text: `Created ${user.superuser ? 'superuser' : 'user'} ${user.login} <${user.email}>.` };
  },
};
