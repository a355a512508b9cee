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

/** Resolves tracking tokens of one tenant, caching each for `TOKEN_CACHE_TTL_MS`. */
export class TrackingAuth {
  readonly #cache = new LRUCache<string, Promise<TrackingTokenOwner | null>>({ max: 1000, ttl: TOKEN_CACHE_TTL_MS });

  /** Returns the owner of a token, or null when the token is malformed, unknown or expired. */
  async findOwner(db: Kysely<Database>, salt: string, token: string | undefined): Promise<TrackingTokenOwner | null> {
    if (!token || !isTokenShaped(token)) return null;
    let owner = this.#cache.get(token);
    if (!owner) {
      owner = loadOwner(db, salt, token);
      this.#cache.set(token, owner);
      owner.catch(() => this.#cache.delete(token));
    }
    return owner;
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
