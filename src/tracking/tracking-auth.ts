/** Authentication of tracking requests that use overrides only trusted senders may use. */
import type { Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import { isTokenShaped } from '../auth/token-hash.js';
import { findTokenOwner, findUser, loadRoles, roleIncludes, type Role } from '../auth/user-store.js';
import type { Database } from '../db/schema.js';

/** Milliseconds a token's user and roles are reused, so bulk requests hash and look up a token once. */
export const TOKEN_CACHE_TTL_MS = 60_000;

/** The user of a tracking token, with its roles. */
export interface TrackingTokenOwner {
  login: string;
  superuser: boolean;
  roles: ReadonlyMap<number, Role>;
}

/** A cached token lookup: its promise, and its owner once the lookup succeeded. */
interface OwnerLookup {
  promise: Promise<TrackingTokenOwner | null>;
  /** The owner (null for an unknown token), or undefined while the lookup runs. */
  owner: TrackingTokenOwner | null | undefined;
}

/** Resolves tracking tokens of one tenant, caching each for `TOKEN_CACHE_TTL_MS`. */
export class TrackingAuth {
  readonly #cache = new LRUCache<string, OwnerLookup>({ max: 1000, ttl: TOKEN_CACHE_TTL_MS });

  /** Returns the owner of a token, or null when the token is malformed, unknown or expired. */
  async findOwner(db: Kysely<Database>, salt: string, token: string | undefined): Promise<TrackingTokenOwner | null> {
    if (!token || !isTokenShaped(token)) return null;
    let lookup = this.#cache.get(token);
    if (!lookup) {
      const started: OwnerLookup = { promise: loadOwner(db, salt, token), owner: undefined };
      this.#cache.set(token, started);
      started.promise.then((owner) => {
        started.owner = owner;
      }, () => {
        if (this.#cache.get(token) === started) this.#cache.delete(token);
      });
      lookup = started;
    }
    return lookup.promise;
  }

  /**
   * Returns the owner as `findOwner` would, without waiting: null for a missing or malformed
   * token, and undefined when the token has no finished lookup in the cache.
   */
  peekOwner(token: string | undefined): TrackingTokenOwner | null | undefined {
    if (!token || !isTokenShaped(token)) return null;
    return this.#cache.get(token)?.owner;
  }
}

async function loadOwner(db: Kysely<Database>, salt: string, token: string): Promise<TrackingTokenOwner | null> {
  const match = await findTokenOwner(db, salt, token);
  if (!match) return null;
  const user = await findUser(db, match.login);
  if (!user) return null;
  return { login: user.login, superuser: user.superuser, roles: await loadRoles(db, user.login) };
}

/** Returns whether a token owner may use tracking overrides on a site: write, admin or superuser, as in Matomo. */
export function canTrackWithOverrides(owner: TrackingTokenOwner | null, siteId: number): boolean {
  if (!owner) return false;
  if (owner.superuser) return true;
  const role = owner.roles.get(siteId);
  return role !== undefined && roleIncludes(role, 'write');
}
