/** The `TagManager.delete*` methods: removing containers and the tags, triggers and variables of a draft. */
import { rmSync } from 'node:fs';
import { FootfallError } from '../../errors.js';
import { buildContainerFilePath } from '../../tag-manager/container-publisher.js';
import { deleteContainerRows, deleteVersionPart, loadContainer, loadVersion } from '../../tag-manager/container-store.js';
import type { ApiCall, ApiMethodRegistry } from '../api-method-registry.js';
import { API_SUCCESS, type ApiValue } from '../api-value.js';

async function deleteDraftPart(call: ApiCall, kind: 'tag' | 'trigger' | 'variable', idParameter: string): Promise<ApiValue> {
  const siteId = call.params.requiredInt('idSite');
  call.access.ensure('write', [siteId]);
  const containerId = call.params.requiredString('idContainer');
  await loadContainer(call.tenant.db(), siteId, containerId);
  const versionId = call.params.requiredInt('idContainerVersion');
  const version = await loadVersion(call.tenant.db(), siteId, containerId, versionId);
  if (version.revision !== 0) throw new FootfallError('PARAMETER_INVALID', `Container version ${versionId} is a published version and cannot change. Delete from the draft.`);
  await deleteVersionPart(call.tenant.db(), kind, siteId, versionId, call.params.requiredInt(idParameter));
  return API_SUCCESS;
}

async function deleteContainer(call: ApiCall): Promise<ApiValue> {
  const siteId = call.params.requiredInt('idSite');
  call.access.ensure('write', [siteId]);
  const containerId = call.params.requiredString('idContainer');
  await loadContainer(call.tenant.db(), siteId, containerId);
  await deleteContainerRows(call.tenant.db(), siteId, containerId);
  rmSync(buildContainerFilePath(call.tenant, containerId), { force: true });
  call.logger.info({ tenant: call.tenant.key, idSite: siteId, idContainer: containerId }, 'container deleted');
  return API_SUCCESS;
}

/** Registers the delete methods of the TagManager module. */
export function registerTagManagerRemovalModule(registry: ApiMethodRegistry): void {
  const draftParameters = [
    { name: 'idSite', description: 'Site id.', required: true },
    { name: 'idContainer', description: 'Container id.', required: true },
    { name: 'idContainerVersion', description: 'Id of the draft version.', required: true },
  ];
  for (const [kind, idParameter] of [['tag', 'idTag'], ['trigger', 'idTrigger'], ['variable', 'idVariable']] as const) {
    const action = `deleteContainer${kind[0]!.toUpperCase()}${kind.slice(1)}`;
    registry.register({
      name: `TagManager.${action}`,
      description: `Deletes a ${kind} of a container's draft.`,
      parameters: [...draftParameters, { name: idParameter, description: `Id of the ${kind}.`, required: true }],
      differences: kind === 'trigger' ? 'A trigger that a tag still uses is not deleted; the call fails naming the tag.' : undefined,
      handler: (call) => deleteDraftPart(call, kind, idParameter),
    });
  }
  registry.register({
    name: 'TagManager.deleteContainer',
    description: 'Deletes a container with its versions and removes its published file.',
    parameters: draftParameters.slice(0, 2),
    differences: 'The container is removed for good; Matomo marks it deleted.',
    handler: deleteContainer,
  });
}
