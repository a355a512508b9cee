/** Where operator files live under the root folder, named as Matomo names them. */
import { resolve } from 'node:path';
import type { Environment } from '../config/environment.js';
import type { TenantHost } from './tenant-host.js';

/** The folder name used for the single-tenant install's files and caches; never a valid host name. */
export const SINGLE_TENANT_KEY = '_default';

/** Paths shared by all tenants. */
export interface RootPaths {
  root: string;
  /** The shipped defaults, in the code tree. */
  globalConfig: string;
  commonConfig: string;
  /** The single-tenant install's config file. */
  singleTenantConfig: string;
  configDir: string;
  miscUserDir: string;
  tmpDir: string;
}

/** The files of one tenant. */
export interface TenantPaths {
  /** `config/<host>.config.ini.php`: the legacy location, probed first. */
  legacyConfig: string;
  /** `misc/user/<host>/config.ini.php`: the preferred location. */
  preferredConfig: string;
  /** `misc/user/<host>/`: config, SQLite file, logos, tracker script, Tag Manager files. */
  filesDir: string;
  /** `tmp/<host>/`: caches and locks. */
  tmpDir: string;
}

/** Builds the shared paths for an environment. */
export function buildRootPaths(environment: Environment): RootPaths {
  const root = environment.root;
  return {
    root,
    globalConfig: resolve(environment.codeRoot, 'config', 'global.ini.php'),
    commonConfig: resolve(root, 'config', 'common.config.ini.php'),
    singleTenantConfig: resolve(root, 'config', 'config.ini.php'),
    configDir: resolve(root, 'config'),
    miscUserDir: resolve(root, 'misc', 'user'),
    tmpDir: resolve(root, 'tmp'),
  };
}

/** Builds a tenant's paths; `host` passed the host grammar, so it cannot leave its folder. */
export function buildTenantPaths(rootPaths: RootPaths, host: TenantHost): TenantPaths {
  return {
    legacyConfig: resolve(rootPaths.configDir, `${host}.config.ini.php`),
    preferredConfig: resolve(rootPaths.miscUserDir, host, 'config.ini.php'),
    filesDir: resolve(rootPaths.miscUserDir, host),
    tmpDir: resolve(rootPaths.tmpDir, host),
  };
}

/** Builds the single-tenant install's paths: its config is `config/config.ini.php`. */
export function buildSingleTenantPaths(rootPaths: RootPaths): TenantPaths {
  return {
    legacyConfig: rootPaths.singleTenantConfig,
    preferredConfig: rootPaths.singleTenantConfig,
    filesDir: resolve(rootPaths.miscUserDir, SINGLE_TENANT_KEY),
    tmpDir: resolve(rootPaths.tmpDir, SINGLE_TENANT_KEY),
  };
}
