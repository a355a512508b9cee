/** Signing a user in to the dashboard: brute-force check, password check, new session. */
import type { Logger } from 'pino';
import type { Tenant } from '../tenancy/tenant.js';
import { SYSTEM_CLOCK, type Clock } from '../time.js';
import {
  clearLoginFailures, countRecentFailures, deleteFailure, hashIpAddress, isBlocked, isOverLimit, recordFailure,
  type BruteForceConfig, type FailureCounts,
} from './brute-force-guard.js';
import { hashPassword, verifyPassword } from './password-hash.js';
import { createSession, type SessionRecord } from './session-store.js';
import { ANONYMOUS_LOGIN } from './user-store.js';

/** One sign-in attempt. `ip` is used only to count failures, never stored raw or logged. */
export interface SignInOptions {
  login: string;
  password: string;
  ip: string;
  logger: Logger;
  clock?: Clock;
}

/** The outcome of a sign-in: a session, a wrong login or password, or a block with the seconds until it lifts. */
export type SignInResult =
  | { kind: 'signed-in'; sessionId: string; session: SessionRecord }
  | { kind: 'failed' }
  | { kind: 'blocked'; retryAfterSeconds: number };

/** Hashes of a throwaway password by bcrypt cost, checked for unknown logins so they take as long as known ones. */
const decoyHashes = new Map<number, Promise<string>>();

function decoyHash(cost: number): Promise<string> {
  let hash = decoyHashes.get(cost);
  if (!hash) {
    hash = hashPassword('footfall-decoy-password', cost);
    decoyHashes.set(cost, hash);
  }
  return hash;
}

/** Reads the guard's limits from the tenant's settings. */
export function readBruteForceConfig(tenant: Tenant): BruteForceConfig {
  return {
    maxFailures: tenant.settings.int('General', 'login_max_failures'),
    windowSeconds: tenant.settings.int('General', 'login_failure_window_seconds'),
  };
}

/** One check of a password under the brute-force guard. `ip` is used only to count failures, never stored raw or logged. */
export interface PasswordCheckOptions {
  login: string;
  password: string;
  ip: string;
  logger: Logger;
  clock: Clock;
  /** Purpose of the check, named in the log lines: `sign-in`, `token creation` or `password confirmation`. */
  purpose: string;
}

/** Formats the wait until a block lifts as whole minutes, rounded up: `1 minute`, `15 minutes`. */
export function formatRetryDelay(retryAfterSeconds: number): string {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** The outcome of a guarded password check. */
export type PasswordCheckResult =
  | { kind: 'correct' }
  | { kind: 'failed' }
  | { kind: 'blocked'; retryAfterSeconds: number };

/**
 * Checks a login's password against the tenant's `user` table, counting failures per IP
 * address and per login. An attempt is rejected before the password is checked when its IP
 * address or its login has `login_max_failures` recent failures. The failure that reaches
 * the limit is logged with the login and the counts. A correct password clears the login's failures.
 */
export async function checkPasswordGuarded(tenant: Tenant, options: PasswordCheckOptions): Promise<PasswordCheckResult> {
  const db = tenant.db();
  const { clock, purpose } = options;
  const config = readBruteForceConfig(tenant);
  const login = options.login.slice(0, 100);
  const ipHash = hashIpAddress(options.ip, tenant.salt);

  const before = await countRecentFailures(db, ipHash, login, config, clock);
  if (isBlocked(before, config)) return rejectBlocked(tenant, options, login, before);

  // The attempt is recorded as a failure before its password is checked, then counted with
  // the others. Of attempts that run at the same time, only those within the limit get
  // their password checked, because each one that records later counts all recorded before it.
  const attempt = await recordFailure(db, ipHash, login, config, clock);
  const during = await countRecentFailures(db, ipHash, login, config, clock);
  if (isOverLimit(during, config)) {
    await deleteFailure(db, attempt);
    return rejectBlocked(tenant, options, login, await countRecentFailures(db, ipHash, login, config, clock));
  }

  if (!(await isPasswordCorrect(tenant, login, options.password))) {
    const fields = { tenant: tenant.key, login, loginFailures: during.loginFailures, ipFailures: during.ipFailures };
    if (isBlocked(during, config)) options.logger.warn(fields, `${purpose} blocked`);
    else options.logger.info(fields, `${purpose} failed`);
    return { kind: 'failed' };
  }

  await clearLoginFailures(db, login);
  return { kind: 'correct' };
}

function rejectBlocked(tenant: Tenant, options: PasswordCheckOptions, login: string, counts: FailureCounts): PasswordCheckResult {
  options.logger.debug({ tenant: tenant.key, login, loginFailures: counts.loginFailures, ipFailures: counts.ipFailures }, `${options.purpose} rejected while blocked`);
  return { kind: 'blocked', retryAfterSeconds: counts.retryAfterSeconds };
}

/**
 * Checks a login and password with `checkPasswordGuarded` and, when they are correct,
 * creates a session.
 */
export async function signIn(tenant: Tenant, options: SignInOptions): Promise<SignInResult> {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const login = options.login.slice(0, 100);
  const checked = await checkPasswordGuarded(tenant, { ...options, login, clock, purpose: 'sign-in' });
  if (checked.kind !== 'correct') return checked;

  const created = await createSession(tenant.db(), {
    tenantKey: tenant.key, salt: tenant.salt, login, clock,
    lifetimeSeconds: tenant.settings.int('General', 'login_session_lifetime_seconds'),
  });
  options.logger.info({ tenant: tenant.key, login }, 'signed in');
  return { kind: 'signed-in', ...created };
}

async function isPasswordCorrect(tenant: Tenant, login: string, password: string): Promise<boolean> {
  const row = login === ANONYMOUS_LOGIN
    ? undefined
    : await tenant.db().selectFrom('user').select('password').where('login', '=', login).executeTakeFirst();
  if (!row) {
    await verifyPassword(password, await decoyHash(tenant.settings.int('General', 'password_hash_cost')));
    return false;
  }
  return verifyPassword(password, row.password);
}
