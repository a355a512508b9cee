/** `user:reset-password --login=L [--password=P]`: a superuser sets a user's password from the CLI. */
import { resetPassword } from '../../auth/password-reset.js';
import type { TenantCommand } from '../command-definition.js';
import { requireOption } from '../option-parsers.js';

export const userResetPasswordCommand: TenantCommand = {
  kind: 'tenant',
  name: 'user:reset-password',
  description: "Set a user's password, end the user's dashboard sessions and lift a sign-in block on the login.",
  options: [
    { flags: '--login <login>', description: 'login of the user whose password is reset (required)' },
    { flags: '--password <password>', description: 'new password, 6 to 200 characters (default: generated and printed once)' },
  ],
  runsOnDisabledTenant: false,
  async run(context, tenant, _args, options) {
    const login = requireOption(options, 'login', '--login');
    const result = await resetPassword(tenant.db(), {
      login, password: options.password as string | undefined,
      passwordHashCost: tenant.settings.int('General', 'password_hash_cost'), clock: context.clock,
    });
    context.logger.info({ tenant: tenant.key, login, sessionsEnded: result.sessionsEnded }, 'password reset');
    const lines = [`Password of ${login} on ${tenant.host ?? 'the single-tenant install'} reset; ${result.sessionsEnded} session(s) ended.`];
    if (result.generated) lines.push(`  password: ${result.password}`, 'The password is shown this once only.');
    return { data: { login, password: result.generated ? result.password : undefined, sessionsEnded: result.sessionsEnded }, text: lines.join('\n') };
  },
};
