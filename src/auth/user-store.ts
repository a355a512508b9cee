/** Users, their roles per site and their tokens, in a tenant database. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { FootfallError, quote } from '../errors.js';
import { formatUtcDateTime, type Clock, SYSTEM_CLOCK } from '../time.js';
import { hashPassword } from './password-hash.js';
import { createTokenValue, hashToken, TOKEN_HASH_ALGO } from './token-hash.js';

/** Roles on a site, from least to most; each includes the ones before it. */
export const ROLES = ['view', 'write', 'admin'] as const;

/** A role of a user on one site. */
export type Role = (typeof ROLES)[number];

/** The login Matomo uses for requests without a token; a `view` row for it makes a site's stats public. */
export const ANONYMOUS_LOGIN = 'anonymous';

/** A user without its password hash. */
export interface UserRecord {
  login: string;
  email: string;
  superuser: boolean;
  dateRegistered: string;
}

/** The fields of a new user. */
export interface CreateUserOptions {
  login: string;
  password: string;
  email: string;
  superuser?: boolean;
  passwordHashCost: number;
  clock?: Clock;
}

const LOGIN_PATTERN = /^[A-Za-z0-9_.@\-]{2,100}$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+$/;
const MIN_PASSWORD_LENGTH = 6;
const MAX_PASSWORD_LENGTH = 200;

/** Returns whether `value` is one of the roles. */
export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Returns whether `role` grants at least `required`. */
export function roleIncludes(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

/** @throws FootfallError LOGIN_INVALID, EMAIL_INVALID or PASSWORD_INVALID naming the rule. */
export function validateNewUser(login: string, email: string, password: string): void {
  if (!LOGIN_PATTERN.test(login) || login === ANONYMOUS_LOGIN) {
    throw new FootfallError('LOGIN_INVALID', `Invalid login ${quote(login)}. Use 2 to 100 letters, digits, or the characters _ . @ -; 'anonymous' is reserved.`);
  }
  if (!EMAIL_PATTERN.test(email) || email.length > 100) {
    throw new FootfallError('EMAIL_INVALID', `Invalid email ${quote(email)}. Expected an address such as name@example.com.`);
  }
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new FootfallError('PASSWORD_INVALID', `Invalid password: it must have ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.`);
  }
}

/**
 * Creates a user with a bcrypt-hashed password.
 *
 * @throws FootfallError LOGIN_INVALID, EMAIL_INVALID, PASSWORD_INVALID, or USER_EXISTS when the login or email is taken.
 */
export async function createUser(db: Kysely<Database>, options: CreateUserOptions): Promise<UserRecord> {
  validateNewUser(options.login, options.email, options.password);
  const taken = await db.selectFrom('user').select('login')
    .where((eb) => eb.or([eb('login', '=', options.login), eb('email', '=', options.email)]))
    .executeTakeFirst();
  if (taken) throw new FootfallError('USER_EXISTS', `A user with login ${quote(options.login)} or email ${quote(options.email)} already exists.`);

  const now = formatUtcDateTime((options.clock ?? SYSTEM_CLOCK)());
  const password = await hashPassword(options.password, options.passwordHashCost);
  await db.insertInto('user').values({
    login: options.login, password, email: options.email, superuser_access: options.superuser ? 1 : 0,
    date_registered: now, ts_password_modified: now,
  }).execute();
  return { login: options.login, email: options.email, superuser: options.superuser ?? false, dateRegistered: now };
}

/** Returns a user without its password hash, or null. */
export async function findUser(db: Kysely<Database>, login: string): Promise<UserRecord | null> {
  const row = await db.selectFrom('user').select(['login', 'email', 'superuser_access', 'date_registered'])
    .where('login', '=', login).executeTakeFirst();
  if (!row) return null;
  return { login: row.login, email: row.email, superuser: Number(row.superuser_access) === 1, dateRegistered: row.date_registered };
}

/** Returns every user, sorted by login. */
export async function listUsers(db: Kysely<Database>): Promise<UserRecord[]> {
  const rows = await db.selectFrom('user').select(['login', 'email', 'superuser_access', 'date_registered']).orderBy('login').execute();
  return rows.map((row) => ({ login: row.login, email: row.email, superuser: Number(row.superuser_access) === 1, dateRegistered: row.date_registered }));
}

/**
 * Creates a token for a user and returns its value; only its salted hash is stored, so the
 * value can never be shown again.
 */
