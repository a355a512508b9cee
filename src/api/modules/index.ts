/** Every module of the Reporting API. */
import { ApiMethodRegistry } from '../api-method-registry.js';
import { registerApiModule } from './api-module.js';
import { registerLiveModule } from './live-module.js';
import { registerGoalsModule } from './goals-module.js';

/** Returns a registry holding every API method Footfall serves. */
export function buildApiMethodRegistry(): ApiMethodRegistry {
  const registry = new ApiMethodRegistry();
  registerApiModule(registry);
  registerLiveModule(registry);
  registerGoalsModule(registry);
  return registry;
}
