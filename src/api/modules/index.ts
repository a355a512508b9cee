/** Every module of the Reporting API. */
import { ApiMethodRegistry } from '../api-method-registry.js';
import { registerApiModule } from './api-module.js';
import { registerSitesManagerModule } from './sites-manager-module.js';
import { registerUsersManagerModule } from './users-manager-module.js';
import { registerTrackingCodeModule } from './tracking-code-module.js';
import { registerTagManagerModule } from './tag-manager-module.js';
import { registerTagManagerRemovalModule } from './tag-manager-removal-module.js';
import { registerLiveModule } from './live-module.js';
import { registerGoalsModule } from './goals-module.js';
import { registerReportModules } from '../../reports/index.js';
import { registerCustomDimensionsModule } from './custom-dimensions-module.js';
import { registerPrivacyManagerModule } from './privacy-manager-module.js';
import { registerCoreAdminHomeModule } from './core-admin-home-module.js';

/** Returns a registry holding every API method Footfall serves. */
export function buildApiMethodRegistry(): ApiMethodRegistry {
  const registry = new ApiMethodRegistry();
  registerApiModule(registry);
  registerSitesManagerModule(registry);
  registerUsersManagerModule(registry);
  registerTrackingCodeModule(registry);
  registerTagManagerModule(registry);
  registerTagManagerRemovalModule(registry);
  registerLiveModule(registry);
  registerGoalsModule(registry);
  registerReportModules(registry);
  registerCustomDimensionsModule(registry);
  registerPrivacyManagerModule(registry);
  registerCoreAdminHomeModule(registry);
  return registry;
}
