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
  /**
   * Starts the device detection thread with the server and builds the detector's patterns
   * there (about a second of CPU), so the first visitors wait for none of it. `server:run`
   * sets it. Tests leave it off, since most of their servers detect few user agents.
   */
  warmUpDeviceDetection?: boolean;
}
