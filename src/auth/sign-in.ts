/** Signing a user in to the dashboard: brute-force check, password check, new session. */
import type { Logger } from 'pino';
import type { Tenant } from '../tenancy/tenant.js';
import { SYSTEM_CLOCK, type Clock } from '../time.js';
import {
  clearLoginFailures, countRecentFailures, hashIpAddress, isBlocked, recordFailure, type BruteForceConfig,
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

/**
 * Checks a login and password against the tenant's `user` table and creates a session.
 * Attempts from an IP address or for a login with `login_max_failures` recent failures are
 * rejected before the password is checked; the failure that reaches the limit is logged
 * with the login and the counts.
 */
export async function signIn(tenant: Tenant, options: SignInOptions): Promise<SignInResult> {
  const db = tenant.db();
  const clock = options.clock ?? SYSTEM_CLOCK;
  const config = readBruteForceConfig(tenant);
  const login = options.login.slice(0, 100);
  const ipHash = hashIpAddress(options.ip, tenant.salt);

  const before = await countRecentFailures(db, ipHash, login, config, clock);
  if (isBlocked(before, config)) {
    options.logger.debug({ tenant: tenant.key, login, loginFailures: before.loginFailures, ipFailures: before.ipFailures }, 'sign-in rejected while blocked');
    return { kind: 'blocked', retryAfterSeconds: before.retryAfterSeconds };
  }

  if (!(await isPasswordCorrect(tenant, login, options.password))) {
    await recordFailure(db, ipHash, login, config, clock);
    const after = await countRecentFailures(db, ipHash, login, config, clock);
    const fields = { tenant: tenant.key, login, loginFailures: after.loginFailures, ipFailures: after.ipFailures };
    if (isBlocked(after, config)) options.logger.warn(fields, 'sign-in blocked');
    else options.logger.info(fields, 'sign-in failed');
    return { kind: 'failed' };
  }

  await clearLoginFailures(db, login);
  const created = await createSession(db, {
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
