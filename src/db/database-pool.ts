/** Lazily opened tenant databases, with the least recently used closed past a limit. */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { connectDatabase } from './connect.js';
import { databaseConfigKey, type DatabaseConfig } from './database-config.js';
import type { Database } from './schema.js';

/** Limits of a pool, from `[General] max_open_tenant_databases` and `tenant_database_idle_seconds`. */
export interface DatabasePoolConfig {
  maxOpen: number;
  idleSeconds: number;
}

interface OpenDatabase {
  db: Kysely<Database>;
  configKey: string;
  lastUsed: number;
}

/** Milliseconds an evicted database stays open so that queries already sent can finish. */
const EVICTION_GRACE_MS = 10_000;

/**
 * Hands out one Kysely instance per tenant. A Map keeps insertion order, so re-inserting on
 * each use makes its first entry the least recently used one.
 */
export class DatabasePool {
  readonly #open = new Map<string, OpenDatabase>();
  readonly #config: DatabasePoolConfig;
  readonly #logger: Logger | undefined;
  readonly #pendingCloses = new Map<OpenDatabase, NodeJS.Timeout>();
  #sweepTimer: NodeJS.Timeout | undefined;

  constructor(config: DatabasePoolConfig, logger?: Logger) {
    this.#config = config;
    this.#logger = logger;
  }

  /** Number of databases open now. */
  get openCount(): number {
    return this.#open.size;
  }

  /** Returns the tenant's database, opening it (lazily: no connection until the first query) when needed. */
  acquire(key: string, config: DatabaseConfig): Kysely<Database> {
    const configKey = databaseConfigKey(config);
    const existing = this.#open.get(key);
    this.#open.delete(key);
    if (existing && existing.configKey === configKey) {
      existing.lastUsed = Date.now();
      this.#open.set(key, existing);
      return existing.db;
    }
    if (existing) this.#closeLater(key, existing, 0);

    const onIdleError = (error: Error) => this.#logger?.warn({ tenant: key, err: error }, 'idle database connection lost');
    const opened: OpenDatabase = { db: connectDatabase(config, onIdleError), configKey, lastUsed: Date.now() };
    this.#open.set(key, opened);
    this.#evictOverLimit();
    this.#startSweeping();
    return opened.db;
  }

  /** Closes one tenant's database now, for example before its files are deleted. */
  async close(key: string): Promise<void> {
    const existing = this.#open.get(key);
    if (!existing) return;
    this.#open.delete(key);
    await existing.db.destroy();
  }

  /** Closes every database and stops the idle sweep. */
  async closeAll(): Promise<void> {
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    this.#sweepTimer = undefined;
    const open = [...this.#open.values(), ...this.#pendingCloses.keys()];
    for (const timer of this.#pendingCloses.values()) clearTimeout(timer);
    this.#pendingCloses.clear();
    this.#open.clear();
    await Promise.all(open.map((entry) => entry.db.destroy()));
  }

  #evictOverLimit(): void {
    while (this.#open.size > this.#config.maxOpen) {
      const [key, oldest] = this.#open.entries().next().value as [string, OpenDatabase];
      this.#open.delete(key);
      this.#closeLater(key, oldest, EVICTION_GRACE_MS);
    }
  }

  #closeLater(key: string, entry: OpenDatabase, delayMs: number): void {
    const timer = setTimeout(() => {
      this.#pendingCloses.delete(entry);
      entry.db.destroy().catch((error: unknown) => this.#logger?.warn({ tenant: key, err: error }, 'tenant database close failed'));
    }, delayMs);
    timer.unref();
    this.#pendingCloses.set(entry, timer);
  }

  #startSweeping(): void {
    if (this.#sweepTimer) return;
    const intervalMs = Math.max(1000, Math.min(60_000, this.#config.idleSeconds * 250));
    this.#sweepTimer = setInterval(() => this.#closeIdle(), intervalMs);
    this.#sweepTimer.unref();
  }

  #closeIdle(): void {
    const cutoff = Date.now() - this.#config.idleSeconds * 1000;
    for (const [key, entry] of this.#open) {
      if (entry.lastUsed >= cutoff) continue;
      this.#open.delete(key);
      this.#closeLater(key, entry, 0);
    }
  }
}
