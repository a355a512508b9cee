/** Setting a new password for a user, as a superuser does from the CLI. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { FootfallError, quote } from '../errors.js';
import { formatUtcDateTime, SYSTEM_CLOCK, type Clock } from '../time.js';
import { clearLoginFailures } from './brute-force-guard.js';
import { hashPassword } from './password-hash.js';
import { deleteUserSessions } from './session-store.js';
import { createSecret } from './token-hash.js';
import { ANONYMOUS_LOGIN } from './user-store.js';

/** Bounds of a password's length, the same as `createUser` enforces. */
const MIN_PASSWORD_LENGTH = 6;
const MAX_PASSWORD_LENGTH = 200;

/** @throws FootfallError PASSWORD_INVALID naming the allowed length. */
function ensurePasswordLength(password: string): void {
  if (password.length >= MIN_PASSWORD_LENGTH && password.length <= MAX_PASSWORD_LENGTH) return;
  throw new FootfallError('PASSWORD_INVALID', `Invalid password: it must have ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.`);
}

/** What `resetPassword` did; `password` is the new one, shown to the operator once. */
export interface ResetPasswordResult {
  login: string;
  password: string;
  generated: boolean;
  sessionsEnded: number;
}

/** What `resetPassword` needs; a password is generated when none is given. */
export interface ResetPasswordOptions {
  login: string;
  password?: string;
  passwordHashCost: number;
  clock?: Clock;
}

/**
 * Replaces a user's password, ends every session of the user and clears the failed
 * sign-ins of the login, so a blocked user can sign in at once.
 *
 * @throws FootfallError USER_NOT_FOUND for an unknown login, PASSWORD_INVALID for a password
 *   of the wrong length.
 */
export async function resetPassword(db: Kysely<Database>, options: ResetPasswordOptions): Promise<ResetPasswordResult> {
  const password = options.password ?? createSecret(9);
  ensurePasswordLength(password);
  const exists = options.login === ANONYMOUS_LOGIN
    ? undefined
    : await db.selectFrom('user').select('login').where('login', '=', options.login).executeTakeFirst();
  if (!exists) throw new FootfallError('USER_NOT_FOUND', `User ${quote(options.login)} not found. List the users of this tenant, or check the spelling of --login.`);

  const hash = await hashPassword(password, options.passwordHashCost);
  const now = formatUtcDateTime((options.clock ?? SYSTEM_CLOCK)());
  await db.updateTable('user').set({ password: hash, ts_password_modified: now }).where('login', '=', options.login).execute();
  const sessionsEnded = await deleteUserSessions(db, options.login);
  await clearLoginFailures(db, options.login);
  return { login: options.login, password, generated: options.password === undefined, sessionsEnded };
}