export async function createToken(
  db: Kysely<Database>, salt: string, login: string, description: string, options: { clock?: Clock; expireDate?: string | null; secureOnly?: boolean } = {},
): Promise<string> {
  const token = createTokenValue();
  await db.insertInto('user_token_auth').values({
    login, description: description.slice(0, 100), password: hashToken(token, salt), hash_algo: TOKEN_HASH_ALGO,
    system_token: 0, last_used: null, date_created: formatUtcDateTime((options.clock ?? SYSTEM_CLOCK)()),
    date_expired: options.expireDate ?? null, secure_only: options.secureOnly ? 1 : 0,
  }).execute();
  return token;
}

/** A token found by its hash. */
export interface TokenMatch {
  login: string;
  secureOnly: boolean;
}

/** Finds the user of a token that has not expired; null when no such token exists. */
export async function findTokenOwner(db: Kysely<Database>, salt: string, token: string, clock: Clock = SYSTEM_CLOCK): Promise<TokenMatch | null> {
  const now = formatUtcDateTime(clock());
  const row = await db.selectFrom('user_token_auth').select(['login', 'secure_only', 'date_expired'])
    .where('password', '=', hashToken(token, salt)).executeTakeFirst();
  if (!row) return null;
  if (row.date_expired !== null && row.date_expired <= now) return null;
  return { login: row.login, secureOnly: Number(row.secure_only) === 1 };
}

/** Returns the roles of a user by site id. */
export async function loadRoles(db: Kysely<Database>, login: string): Promise<Map<number, Role>> {
  const rows = await db.selectFrom('access').select(['idsite', 'access']).where('login', '=', login).execute();
  const roles = new Map<number, Role>();
  for (const row of rows) {
    if (!isRole(row.access)) continue;
    const current = roles.get(Number(row.idsite));
    if (!current || roleIncludes(row.access, current)) roles.set(Number(row.idsite), row.access);
  }
  return roles;
}

/**
 * Sets the role of a user on sites, replacing any role it had there; `noaccess` removes it.
 *
 * @throws FootfallError ACCESS_INVALID for a value that is neither a role nor `noaccess`.
 */
export async function setRole(db: Kysely<Database>, login: string, access: string, siteIds: readonly number[]): Promise<void> {
  if (access !== 'noaccess' && !isRole(access)) {
    throw new FootfallError('ACCESS_INVALID', `Invalid access ${quote(access)}. Use view, write, admin or noaccess.`);
  }
  if (siteIds.length === 0) return;
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('access').where('login', '=', login).where('idsite', 'in', [...siteIds])
      .where('access', 'in', [...ROLES]).execute();
    if (access === 'noaccess') return;
    await trx.insertInto('access').values(siteIds.map((idsite) => ({ login, idsite, access }))).execute();
  });
}

/** Returns a user found by login or, failing that, by email; null when neither matches. */
export async function findUserByLoginOrEmail(db: Kysely<Database>, loginOrEmail: string): Promise<UserRecord | null> {
  const byLogin = await findUser(db, loginOrEmail);
  if (byLogin) return byLogin;
  const row = await db.selectFrom('user').select('login').where('email', '=', loginOrEmail).executeTakeFirst();
  return row ? findUser(db, row.login) : null;
}

/** Returns the stored bcrypt hash of a user's password, or null for an unknown login. */
export async function loadPasswordHash(db: Kysely<Database>, login: string): Promise<string | null> {
  const row = await db.selectFrom('user').select('password').where('login', '=', login).executeTakeFirst();
  return row?.password ?? null;
}

/** Returns how many users have superuser access. */
export async function countSuperusers(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('user').select((eb) => eb.fn.countAll().as('count')).where('superuser_access', '=', 1).executeTakeFirst();
  return Number(row?.count ?? 0);
}

/**
 * Grants or removes superuser access and deletes the user's per-site roles either way, as
 * Matomo 5 does: a new superuser has every role anyway, and a former one starts with none.
 */
export async function setSuperuser(db: Kysely<Database>, login: string, superuser: boolean): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('user').set({ superuser_access: superuser ? 1 : 0 }).where('login', '=', login).execute();
    await trx.deleteFrom('access').where('login', '=', login).execute();
  });
}

/** Deletes a user with its roles and tokens; false when no such user existed. */
export async function deleteUser(db: Kysely<Database>, login: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const result = await trx.deleteFrom('user').where('login', '=', login).executeTakeFirst();
    await trx.deleteFrom('access').where('login', '=', login).execute();
    await trx.deleteFrom('user_token_auth').where('login', '=', login).execute();
    return Number(result.numDeletedRows) > 0;
  });
}

/** Returns the logins with any role on one of `siteIds`, for listing the users a site admin may see. */
export async function loadLoginsWithRoleOn(db: Kysely<Database>, siteIds: readonly number[]): Promise<Set<string>> {
  if (siteIds.length === 0) return new Set();
  const rows = await db.selectFrom('access').select('login').where('idsite', 'in', [...siteIds]).execute();
  return new Set(rows.map((row) => row.login));
}
