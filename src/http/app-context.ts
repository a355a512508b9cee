/** What every route of the server shares. */
import type { Logger } from 'pino';
import type { ApiMethodRegistry } from '../api/api-method-registry.js';
import type { Settings } from '../config/settings.js';
import type { TenantRegistry } from '../tenancy/tenant-registry.js';
import type { Clock } from '../time.js';

/** Shared state of one server process. */
export interface AppContext {
  registry: TenantRegistry;
  apiMethods: ApiMethodRegistry;
  /** global.ini.php merged with common.config.ini.php: settings read before a tenant is known, such as proxy_ips. */
  defaults: Settings;
  logger: Logger;
  clock: Clock;
}
