/** Finds the tenant of a host from the config files on disk and notices when they change. */
import { readdirSync, statSync } from 'node:fs';
import type { Logger } from 'pino';
import { Settings } from '../config/settings.js';
import { DatabasePool } from '../db/database-pool.js';
import { FootfallError, quote } from '../errors.js';
import {
  buildSingleTenantPaths, buildTenantPaths, SINGLE_TENANT_KEY, type RootPaths, type TenantPaths,
} from './root-paths.js';
import { parseTenantHost, parseTenantHostName, type ParsedHost, type TenantHost } from './tenant-host.js';
import { Tenant } from './tenant.js';

/** Options of a registry. */
export interface TenantRegistryOptions {
  /** Milliseconds a lookup trusts what it read from disk before it checks the files again. */
  recheckMs?: number;
  logger?: Logger;
}

/** Milliseconds between checks of a tenant's config files; an edit is seen within this time. */
export const DEFAULT_RECHECK_MS = 1000;

interface CachedLookup {
  tenant: Tenant | null;
  stamp: string;
  checkedAt: number;
}

function fileStamp(file: string): string | null {
  try {
    const stats = statSync(file);
    return stats.isFile() ? `${stats.mtimeMs}:${stats.size}` : null;
  } catch {
    return null;
  }
}

const CONFIG_SUFFIX = '.config.ini.php';

/**
 * Hands out one Tenant per host. Tenant files are probed in Matomo's order:
 * `config/<host>.config.ini.php`, then `misc/user/<host>/config.ini.php`; a host with neither
 * gets the single-tenant install `config/config.ini.php` when it exists, else no tenant.
 */
export class TenantRegistry {
  readonly rootPaths: RootPaths;
  readonly pool: DatabasePool;
  readonly #recheckMs: number;
  readonly #logger: Logger | undefined;
  readonly #cache = new Map<string, CachedLookup>();

  constructor(rootPaths: RootPaths, options: TenantRegistryOptions = {}) {
    this.rootPaths = rootPaths;
    this.#recheckMs = options.recheckMs ?? DEFAULT_RECHECK_MS;
    this.#logger = options.logger;
    const defaults = Settings.load({ global: rootPaths.globalConfig, common: rootPaths.commonConfig, local: null });
    this.pool = new DatabasePool({
      maxOpen: defaults.int('General', 'max_open_tenant_databases'),
      idleSeconds: defaults.int('General', 'tenant_database_idle_seconds'),
    }, options.logger);
  }

  /**
   * Returns the tenant serving a parsed Host header: the host's own tenant, else the
   * single-tenant install, else null (the caller then sends 404).
   *
   * @throws FootfallError CONFIG_INVALID when the matching config file has a bad value.
   */
  resolve(parsed: ParsedHost): Tenant | null {
    if (parsed.kind !== 'ipv6') {
      const tenant = this.get(parsed.host);
      if (tenant) return tenant;
    }
    return this.getSingleTenant();
  }

  /** Returns the tenant of a host, without falling back to the single-tenant install. */
  get(host: TenantHost): Tenant | null {
    const paths = buildTenantPaths(this.rootPaths, host);
    return this.#lookup(host, () => {
      for (const file of [paths.legacyConfig, paths.preferredConfig]) {
        const stamp = fileStamp(file);
        if (stamp !== null) return { file, stamp };
      }
      return null;
    }, (file, settings) => new Tenant({ host, key: host, settings, configFile: file, paths, pool: this.pool }));
  }

  /** Returns the single-tenant install (`config/config.ini.php`), or null when there is none. */
  getSingleTenant(): Tenant | null {
    const paths: TenantPaths = buildSingleTenantPaths(this.rootPaths);
    return this.#lookup(SINGLE_TENANT_KEY, () => {
      const stamp = fileStamp(paths.preferredConfig);
      return stamp === null ? null : { file: paths.preferredConfig, stamp };
    }, (file, settings) => new Tenant({ host: null, key: SINGLE_TENANT_KEY, settings, configFile: file, paths, pool: this.pool }));
  }

  /**
   * Returns the tenant named by a CLI `--matomo-domain` value, or the single-tenant install
   * when no host is given.
   *
   * @throws FootfallError HOST_INVALID for a value that cannot name a tenant, such as an IPv6
   *   address, and TENANT_NOT_FOUND naming the host and where its file was looked for.
   */
  require(hostOption: string | undefined): Tenant {
    if (hostOption === undefined) {
      const single = this.getSingleTenant();
      if (!single) throw new FootfallError('TENANT_NOT_FOUND', `No single-tenant install: ${this.rootPaths.singleTenantConfig} does not exist. Pass --matomo-domain=HOST to pick a tenant.`);
      return single;
    }
    const host = parseTenantHostName(hostOption);
    const tenant = this.get(host);
    if (!tenant) {
      const paths = buildTenantPaths(this.rootPaths, host);
      throw new FootfallError('TENANT_NOT_FOUND', `Tenant ${quote(hostOption)} not found. Looked for ${paths.legacyConfig} and ${paths.preferredConfig}. Create it with tenant:create.`);
    }
    return tenant;
  }

  /** Lists the hosts of every tenant file on disk, sorted, each once. */
  listHosts(): TenantHost[] {
    const hosts = new Set<TenantHost>();
    for (const name of safeReaddir(this.rootPaths.configDir)) {
      if (!name.endsWith(CONFIG_SUFFIX) || name === 'common.config.ini.php') continue;
      addIfValid(hosts, name.slice(0, -CONFIG_SUFFIX.length));
    }
    for (const name of safeReaddir(this.rootPaths.miscUserDir)) {
      if (fileStamp(buildTenantPaths(this.rootPaths, name as TenantHost).preferredConfig) !== null) addIfValid(hosts, name);
    }
    return [...hosts].sort();
  }

  /** Drops what is cached of a host and closes its database, after its files changed or were deleted. */
  async forget(key: string): Promise<void> {
    this.#cache.delete(key);
    await this.pool.close(key);
  }

  /** Closes every tenant database. */
  async close(): Promise<void> {
    this.#cache.clear();
    await this.pool.closeAll();
  }

  #lookup(
    key: string,
    findFile: () => { file: string; stamp: string } | null,
    build: (file: string, settings: Settings) => Tenant,
  ): Tenant | null {
    const now = Date.now();
    const cached = this.#cache.get(key);
    if (cached && now - cached.checkedAt < this.#recheckMs) return cached.tenant;

    const found = findFile();
    const commonStamp = fileStamp(this.rootPaths.commonConfig) ?? 'none';
    const stamp = found ? `${found.file}:${found.stamp}:${commonStamp}` : 'missing';
    if (cached && cached.stamp === stamp) {
      cached.checkedAt = now;
      return cached.tenant;
    }

    if (cached?.tenant) void this.pool.close(key);
    const tenant = found ? build(found.file, Settings.load({ global: this.rootPaths.globalConfig, common: this.rootPaths.commonConfig, local: found.file })) : null;
    if (cached || tenant) this.#logger?.debug({ tenant: key, found: tenant !== null }, cached ? 'tenant config reloaded' : 'tenant config loaded');
    if (tenant || cached) this.#cache.set(key, { tenant, stamp, checkedAt: now });
    return tenant;
  }
}

function safeReaddir(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}

function addIfValid(hosts: Set<TenantHost>, name: string): void {
  try {
    const parsed = parseTenantHost(name);
    if (parsed.kind !== 'ipv6' && parsed.host === name) hosts.add(parsed.host);
  } catch {
    // A file whose name is not a valid host name can never be selected, so it is not listed.
  }
}
