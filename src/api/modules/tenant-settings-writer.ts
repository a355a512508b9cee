/** Writing a tenant's own settings from the Reporting API, for the PrivacyManager and CoreAdminHome modules. */
import type { IniValue } from '../../config/ini.js';
import { updateTenantConfigFile } from '../../tenancy/tenant-config-file.js';
import type { ApiCall } from '../api-method-registry.js';

/** One setting to write: `[section] key = value`. */
export interface SettingChange {
  section: string;
  key: string;
  value: IniValue;
}

/**
 * Writes settings into the tenant's config file, keeping its comments and other keys, and
 * drops the registry's cached tenant so the next request of this process (tracking included)
 * reads the new values. Other processes see the change when they next check the file's
 * modification time, within `DEFAULT_RECHECK_MS`.
 *
 * NOTE: dropping the cached tenant also closes its database connections, as a config file
 * change seen by the registry does, so a query of another request running at that moment may fail.
 *
 * @throws FootfallError CONFIG_INVALID when a value does not fit its setting type; the file is then unchanged.
 */
export async function writeTenantSettings(call: ApiCall, changes: readonly SettingChange[]): Promise<void> {
  const { tenant, registry, logger, access } = call;
  updateTenantConfigFile(tenant.configFile, (document) => {
    for (const change of changes) document.set(change.section, change.key, change.value);
  });
  await registry.forget(tenant.key);
  logger.info({ tenant: tenant.key, login: access.login, settings: changes.map((change) => `${change.section}.${change.key}`) }, 'tenant settings written');
}
