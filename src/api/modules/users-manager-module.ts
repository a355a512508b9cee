/** Methods of Matomo's `UsersManager` module: users, their roles per site, superuser access and tokens. */
import type { Kysely } from 'kysely';
import type { Access } from '../../auth/access.js';
import { checkPasswordGuarded, formatRetryDelay } from '../../auth/sign-in.js';
import {
  countSuperusers, createUser, deleteUser, findUser, listUsers,
  loadLoginsWithRoleOn, loadRoles, setRole, setSuperuser, ANONYMOUS_LOGIN, type UserRecord,
  isRole, roleIncludes, type Role,
} from '../../auth/user-store.js';
import type { Database } from '../../db/schema.js';
import { FootfallError, quote } from '../../errors.js';
import { loadSite, loadSiteIds } from '../../sites/site-store.js';
import type { ApiCall, ApiMethodRegistry } from '../api-method-registry.js';
import type { ApiParams } from '../api-params.js';
import { API_SUCCESS, markArrayResult, type ApiObject } from '../api-value.js';
import { parseSiteIdParam } from './sites-manager-module.js';
import { registerTokenMethods } from './users-manager-tokens.js';

const USER_LOGIN_PARAMETER = { name: 'userLogin', description: 'Login of the user.', required: true };

/** Returns the error for an unknown login, worded as Matomo words it. */
export function userNotFound(login: string): FootfallError {
  return new FootfallError('USER_NOT_FOUND', `User ${quote(login)} doesn't exist.`);
}

/** Loads a user that must exist. @throws FootfallError USER_NOT_FOUND. */
export async function loadExistingUser(db: Kysely<Database>, login: string): Promise<UserRecord> {
  const user = await findUser(db, login);
  if (!user) throw userNotFound(login);
  return user;
}

/**
 * Checks the caller's own password, which Matomo requires before sensitive changes, under
 * the sign-in form's brute-force guard.
 *
 * @throws FootfallError PARAMETER_MISSING when it is not sent, PASSWORD_INCORRECT when it is
 *   wrong, LOGIN_BLOCKED after too many failures from the caller's address or for its login.
 */
export async function ensureCallerPassword(call: ApiCall): Promise<void> {
  const password = call.params.requiredString('passwordConfirmation');
  const checked = await checkPasswordGuarded(call.tenant, {
    login: call.access.login, password, ip: call.ip, logger: call.logger, clock: call.clock, purpose: 'password confirmation',
  });
  if (checked.kind === 'correct') return;
  if (checked.kind === 'blocked') {
    throw new FootfallError('LOGIN_BLOCKED', `Too many failed password checks from this address or for this user. Try again in ${formatRetryDelay(checked.retryAfterSeconds)}.`,
      { retryAfterSeconds: checked.retryAfterSeconds });
  }
  throw new FootfallError('PASSWORD_INCORRECT', 'The passwordConfirmation is not your current password. Send the password of the user of this token_auth.');
}

/**
 * Builds the API form of a user as Matomo 5 shapes it, never with the password hash. A
 * superuser caller gets every field; other callers get login, superuser_access and
 * invite_status, plus email only for themselves and for superusers.
 */
export function buildUserApiObject(user: UserRecord, access: Access): ApiObject {
  const superuserAccess = user.superuser ? '1' : '0';
  if (access.superuser) {
    return { login: user.login, email: user.email, superuser_access: superuserAccess, date_registered: user.dateRegistered, invite_status: 'active', uses_2fa: false };
  }
  const result: ApiObject = { login: user.login };
  if (access.login === user.login || user.superuser) result.email = user.email;
  result.superuser_access = superuserAccess;
  result.invite_status = 'active';
  return result;
}

/** Returns the role of each login on one site, read in one query; a login with several rows keeps its highest role. */
async function loadSiteRoles(db: Kysely<Database>, siteId: number): Promise<Map<string, Role>> {
  const rows = await db.selectFrom('access').select(['login', 'access']).where('idsite', '=', siteId).execute();
  const roles = new Map<string, Role>();
  for (const row of rows) {
    if (!isRole(row.access)) continue;
    const current = roles.get(row.login);
    if (!current || roleIncludes(row.access, current)) roles.set(row.login, row.access);
  }
  return roles;
}

async function listVisibleUsers(db: Kysely<Database>, access: Access): Promise<UserRecord[]> {
  const users = await listUsers(db);
  const adminSites = access.siteIdsWith('admin');
  if (adminSites === null) return users;
  const visible = await loadLoginsWithRoleOn(db, adminSites);
  return users.filter((user) => user.login === access.login || visible.has(user.login));
}

