/** The `log_action` dictionary: the id of each distinct action string, cached in memory per tenant. */
import { crc32 } from 'node:zlib';
import type { Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Database } from '../db/schema.js';
import type { BatchStatements } from './batch-sql.js';
import type { ActionString, StoredActionString } from './hit.js';
import type { IdSource } from './id-reservation.js';
import { ACTION_TYPE } from './parse-action.js';
import { splitUrlPrefix } from './page-url.js';
import type { WriteBatch } from './write-batch.js';

/** Action strings whose ids one tenant keeps in memory. */
export const DEFAULT_ACTION_CACHE_SIZE = 50_000;

/** Action types whose names are URLs, stored without their `http(s)://(www.)` prefix. */
const URL_TYPES: ReadonlySet<number> = new Set([ACTION_TYPE.pageUrl, ACTION_TYPE.outlink, ACTION_TYPE.download]);

/** The transaction, id source and pending rows that assigning a new `log_action` id needs. */
export interface ActionWriteContext {
  db: Kysely<Database>;
  ids: IdSource;
  batch: WriteBatch;
}

/**
 * Returns the `log_action` ids of strings, assigning new ones (inserted with the batch). Lookups
 * use Matomo's (type, hash) index with `hash` = CRC32 of the stored name; a URL is stored
 * without its prefix, and URLs that differ only in their prefix share one id, as in Matomo.
 */
export class ActionDictionary {
  readonly #cache: LRUCache<string, number>;
  /** Keys whose ids unwritten batches assigned, forgotten when a batch rolls back. */
  #pending = new Map<string, number>();
  /** The number of the batch that assigned each pending id. */
  #pendingBatch = new Map<string, number>();
  /** Keys the batch being recorded found missing from `log_action` when it read its strings ahead. */
  #missing = new Set<string>();
  /** The number of the batch being recorded. */
  #generation = 0;

  constructor(size = DEFAULT_ACTION_CACHE_SIZE) {
    this.#cache = new LRUCache({ max: size });
  }

