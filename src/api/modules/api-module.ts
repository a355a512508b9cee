/** Methods of Matomo's `API` module that describe the server itself. */
import type { ApiMethodRegistry } from '../api-method-registry.js';
import { MATOMO_COMPATIBLE_VERSION } from '../../version.js';
import { registerBulkRequest } from './api-bulk-request.js';

/** Registers `API.getMatomoVersion`, its older name `API.getPiwikVersion`, and `API.getBulkRequest`. */
export function registerApiModule(registry: ApiMethodRegistry): void {
  for (const name of ['API.getMatomoVersion', 'API.getPiwikVersion']) {
    registry.register({
      name,
      description: 'Returns the Matomo version whose interfaces this server matches.',
      parameters: [],
      differences: `Returns ${MATOMO_COMPATIBLE_VERSION}, the Matomo version Footfall is compatible with, to any user with view access on a site.`,
      handler: async ({ access }) => {
        access.ensureSomeViewAccess();
        return MATOMO_COMPATIBLE_VERSION;
      },
    });
  }
  registerBulkRequest(registry);
}
