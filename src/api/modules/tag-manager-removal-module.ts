/** `TagManager.deleteContainer`: removing a container with its versions and published files. */
import { removeContainerFiles } from '../../tag-manager/container-publisher.js';
import { deleteContainerRows } from '../../tag-manager/container-store.js';
import type { ApiCall, ApiMethodRegistry } from '../api-method-registry.js';
import { API_SUCCESS, type ApiValue } from '../api-value.js';
import { loadWriteTarget } from './tag-manager-target.js';

async function deleteContainer(call: ApiCall): Promise<ApiValue> {
  const { siteId, containerId } = await loadWriteTarget(call, 'write');
  await deleteContainerRows(call.tenant.db(), siteId, containerId);
  removeContainerFiles(call.tenant, containerId);
  call.logger.info({ tenant: call.tenant.key, idSite: siteId, idContainer: containerId }, 'container deleted');
  return API_SUCCESS;
}

/** Registers `TagManager.deleteContainer`. */
export function registerTagManagerRemovalModule(registry: ApiMethodRegistry): void {
  registry.register({
    name: 'TagManager.deleteContainer',
    description: 'Deletes a container with its versions and removes its published files.',
    parameters: [
      { name: 'idSite', description: 'Site id.', required: true },
      { name: 'idContainer', description: 'Container id.', required: true },
    ],
    differences: 'The container is removed for good; Matomo marks it deleted.',
    handler: deleteContainer,
  });
}
