/** Creating a tenant: its config file, database, schema, superuser, first site and token. */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { IniDocument } from '../config/ini.js';
import { Settings } from '../config/settings.js';
import { createSecret } from '../auth/token-hash.js';
import { createToken, createUser, setRole } from '../auth/user-store.js';
import type { DatabaseAdapter } from '../db/database-config.js';
import { migrateToLatest } from '../db/migrator.js';
import { FootfallError, quote } from '../errors.js';
import { createSite } from '../sites/site-store.js';
import type { Clock } from '../time.js';
import { buildSingleTenantPaths, buildTenantPaths, type RootPaths, type TenantPaths } from './root-paths.js';
import type { TenantHost } from './tenant-host.js';
import type { TenantRegistry } from './tenant-registry.js';

/** Options of `createTenant`. A null host creates the single-tenant install `config/config.ini.php`. */
export interface CreateTenantOptions {
  host: TenantHost | null;
  dbAdapter: DatabaseAdapter;
  superuserLogin: string;
  /** Generated when not given. */
  superuserPassword?: string;
  superuserEmail: string;
  siteName: string;
  siteUrl: string;
  timezone?: string;
  clock: Clock;
}

/** The output of `tenant:create --json`. The password and token are shown this once only. */
export interface CreateTenantResult {
  host: string | null;
  idSite: number;
  login: string;
  password: string;
  tokenAuth: string;
  dbAdapter: DatabaseAdapter;
}

/** Writes a file through a temporary file and a rename, so a reader never sees half of it. */
export function writeFileAtomically(file: string, content: string, mode = 0o640): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o750 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode });
  renameSync(temporary, file);
}

/** Returns the config file a new tenant gets: `misc/user/<host>/config.ini.php`, or `config/config.ini.php`. */
export function newTenantConfigFile(rootPaths: RootPaths, host: TenantHost | null): { file: string; paths: TenantPaths } {
  const paths = host ? buildTenantPaths(rootPaths, host) : buildSingleTenantPaths(rootPaths);
  return { file: paths.preferredConfig, paths };
}

/** @throws FootfallError TENANT_EXISTS when either config location of the host is taken. */
export function ensureTenantAbsent(rootPaths: RootPaths, host: TenantHost | null): void {
  const paths = host ? buildTenantPaths(rootPaths, host) : buildSingleTenantPaths(rootPaths);
  const taken = [paths.legacyConfig, paths.preferredConfig].find((file) => existsSync(file));
  if (taken) throw new FootfallError('TENANT_EXISTS', `Tenant ${quote(host ?? 'single-tenant install')} already exists: ${taken}. Delete it first with tenant:delete, or pick another host.`);
}

/**
 * Builds the config of a new tenant: its own salt and instance id, and the `[database]`
 * keys it was given.
 */
export function buildTenantConfig(host: TenantHost | null, database: Record<string, string>): IniDocument {
  const config = IniDocument.create();
  for (const [key, value] of Object.entries(database)) config.set('database', key, value);
  config.set('General', 'salt', createSecret(32));
  if (host) {
    config.set('General', 'instance_id', host);
    config.set('General', 'trusted_hosts', [host]);
  }
  return config;
}

/** A database made for a tenant, with the `[database]` keys that reach it and a way to remove it again. */
export interface ProvisionedDatabase {
  settings: Record<string, string>;
  drop(): Promise<void>;
}

/** Creates the database of a new tenant on its engine; SQLite needs nothing beyond its file. */
export type DatabaseProvisioner = (adapter: DatabaseAdapter, host: TenantHost | null, paths: TenantPaths, defaults: Settings) => Promise<ProvisionedDatabase>;

/**
 * Creates a tenant: database, config file, schema, superuser, first site with the superuser
 * as admin, and a token. On failure it removes what it made.
 *
 * @throws FootfallError TENANT_EXISTS, or for bad superuser or site values.
 */
export async function createTenant(
  registry: TenantRegistry, options: CreateTenantOptions, provisionDatabase: DatabaseProvisioner,
): Promise<CreateTenantResult> {
  const rootPaths = registry.rootPaths;
  ensureTenantAbsent(rootPaths, options.host);
  const defaults = Settings.load({ global: rootPaths.globalConfig, common: rootPaths.commonConfig, local: null });
  const { file, paths } = newTenantConfigFile(rootPaths, options.host);

  const database = await provisionDatabase(options.dbAdapter, options.host, paths, defaults);
  try {
    writeFileAtomically(file, buildTenantConfig(options.host, database.settings).toString());
    const tenant = options.host ? registry.get(options.host) : registry.getSingleTenant();
    if (!tenant) throw new Error(`The new config file ${file} cannot be read back.`);

    const db = tenant.db();
    await migrateToLatest(db, tenant.databaseConfig);
    const password = options.superuserPassword ?? createSecret(9);
    await createUser(db, {
      login: options.superuserLogin, password, email: options.superuserEmail, superuser: true,
      passwordHashCost: tenant.settings.int('General', 'password_hash_cost'), clock: options.clock,
    });
    const idSite = await createSite(db, { name: options.siteName, urls: [options.siteUrl], timezone: options.timezone }, {
      timezone: tenant.settings.string('General', 'default_timezone'), currency: tenant.settings.string('General', 'default_currency'),
      creatorLogin: options.superuserLogin, clock: options.clock,
    });
    await setRole(db, options.superuserLogin, 'admin', [idSite]);
    const tokenAuth = await createToken(db, tenant.salt, options.superuserLogin, 'Created with the tenant', { clock: options.clock });
    return { host: options.host, idSite, login: options.superuserLogin, password, tokenAuth, dbAdapter: options.dbAdapter };
  } catch (error) {
    await registry.forget(options.host ?? '_default');
    rmSync(file, { force: true });
    await database.drop().catch(() => undefined);
    throw error;
  }
}