/** Registers the UsersManager methods. */
export function registerUsersManagerModule(registry: ApiMethodRegistry): void {
  registry.register({
    name: 'UsersManager.getUsers',
    description: 'Returns users sorted by login: all of them for a superuser; for a site admin, themselves and the users with a role on a site they administer.',
    parameters: [{ name: 'userLogins', description: 'Comma-separated logins to restrict the list to.' }],
    differences: 'uses_2fa is always false and invite_status always active, because Footfall has neither two-factor login nor invitations yet. last_seen, invited_by and the invite_* fields are not returned.',
    handler: async ({ tenant, access, params }) => {
      if (!access.superuser && (access.siteIdsWith('admin') ?? []).length === 0) {
        throw new FootfallError('ACCESS_DENIED', "You can't access this resource as it requires 'admin' access for at least one website.");
      }
      const logins = params.optionalList('userLogins')?.filter((login) => login !== '');
      const users = await listVisibleUsers(tenant.db(), access);
      const selected = logins && logins.length > 0 ? users.filter((user) => logins.includes(user.login)) : users;
      return selected.map((user) => buildUserApiObject(user, access));
    },
  });

  registry.register({
    name: 'UsersManager.getUser',
    description: 'Returns one user. Superusers may read any user, other users only themselves.',
    parameters: [USER_LOGIN_PARAMETER],
    differences: 'Same fields as getUsers.',
    handler: async ({ tenant, access, params }) => {
      const login = params.requiredString('userLogin');
      if (!access.superuser && access.login !== login) access.ensureSuperuser();
      return markArrayResult(buildUserApiObject(await loadExistingUser(tenant.db(), login), access));
    },
  });

  registry.register({
    name: 'UsersManager.addUser',
    description: 'Adds a user. Superusers may add anyone; a site admin must give initialIdSite of a site they administer.',
    parameters: [
      USER_LOGIN_PARAMETER,
      { name: 'password', description: 'Password of the new user, 6 to 200 characters.', required: true },
      { name: 'email', description: 'Email address of the new user; unique within the tenant.', required: true },
      { name: 'initialIdSite', description: 'Site on which the new user gets view access.' },
    ],
    handler: async ({ tenant, access, params, clock }) => {
      const db = tenant.db();
      const initialSiteId = params.has('initialIdSite') && params.string('initialIdSite') !== '' ? parseSiteIdParam(params, 'initialIdSite') : undefined;
      if (!access.superuser) {
        if (initialSiteId === undefined) access.ensureSuperuser();
        access.ensure('admin', [initialSiteId!]);
      }
      if (initialSiteId !== undefined) await loadSite(db, initialSiteId);

      const login = params.requiredString('userLogin');
      await createUser(db, {
        login, password: params.requiredString('password'), email: params.requiredString('email'),
        passwordHashCost: tenant.settings.int('General', 'password_hash_cost'), clock,
      });
      if (initialSiteId !== undefined) await setRole(db, login, 'view', [initialSiteId]);
      return API_SUCCESS;
    },
  });

  registry.register({
    name: 'UsersManager.getUsersPlusRole',
    description: 'Returns users sorted by login with their role on one site (noaccess, view, write, admin or superuser). Needs admin access on the site; a site admin sees the same users as with getUsers.',
    parameters: [
      { name: 'idSite', description: 'The site whose roles are returned.', required: true },
      { name: 'filter_search', description: 'Keep only users whose login or email contains this text, ignoring case.' },
      { name: 'filter_access', description: 'Keep only users with this role on the site.' },
    ],
    differences: 'The result is a plain list without the total count header, and capabilities are always empty. limit and offset are not supported.',
    handler: async ({ tenant, access, params }) => {
      const siteId = parseSiteIdParam(params);
      access.ensure('admin', [siteId]);
      const db = tenant.db();
      await loadSite(db, siteId);
      const search = params.string('filter_search').toLowerCase();
      const roleFilter = params.string('filter_access');
      const users = await listVisibleUsers(db, access);
      const siteRoles = await loadSiteRoles(db, siteId);
      const rows: ApiObject[] = [];
      for (const user of users) {
        const role = user.superuser ? 'superuser' : siteRoles.get(user.login) ?? 'noaccess';
        const row = buildUserApiObject(user, access);
        // The search reads only the fields returned, so it cannot reveal an email the caller may not see.
        const searchable = `${user.login} ${typeof row.email === 'string' ? row.email : ''}`.toLowerCase();
        if (search !== '' && !searchable.includes(search)) continue;
        if (roleFilter !== '' && role !== roleFilter) continue;
        rows.push({ ...row, role, capabilities: [] });
      }
      return rows;
    },
  });

  registerAccessMethods(registry);
  registerTokenMethods(registry);
}

