/** Every module of the Reporting API. */
import { ApiMethodRegistry } from '../api-method-registry.js';
import { registerApiModule } from './api-module.js';
import { registerSitesManagerModule } from './sites-manager-module.js';
import { registerUsersManagerModule } from './users-manager-module.js';

/** Returns a registry holding every API method Footfall serves. */
export function buildApiMethodRegistry(): ApiMethodRegistry {
  const registry = new ApiMethodRegistry();
  registerApiModule(registry);
  registerSitesManagerModule(registry);
  registerUsersManagerModule(registry);
  return registry;
}
