/** `site:add --name=N --url=U [--timezone=TZ]`: add a site to the tenant. */
import { createSite, loadSite } from '../../sites/site-store.js';
import type { TenantCommand } from '../command-definition.js';
import { requireOption } from '../option-parsers.js';
import { toSiteSummary } from './site-list.js';

/** The login written as `creator_login` of sites added from the command line. */
export const CONSOLE_CREATOR_LOGIN = 'console';

export const siteAddCommand: TenantCommand = {
  kind: 'tenant',
  name: 'site:add',
  description: 'Add a site to the tenant and print its idSite.',
  options: [
    { flags: '--name <name>', description: 'name of the site, 1 to 90 characters (required)' },
    { flags: '--url <url>', description: 'main URL of the site, such as https://www.example.com (required)' },
    { flags: '--timezone <tz>', description: 'time zone of the site, such as Europe/Paris (default: [General] default_timezone)' },
  ],
  runsOnDisabledTenant: false,
  async run(context, tenant, _args, options) {
    const name = requireOption(options, 'name', '--name');
    const url = requireOption(options, 'url', '--url');
    const db = tenant.db();
    const siteId = await createSite(db, { name, urls: [url], timezone: options.timezone as string | undefined }, {
      timezone: tenant.settings.string('General', 'default_timezone'), currency: tenant.settings.string('General', 'default_currency'),
      creatorLogin: CONSOLE_CREATOR_LOGIN, clock: context.clock,
    });
    const site = toSiteSummary(await loadSite(db, siteId));
    context.logger.info({ tenant: tenant.key, idSite: siteId }, 'site added');
    return { data: site, text: `Added site ${siteId}: ${site.name} (${site.mainUrl}, ${site.timezone}).` };
  },
};
