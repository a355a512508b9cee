/** `user:token --login=L`: create an API token (`token_auth`) for a user and print it once. */
import { createToken, findUser } from '../../auth/user-store.js';
import { FootfallError, quote } from '../../errors.js';
import type { TenantCommand } from '../command-definition.js';
import { requireOption } from '../option-parsers.js';

/** Description stored with tokens made by `user:token` when --description is not given. */
export const DEFAULT_TOKEN_DESCRIPTION = 'Created with user:token';

export const userTokenCommand: TenantCommand = {
  kind: 'tenant',
  name: 'user:token',
  description: 'Create a token_auth for a user and print it on stdout; only its hash is stored, so it is shown this once.',
  options: [
    { flags: '--login <login>', description: 'login of the user (required)' },
    { flags: '--description <text>', description: `what the token is for, up to 100 characters (default: '${DEFAULT_TOKEN_DESCRIPTION}')` },
  ],
  runsOnDisabledTenant: false,
  async run(context, tenant, _args, options) {
    const login = requireOption(options, 'login', '--login');
    const db = tenant.db();
    if (!(await findUser(db, login))) throw new FootfallError('USER_NOT_FOUND', `User ${quote(login)} not found. Create it with user:create.`);
    const description = (options.description as string | undefined) ?? DEFAULT_TOKEN_DESCRIPTION;
    const tokenAuth = await createToken(db, tenant.salt, login, description, { clock: context.clock });
    context.logger.info({ tenant: tenant.key, login }, 'token created');
    context.say(`Created a token for ${login}. It is shown this once only.`);
    return { data: { login, tokenAuth }, text: tokenAuth };
  },
};
