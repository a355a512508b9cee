/** `tenant:enable HOST`: turn a tenant that tenant:disable turned off on again. */
import type { GlobalCommand } from '../command-definition.js';
import { hostArgument, setTenantDisabled } from './tenant-disable.js';

export const tenantEnableCommand: GlobalCommand = {
  kind: 'global',
  name: 'tenant:enable',
  description: 'Enable a tenant that tenant:disable turned off.',
  arguments: hostArgument,
  options: [],
  run: (context, args) => setTenantDisabled(context, args[0], false),
};