  /**
   * Reads the ids of a batch's strings that are not cached with a few queries, so that
   * `idOf` needs no query per string. Must run inside the batch's transaction.
   */
  async prefetch(db: Kysely<Database>, statements: BatchStatements, actions: readonly (ActionString | null)[]): Promise<void> {
    this.#missing = new Set();
    const uncached = new Map<string, { hash: number; type: number; name: string }>();
    for (const action of actions) {
      if (action === null) continue;
      const { key, rest } = storedForm(action);
      if (uncached.has(key) || this.#pending.has(key) || this.#cache.has(key)) continue;
      uncached.set(key, { hash: crc32(rest), type: action.type, name: rest });
    }
    if (uncached.size === 0) return;

    const hashesByType = new Map<number, Set<number>>();
    for (const entry of uncached.values()) {
      const hashes = hashesByType.get(entry.type);
      if (hashes) hashes.add(entry.hash);
      else hashesByType.set(entry.type, new Set([entry.hash]));
    }
    const lists = new Map<number, number[]>();
    for (const [type, hashes] of hashesByType) lists.set(type, [...hashes]);
    for (const row of await statements.selectActionsByHash(db, lists)) {
      const key = `${Number(row.type)}\u0000${row.name}`;
      // The first (lowest) id wins when a string was stored twice, as a lookup by index finds it first.
      if (uncached.has(key) && !this.#cache.has(key)) this.#cache.set(key, Number(row.idaction));
    }
    for (const key of uncached.keys()) {
      if (!this.#cache.has(key)) this.#missing.add(key);
    }
  }

  /**
   * Returns the ids of several strings, like `idOf` for each. Strings with known ids cost no
   * await, which matters for the dozen mostly null strings of every action row.
   */
  async idsOf(context: ActionWriteContext, actions: readonly (ActionString | null)[]): Promise<(number | null)[]> {
    const ids: (number | null)[] = [];
    for (const action of actions) {
      if (action === null) {
        ids.push(null);
        continue;
      }
      const key = storedForm(action).key;
      const known = this.#pending.get(key) ?? this.#cache.get(key);
      ids.push(known ?? await this.idOf(context, action));
    }
    return ids;
  }

  /**
   * Returns the ids of several strings like `idsOf` when that needs no query: every string is
   * known, or new to `log_action` as `prefetch` found, with an id counted at once. Returns
   * undefined otherwise, and `idsOf` must be awaited.
   */
  idsAtOnce(context: ActionWriteContext, actions: readonly (ActionString | null)[]): (number | null)[] | undefined {
    const ids: (number | null)[] = [];
    for (const action of actions) {
      if (action === null) {
        ids.push(null);
        continue;
      }
      const { key, prefix, rest } = storedForm(action);
      const known = this.#pending.get(key) ?? this.#cache.get(key);
      if (known !== undefined) {
        ids.push(known);
        continue;
      }
      if (!this.#missing.has(key)) return undefined;
      const id = context.ids.nextAtOnce('log_action');
      if (id === undefined) return undefined;
      this.#assign(context, key, id, { hash: crc32(rest), type: action.type, name: rest, prefix });
      ids.push(id);
    }
    return ids;
  }

  /** The number of the open batch's strings that `prefetch` found missing from `log_action`: the new rows it will likely add. */
  get missingCount(): number {
    return this.#missing.size;
  }

  /** Returns the id of one string, assigning one and adding its row to the batch when it is new. */
  async idOf(context: ActionWriteContext, action: ActionString | null): Promise<number | null> {
    if (action === null) return null;
    const { key, prefix, rest } = storedForm(action);
    const known = this.#pending.get(key) ?? this.#cache.get(key);
    if (known !== undefined) return known;

    const hash = crc32(rest);
    if (!this.#missing.has(key)) {
      const row = await context.db.selectFrom('log_action').select('idaction')
        .where('type', '=', action.type).where('hash', '=', hash).where('name', '=', rest).orderBy('idaction').executeTakeFirst();
      if (row) {
        this.#cache.set(key, Number(row.idaction));
        return Number(row.idaction);
      }
    }
    const id = await context.ids.next('log_action');
    this.#assign(context, key, id, { hash, type: action.type, name: rest, prefix });
    return id;
  }

  /** Adds a new string's row to the batch and keeps its id as pending until the batch is written. */
  #assign(context: ActionWriteContext, key: string, id: number, row: { hash: number; type: number; name: string; prefix: number | null }): void {
    context.batch.addAction({ idaction: id, name: row.name, hash: row.hash, type: row.type, url_prefix: row.prefix });
    this.#pending.set(key, id);
    this.#pendingBatch.set(key, this.#generation);
  }

  /** Starts recording a batch and returns its number, for `commit` once the batch is written. */
  beginBatch(): number {
    this.#generation += 1;
    return this.#generation;
  }

  /**
   * Moves the ids that committed batches assigned into the cache: those of batch `generation`
   * and earlier ones, or of every batch without a number.
   */
  commit(generation = Number.POSITIVE_INFINITY): void {
    for (const [key, batch] of this.#pendingBatch) {
      if (batch > generation) continue;
      this.#cache.set(key, this.#pending.get(key)!);
      this.#pending.delete(key);
      this.#pendingBatch.delete(key);
    }
  }

  /** Forgets the ids assigned by every unwritten batch, after one rolled back. */
  rollback(): void {
    this.#pending = new Map();
    this.#pendingBatch = new Map();
    this.#missing = new Set();
  }
}

/**
 * Returns the cache key of a string and the name and URL prefix `log_action` stores. A batch
 * looks each string up at least twice, so the result is kept on the string.
 */
function storedForm(action: ActionString): StoredActionString {
  if (action.stored !== undefined) return action.stored;
  const { prefix, rest } = URL_TYPES.has(action.type) ? splitUrlPrefix(action.value) : { prefix: null, rest: action.value };
  action.stored = { key: `${action.type}\u0000${rest}`, prefix, rest };
  return action.stored;
}
