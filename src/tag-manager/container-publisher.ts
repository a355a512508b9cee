/** Published container files: the runtime bundle wrapped with one container version, under the tenant's own folder. */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { FootfallError, quote } from '../errors.js';
import { writeFileAtomically } from '../tenancy/tenant-provisioner.js';
import type { Tenant } from '../tenancy/tenant.js';
import type { ContainerContent } from './container-store.js';

/** Path of the Tag Manager runtime under the code tree, written by `npm run build:tracker`. */
export const CONTAINER_RUNTIME_PATH = 'dist/tracker/container-runtime.js';

/** Container ids as generated: 8 letters and digits. */
export const CONTAINER_ID_PATTERN = /^[A-Za-z0-9]{8}$/;

/** The environment whose file the embed code loads by default. */
export const LIVE_ENVIRONMENT = 'live';

/** The environment of the draft as shown to the user who enabled preview mode; it has no file. */
export const PREVIEW_ENVIRONMENT = 'preview';

/** Environments besides `live` when the tenant's `[TagManager] environments[]` setting is missing. */
export const DEFAULT_EXTRA_ENVIRONMENTS = ['dev', 'staging'] as const;

/** Names of extra environments: lowercase letters and digits, so that they never contain the `_` of file names. */
export const ENVIRONMENT_PATTERN = /^[a-z0-9]{1,40}$/;

/** Length of the hash in the file names of extra environments, in hex digits. */
const ENVIRONMENT_HASH_LENGTH = 24;

/** The container fields that an extra environment's file name is derived from. */
export interface ContainerIdentity {
  idcontainer: string;
  idsite: number;
  created_date: string;
}

/**
 * Returns the environments a tenant may publish to: `live` and the `[TagManager] environments[]`
 * setting, or `dev` and `staging` when no config file sets it.
 *
 * @throws FootfallError CONFIG_INVALID when a configured name is not lowercase letters and digits or is reserved.
 */
export function listEnvironments(tenant: Tenant): string[] {
  const configured = tenant.settings.raw('TagManager', 'environments') === undefined
    ? [...DEFAULT_EXTRA_ENVIRONMENTS] : tenant.settings.list('TagManager', 'environments');
  for (const name of configured) {
    if (!ENVIRONMENT_PATTERN.test(name) || name === LIVE_ENVIRONMENT || name === PREVIEW_ENVIRONMENT) {
      const source = tenant.settings.sourceOf('TagManager', 'environments') ?? 'the config';
      throw new FootfallError('CONFIG_INVALID', `Invalid Tag Manager environment ${quote(name)} in [TagManager] environments[] of ${source}. Use 1 to 40 lowercase letters and digits, other than live and preview.`);
    }
  }
  return [LIVE_ENVIRONMENT, ...new Set(configured)];
}

/**
 * Returns the file name of a container in an environment: `container_<id>.js` for `live`, and
 * `container_<id>_<env>_<hash>.js` for the others. The hash is a SHA-1 of the container id,
 * site, creation date, environment and tenant salt, so that a page can load a test environment
 * only when someone gave it the embed code.
 */
export function buildContainerFileName(tenant: Tenant, container: ContainerIdentity, environment: string): string {
  if (!CONTAINER_ID_PATTERN.test(container.idcontainer)) throw new Error(`Container id ${container.idcontainer} is not 8 letters and digits.`);
  if (environment === LIVE_ENVIRONMENT) return `container_${container.idcontainer}.js`;
  if (!ENVIRONMENT_PATTERN.test(environment)) throw new Error(`Environment ${environment} is not lowercase letters and digits.`);
  const hash = createHash('sha1')
    .update([container.idcontainer, String(container.idsite), container.created_date, environment, tenant.salt].join('\n'))
    .digest('hex').slice(0, ENVIRONMENT_HASH_LENGTH);
  return `container_${container.idcontainer}_${environment}_${hash}.js`;
}

/** Returns the path of a container file name under the tenant's `js` folder, after checking the name's shape. */
export function resolveContainerFile(tenant: Tenant, fileName: string): string {
  if (!/^container_[A-Za-z0-9]{8}(_[a-z0-9]{1,40}_[0-9a-f]{24})?\.js$/.test(fileName)) throw new Error(`${fileName} is not a container file name.`);
  return resolve(tenant.paths.filesDir, 'js', fileName);
}

/** Returns the path of a container's live file: `misc/user/<host>/js/container_<id>.js`. */
export function buildContainerFilePath(tenant: Tenant, containerId: string): string {
  if (!CONTAINER_ID_PATTERN.test(containerId)) throw new Error(`Container id ${containerId} is not 8 letters and digits.`);
  return resolveContainerFile(tenant, `container_${containerId}.js`);
}

/** Wraps the runtime in a function whose parameter `footfallContainer` is the container version, with `<` escaped. */
export function buildContainerScript(runtime: string, content: ContainerContent): string {
  const json = JSON.stringify(content).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  const header = `/* Footfall Tag Manager container ${content.idcontainer}, revision ${content.revision} */`;
  return `${header}\n(function(footfallContainer){\n${runtime.trim()}\n})(${json});\n`;
}

/**
 * Returns the runtime bundle's source.
 *
 * @throws FootfallError TAG_MANAGER_RUNTIME_MISSING when the runtime bundle was not built.
 */
export function readContainerRuntime(codeRoot: string): string {
  const runtimePath = resolve(codeRoot, CONTAINER_RUNTIME_PATH);
  if (!existsSync(runtimePath)) {
    throw new FootfallError('TAG_MANAGER_RUNTIME_MISSING', `The Tag Manager runtime ${runtimePath} does not exist. Build it with npm run build:tracker.`);
  }
  return readFileSync(runtimePath, 'utf8');
}

/** Writes a container version as the tenant's file of that container in `content.environment`, and returns its path. */
export function publishContainerFile(tenant: Tenant, container: ContainerIdentity, content: ContainerContent, codeRoot: string): string {
  const runtime = readContainerRuntime(codeRoot);
  const file = resolveContainerFile(tenant, buildContainerFileName(tenant, container, content.environment));
  writeFileAtomically(file, buildContainerScript(runtime, content), 0o644);
  return file;
}

/** Removes every published file of a container, in all environments. */
export function removeContainerFiles(tenant: Tenant, containerId: string): void {
  if (!CONTAINER_ID_PATTERN.test(containerId)) throw new Error(`Container id ${containerId} is not 8 letters and digits.`);
  const folder = resolve(tenant.paths.filesDir, 'js');
  if (!existsSync(folder)) return;
  for (const name of readdirSync(folder)) {
    if (name === `container_${containerId}.js` || name.startsWith(`container_${containerId}_`)) rmSync(resolve(folder, name), { force: true });
  }
}
