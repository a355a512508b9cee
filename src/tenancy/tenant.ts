/** One tenant: its host, settings, paths and database. */
import type { Kysely } from 'kysely';
import type { Settings } from '../config/settings.js';
import { readDatabaseConfig, type DatabaseConfig } from '../db/database-config.js';
import type { DatabasePool } from '../db/database-pool.js';
import { loadSchemaVersion } from '../db/migrator.js';
import { CODE_SCHEMA_VERSION } from '../db/migrations/index.js';
import type { Database } from '../db/schema.js';
import type { TenantPaths } from './root-paths.js';
import type { TenantHost } from './tenant-host.js';

/** Milliseconds a schema version read from the database is trusted before it is read again. */
const SCHEMA_VERSION_RECHECK_MS = 5000;

/**
 * A tenant as loaded from its config file. A new Tenant is built whenever the file changes,
 * so its settings never change after construction.
 */
export class Tenant {
  /** The host name, or null for the single-tenant install. */
  readonly host: TenantHost | null;
  /** The host name, or `_default` for the single-tenant install: the key of caches and pools. */
  readonly key: string;
  readonly settings: Settings;
  readonly configFile: string;
  readonly paths: TenantPaths;
  readonly databaseConfig: DatabaseConfig;
  readonly #pool: DatabasePool;
  #schemaVersion: { version: number; checkedAt: number } | undefined;

  constructor(options: { host: TenantHost | null; key: string; settings: Settings; configFile: string; paths: TenantPaths; pool: DatabasePool }) {
    this.host = options.host;
    this.key = options.key;
    this.settings = options.settings;
    this.configFile = options.configFile;
    this.paths = options.paths;
    this.#pool = options.pool;
    this.databaseConfig = readDatabaseConfig(options.settings, options.paths.filesDir);
  }

  /** Whether `tenant:disable` turned this tenant off. */
  get disabled(): boolean {
    return this.settings.bool('General', 'tenant_disabled');
  }

  /** The tenant's secret salt for token hashes and fingerprints. */
  get salt(): string {
    return this.settings.string('General', 'salt');
  }

  /** Returns the tenant's database; the connection opens on the first query. */
  db(): Kysely<Database> {
    return this.#pool.acquire(this.key, this.databaseConfig);
  }

  /** Returns the database's schema version, cached for a few seconds. */
  async schemaVersion(): Promise<number> {
    const now = Date.now();
    if (this.#schemaVersion && now - this.#schemaVersion.checkedAt < SCHEMA_VERSION_RECHECK_MS) return this.#schemaVersion.version;
    const version = await loadSchemaVersion(this.db(), this.databaseConfig);
    // A current schema cannot fall behind while this code runs, so it is cached for good.
    this.#schemaVersion = { version, checkedAt: version >= CODE_SCHEMA_VERSION ? Number.POSITIVE_INFINITY : now };
    return version;
  }

  /** Whether the database schema is behind the code, so the UI and API must answer 'maintenance'. */
  async needsUpdate(): Promise<boolean> {
    return (await this.schemaVersion()) < CODE_SCHEMA_VERSION;
  }

  /** Forgets the cached schema version, after a migration in this process. */
  forgetSchemaVersion(): void {
    this.#schemaVersion = undefined;
  }
}
