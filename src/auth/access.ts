/** The identity of a request and the roles it holds on each site. */
import type { Tenant } from '../tenancy/tenant.js';
import { FootfallError, quote } from '../errors.js';
import type { Clock } from '../time.js';
import { isTokenShaped } from './token-hash.js';
import { ANONYMOUS_LOGIN, findTokenOwner, findUser, loadRoles, roleIncludes, type Role } from './user-store.js';

/**
 * The identity of a request within one tenant: a user (or `anonymous`) with a superuser
 * flag and a role per site. Built once per request; its checks throw ACCESS_DENIED.
 */
export class Access {
  readonly login: string;
  readonly superuser: boolean;
  readonly #roles: ReadonlyMap<number, Role>;

  constructor(login: string, superuser: boolean, roles: ReadonlyMap<number, Role>) {
    this.login = login;
    this.superuser = superuser;
    this.#roles = roles;
  }

  /** Whether this is the anonymous user. */
  get anonymous(): boolean {
    return this.login === ANONYMOUS_LOGIN;
  }

  /** Returns whether the user has at least `role` on a site; superusers have every role. */
  has(role: Role, siteId: number): boolean {
    if (this.superuser) return true;
    const granted = this.#roles.get(siteId);
    return granted !== undefined && roleIncludes(granted, role);
  }

  /** Returns the ids of the sites the user has at least `role` on; null means all sites (superuser). */
  siteIdsWith(role: Role): number[] | null {
    if (this.superuser) return null;
    return [...this.#roles].filter(([, granted]) => roleIncludes(granted, role)).map(([siteId]) => siteId).sort((a, b) => a - b);
  }

  /** @throws FootfallError ACCESS_DENIED unless the user has `role` on every site of `siteIds`. */
  ensure(role: Role, siteIds: readonly number[]): void {
    const missing = siteIds.filter((siteId) => !this.has(role, siteId));
    if (missing.length === 0) return;
    throw new FootfallError('ACCESS_DENIED', this.anonymous
      ? `You can't access this resource as it requires '${role}' access for the website id = ${missing.join(',')}. Send a valid token_auth.`
      : `You can't access this resource as it requires '${role}' access for the website id = ${missing.join(',')}.`);
  }

  /** @throws FootfallError ACCESS_DENIED unless the user can view at least one site. */
  ensureSomeViewAccess(): void {
    const siteIds = this.siteIdsWith('view');
    if (siteIds === null || siteIds.length > 0) return;
    throw new FootfallError('ACCESS_DENIED', this.anonymous
      ? "You can't access this resource as it requires 'view' access for at least one website. Send a valid token_auth."
      : "You can't access this resource as it requires 'view' access for at least one website.");
  }

  /** @throws FootfallError ACCESS_DENIED unless the user is a superuser. */
  ensureSuperuser(): void {
    if (this.superuser) return;
    throw new FootfallError('ACCESS_DENIED', "You can't access this resource as it requires superuser access.");
  }

  /** @throws FootfallError ACCESS_DENIED for the anonymous user. */
  ensureSignedIn(): void {
    if (!this.anonymous) return;
    throw new FootfallError('ACCESS_DENIED', "You can't access this resource as it requires a signed-in user. Send a valid token_auth.");
  }
}

/**
 * Returns the Access of a token on a tenant. No token (or `anonymous`) gives the anonymous
 * user with the roles granted to it.
 *
 * @throws FootfallError TOKEN_INVALID when a token is given but matches no user of this tenant.
 */
export async function authenticateToken(
  tenant: Tenant, token: string | undefined, options: { securelySent?: boolean; clock?: Clock } = {},
): Promise<Access> {
  const db = tenant.db();
  if (token === undefined || token === '' || token === ANONYMOUS_LOGIN) {
    return new Access(ANONYMOUS_LOGIN, false, await loadRoles(db, ANONYMOUS_LOGIN));
  }

  const owner = isTokenShaped(token) ? await findTokenOwner(db, tenant.salt, token, options.clock) : null;
  const user = owner ? await findUser(db, owner.login) : null;
  if (!owner || !user) throw new FootfallError('TOKEN_INVALID', `Invalid token_auth: no user of this host has it. Create one with user:token or UsersManager.createAppSpecificTokenAuth.`);

  const secureRequired = owner.secureOnly || tenant.settings.bool('General', 'only_allow_secure_auth_tokens');
  if (secureRequired && !options.securelySent) {
    throw new FootfallError('TOKEN_INVALID', 'This token_auth must be sent in the POST body, not in the URL.');
  }
  return new Access(user.login, user.superuser, await loadRoles(db, user.login));
}