async function resolveAccessSiteIds(db: Kysely<Database>, access: Access, params: ApiParams): Promise<number[]> {
  const raw = params.optionalList('idSites') ?? [];
  if (raw.length === 1 && raw[0] === 'all') {
    return access.siteIdsWith('admin') ?? loadSiteIds(db);
  }
  const siteIds = raw.filter((value) => value !== '').map((value) => {
    if (!/^[0-9]+$/.test(value) || Number(value) < 1) throw new FootfallError('PARAMETER_INVALID', `Invalid value ${quote(value)} for 'idSites'. Use site ids such as 1,2 or all.`);
    return Number(value);
  });
  if (siteIds.length === 0) throw new FootfallError('PARAMETER_MISSING', "Please specify a value for 'idSites'.");
  access.ensure('admin', siteIds);
  for (const siteId of siteIds) await loadSite(db, siteId);
  return [...new Set(siteIds)];
}

function registerAccessMethods(registry: ApiMethodRegistry): void {
  registry.register({
    name: 'UsersManager.setUserAccess',
    description: 'Sets the role of a user on sites, replacing the role it had there. Needs admin access on every site.',
    parameters: [
      USER_LOGIN_PARAMETER,
      { name: 'access', description: 'view, write, admin, or noaccess to remove the role.', required: true },
      { name: 'idSites', description: 'Site ids as a list (1,2 or idSites[]=1), or all for every site the caller administers.', required: true },
    ],
    differences: 'passwordConfirmation is not asked for. Capabilities are not supported.',
    handler: async ({ tenant, access, params }) => {
      const db = tenant.db();
      const login = params.requiredString('userLogin');
      const role = params.requiredString('access');
      const siteIds = await resolveAccessSiteIds(db, access, params);
      if (login !== ANONYMOUS_LOGIN) {
        const user = await loadExistingUser(db, login);
        if (user.superuser) throw new FootfallError('ACCESS_INVALID', `User ${quote(login)} is a superuser and has every role on every site already.`);
      } else if (role !== 'view' && role !== 'noaccess') {
        throw new FootfallError('ACCESS_INVALID', `Invalid access ${quote(role)} for the anonymous user. Use view or noaccess.`);
      }
      await setRole(db, login, role, siteIds);
      return API_SUCCESS;
    },
  });

  registry.register({
    name: 'UsersManager.getSitesAccessFromUser',
    description: 'Returns the role of a user on each site where it has one, sorted by site id. Superusers only.',
    parameters: [USER_LOGIN_PARAMETER],
    handler: async ({ tenant, access, params }) => {
      access.ensureSuperuser();
      const db = tenant.db();
      const login = params.requiredString('userLogin');
      if (login !== ANONYMOUS_LOGIN && (await loadExistingUser(db, login)).superuser) {
        // Matomo lists a superuser as admin of every site, although no role rows exist for it.
        return (await loadSiteIds(db)).map((siteId) => ({ site: String(siteId), access: 'admin' }));
      }
      const roles = await loadRoles(db, login);
      return [...roles].sort(([a], [b]) => a - b).map(([siteId, role]) => ({ site: String(siteId), access: role }));
    },
  });

  registry.register({
    name: 'UsersManager.setSuperUserAccess',
    description: 'Grants or removes superuser access. Superusers only; the last superuser keeps it.',
    parameters: [
      USER_LOGIN_PARAMETER,
      { name: 'hasSuperUserAccess', description: '1 to grant superuser access, 0 to remove it.', required: true },
      { name: 'passwordConfirmation', description: 'The current password of the caller.', required: true },
    ],
    handler: async (call) => {
      const { tenant, access, params, logger } = call;
      access.ensureSuperuser();
      const db = tenant.db();
      const login = params.requiredString('userLogin');
      const grant = params.bool('hasSuperUserAccess', false);
      await ensureCallerPassword(call);
      const user = await loadExistingUser(db, login);
      if (!grant && user.superuser && await countSuperusers(db) <= 1) {
        throw new FootfallError('SUPERUSER_LAST_REMAINING', `User ${quote(login)} is the only superuser of this host and keeps superuser access. Grant it to another user first.`);
      }
      await setSuperuser(db, login, grant);
      logger.info({ tenant: tenant.key, superuser: grant }, 'superuser access changed');
      return API_SUCCESS;
    },
  });

  registry.register({
    name: 'UsersManager.deleteUser',
    description: 'Deletes a user with its roles and tokens. Superusers only; the last superuser cannot be deleted.',
    parameters: [USER_LOGIN_PARAMETER],
    differences: 'passwordConfirmation is not asked for.',
    handler: async ({ tenant, access, params }) => {
      access.ensureSuperuser();
      const db = tenant.db();
      const login = params.requiredString('userLogin');
      const user = await loadExistingUser(db, login);
      if (user.superuser && await countSuperusers(db) <= 1) {
        throw new FootfallError('SUPERUSER_LAST_REMAINING', `User ${quote(login)} is the only superuser of this host and cannot be deleted. Grant superuser access to another user first.`);
      }
      await deleteUser(db, login);
      return API_SUCCESS;
    },
  });
}
