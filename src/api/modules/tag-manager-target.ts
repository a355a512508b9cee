/** Loading the site and container that a TagManager method names, after checking the caller's access. */
import type { Role } from '../../auth/user-store.js';
import { loadContainer } from '../../tag-manager/container-store.js';
import type { ApiCall } from '../api-method-registry.js';

/** The site and container named by `idSite` and `idContainer`, with the container row. */
export interface ContainerTarget {
  siteId: number;
  containerId: string;
  container: Awaited<ReturnType<typeof loadContainer>>;
}

/**
 * Reads `idSite`, checks that the caller has `role` on it, then reads `idContainer` and loads
 * the container. Access is checked before the container is looked up, so a caller without
 * access cannot learn which container ids exist.
 *
 * @throws FootfallError ACCESS_DENIED, or TAG_MANAGER_CONTAINER_NOT_FOUND.
 */
async function loadTarget(call: ApiCall, role: Role): Promise<ContainerTarget> {
  const siteId = call.params.requiredInt('idSite');
  call.access.ensure(role, [siteId]);
  const containerId = call.params.requiredString('idContainer');
  const container = await loadContainer(call.tenant.db(), siteId, containerId);
  return { siteId, containerId, container };
}

/** Loads the container of a read method, which needs view access. */
export function loadViewTarget(call: ApiCall): Promise<ContainerTarget> {
  return loadTarget(call, 'view');
}

/** Loads the container of a method that changes it, which needs `accessLevel` on the site. */
export function loadWriteTarget(call: ApiCall, accessLevel: Exclude<Role, 'view'>): Promise<ContainerTarget> {
  return loadTarget(call, accessLevel);
}
