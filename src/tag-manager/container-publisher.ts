/** Published container files: the runtime bundle wrapped with one container version, under the tenant's own folder. */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FootfallError } from '../errors.js';
import { writeFileAtomically } from '../tenancy/tenant-provisioner.js';
import type { Tenant } from '../tenancy/tenant.js';
import type { ContainerContent } from './container-store.js';

/** Path of the Tag Manager runtime under the code tree, written by `npm run build:tracker`. */
export const CONTAINER_RUNTIME_PATH = 'dist/tracker/container-runtime.js';

/** Container ids as generated: 8 letters and digits. */
export const CONTAINER_ID_PATTERN = /^[A-Za-z0-9]{8}$/;

/** Returns the path of a container's live file: `misc/user/<host>/js/container_<id>.js`. */
export function buildContainerFilePath(tenant: Tenant, containerId: string): string {
  if (!CONTAINER_ID_PATTERN.test(containerId)) throw new Error(`Container id ${containerId} is not 8 letters and digits.`);
  return resolve(tenant.paths.filesDir, 'js', `container_${containerId}.js`);
}

/** Wraps the runtime in a function whose parameter `footfallContainer` is the container version, with `<` escaped. */
export function buildContainerScript(runtime: string, content: ContainerContent): string {
  const json = JSON.stringify(content).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  const header = `/* Footfall Tag Manager container ${content.idcontainer}, revision ${content.revision} */`;
  return `${header}\n(function(footfallContainer){\n${runtime.trim()}\n})(${json});\n`;
}

/**
 * Writes a container version as the tenant's live file of that container.
 *
 * @throws FootfallError TAG_MANAGER_RUNTIME_MISSING when the runtime bundle was not built.
 */
export function publishContainerFile(tenant: Tenant, content: ContainerContent, codeRoot: string): string {
  const runtimePath = resolve(codeRoot, CONTAINER_RUNTIME_PATH);
  if (!existsSync(runtimePath)) {
    throw new FootfallError('TAG_MANAGER_RUNTIME_MISSING', `The Tag Manager runtime ${runtimePath} does not exist. Build it with npm run build:tracker.`);
  }
  const file = buildContainerFilePath(tenant, content.idcontainer);
  writeFileAtomically(file, buildContainerScript(readFileSync(runtimePath, 'utf8'), content), 0o644);
  return file;
}
