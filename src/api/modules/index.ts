/** Every module of the Reporting API. */
import { ApiMethodRegistry } from '../api-method-registry.js';
import { registerApiModule } from './api-module.js';
import { registerReportModules } from '../../reports/index.js';

/** Returns a registry holding every API method Footfall serves. */
export function buildApiMethodRegistry(): ApiMethodRegistry {
  const registry = new ApiMethodRegistry();
  registerApiModule(registry);
  registerReportModules(registry);
  return registry;
}
