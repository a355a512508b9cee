/** `tenant:create HOST`: a new tenant with its database, superuser, first site and token. */
import { provisionDatabase } from '../../db/database-provisioner.js';
import { parseTenantHostArgument } from '../../tenancy/tenant-host.js';
import { createTenant } from '../../tenancy/tenant-provisioner.js';
import type { GlobalCommand } from '../command-definition.js';
import { parseDbAdapter } from '../option-parsers.js';

export const tenantCreateCommand: GlobalCommand = {
  kind: 'global',
  name: 'tenant:create',
  description: 'Create a tenant: config file, database (and database user), schema, superuser, first site and token.',
  arguments: [{ name: 'host', description: 'host name the tenant is served on, without a port, such as stats.example.com', required: true }],
  options: [
    { flags: '--db-adapter <adapter>', description: 'database engine: sqlite, mysql or pgsql (default: sqlite)' },
    { flags: '--superuser-login <login>', description: 'login of the superuser (default: admin)' },
    { flags: '--superuser-password <password>', description: 'password of the superuser (default: generated and printed once)' },
    { flags: '--superuser-email <email>', description: 'email of the superuser (default: admin@HOST)' },
    { flags: '--site-name <name>', description: 'name of the first site (default: HOST)' },
    { flags: '--site-url <url>', description: 'URL of the first site (default: https://HOST)' },
    { flags: '--timezone <tz>', description: 'time zone of the first site, such as Europe/Paris (default: [General] default_timezone)' },
  ],
  async run(context, args, options) {
    const host = parseTenantHostArgument(args[0]);
    const created = await createTenant(context.registry, {
      host,
      dbAdapter: parseDbAdapter(options.dbAdapter as string | undefined),
      superuserLogin: (options.superuserLogin as string | undefined) ?? 'admin',
      superuserPassword: options.superuserPassword as string | undefined,
      superuserEmail: (options.superuserEmail as string | undefined) ?? `admin@${host}`,
      siteName: (options.siteName as string | undefined) ?? host,
      siteUrl: (options.siteUrl as string | undefined) ?? `https://${host}`,
      timezone: options.timezone as string | undefined,
      clock: context.clock,
    }, provisionDatabase);
    context.logger.info({ tenant: host, dbAdapter: created.dbAdapter }, 'tenant created');
    return {
      data: created,
      text: [
        `Created tenant ${host} on ${created.dbAdapter}.`,
        `  login:      ${created.login}`,
        `  password:   ${created.password}`,
        `  token_auth: ${created.tokenAuth}`,
        `  idSite:     ${created.idSite}`,
        'The password and token are shown this once only.',
      ].join('\n'),
    };
  },
};
