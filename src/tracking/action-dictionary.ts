/** The `log_action` dictionary: the id of each distinct action string, cached in memory per tenant. */
import { crc32 } from 'node:zlib';
import type { Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Database } from '../db/schema.js';
import { insertReturningId } from '../db/insert-id.js';
import type { ActionString } from './hit.js';
import { ACTION_TYPE } from './parse-action.js';
import { splitUrlPrefix } from './page-url.js';

/** Action strings whose ids one tenant keeps in memory. */
export const DEFAULT_ACTION_CACHE_SIZE = 50_000;

/** Action types whose names are URLs, stored without their `http(s)://(www.)` prefix. */
const URL_TYPES: ReadonlySet<number> = new Set([ACTION_TYPE.pageUrl, ACTION_TYPE.outlink, ACTION_TYPE.download]);

/**
 * Returns the `log_action` ids of strings, inserting the missing ones. Lookups use Matomo's
 * (type, hash) index with `hash` = CRC32 of the stored name; a URL is stored without its
 * prefix, and URLs that differ only in their prefix share one id, as in Matomo.
 */
export class ActionDictionary {
  readonly #cache: LRUCache<string, number>;
  /** Ids inserted by the open transaction; forgotten when it rolls back. */
  #pending: string[] = [];

  constructor(size = DEFAULT_ACTION_CACHE_SIZE) {
    this.#cache = new LRUCache({ max: size });
  }

  /** Returns the id of one string, inserting it inside `db` (a transaction) when it is new. */
  async idOf(db: Kysely<Database>, action: ActionString | null): Promise<number | null> {
    if (action === null) return null;
    const { prefix, rest } = URL_TYPES.has(action.type) ? splitUrlPrefix(action.value) : { prefix: null, rest: action.value };
    const key = `${action.type}\u0000${rest}`;
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;

    const hash = crc32(rest);
    const row = await db.selectFrom('log_action').select('idaction')
      .where('type', '=', action.type).where('hash', '=', hash).where('name', '=', rest).executeTakeFirst();
    const id = row ? Number(row.idaction) : await insertReturningId(db, db.insertInto('log_action').values({ name: rest, hash, type: action.type, url_prefix: prefix }), 'idaction');
    this.#cache.set(key, id);
    if (!row) this.#pending.push(key);
    return id;
  }

  /** Marks the ids inserted so far as committed. */
  commit(): void {
    this.#pending = [];
  }

  /** Forgets the ids inserted by a transaction that rolled back. */
  rollback(): void {
    for (const key of this.#pending) this.#cache.delete(key);
    this.#pending = [];
  }
}
