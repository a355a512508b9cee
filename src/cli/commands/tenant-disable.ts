/** `tenant:disable HOST`: turn a tenant off, so it responds 503 to every request. Its data is kept. */
import { parseTenantHostArgument } from '../../tenancy/tenant-host.js';
import { updateTenantConfigFile } from '../../tenancy/tenant-config-file.js';
import type { CommandContext, CommandResult, GlobalCommand } from '../command-definition.js';

/** Sets `[General] tenant_disabled` in the tenant's own config file, keeping its other lines. */
export async function setTenantDisabled(context: CommandContext, rawHost: string | undefined, disabled: boolean): Promise<CommandResult> {
  const host = parseTenantHostArgument(rawHost);
  const tenant = context.registry.require(host);
  updateTenantConfigFile(tenant.configFile, (document) => document.set('General', 'tenant_disabled', disabled ? '1' : '0'));
  await context.registry.forget(host);
  context.logger.info({ tenant: host }, disabled ? 'tenant disabled' : 'tenant enabled');
  return {
    data: { host, disabled, configFile: tenant.configFile },
    text: disabled ? `Disabled ${host}: it responds 503 to every request. Its data is kept.` : `Enabled ${host}.`,
  };
}

/** The HOST argument of `tenant:disable` and `tenant:enable`. */
export const hostArgument = [{ name: 'host', description: 'host name of the tenant', required: true }] as const;

export const tenantDisableCommand: GlobalCommand = {
  kind: 'global',
  name: 'tenant:disable',
  description: 'Disable a tenant: it responds 503 to every request and keeps its data ([General] tenant_disabled = 1 in its config file).',
  arguments: hostArgument,
  options: [],
  run: (context, args) => setTenantDisabled(context, args[0], true),
};
