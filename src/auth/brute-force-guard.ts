/** Counting failed sign-ins per IP address and per login, and blocking past a limit. */
import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import { insertReturningId } from '../db/insert-id.js';
import type { Database } from '../db/schema.js';
import { formatUtcDateTime, parseUtcDateTime, SYSTEM_CLOCK, type Clock } from '../time.js';

/** Limits of the guard, from `[General] login_max_failures` and `login_failure_window_seconds`. */
export interface BruteForceConfig {
  maxFailures: number;
  windowSeconds: number;
}

/** Recent failures of one sign-in attempt's IP address and login. */
export interface FailureCounts {
  ipFailures: number;
  loginFailures: number;
  /** Seconds until the oldest counted failure leaves the window, so the block lifts; 0 when not blocked. */
  retryAfterSeconds: number;
}

/** Hashes an IP address with the tenant's salt, so the table never contains a raw address. */
export function hashIpAddress(ip: string, salt: string): string {
  return createHmac('sha256', salt).update(`footfall-sign-in-ip:${ip}`).digest('hex');
}

/**
 * Returns whether either count has reached the limit.
 *
 * NOTE: the per-login count lets anyone with a user's login name keep it blocked by
 * failing on purpose. `user:reset-password` clears the login's failures, but new ones block it again.
 */
export function isBlocked(counts: FailureCounts, config: BruteForceConfig): boolean {
  return counts.ipFailures >= config.maxFailures || counts.loginFailures >= config.maxFailures;
}

/**
 * Counts the failures inside the window for an IP hash and for a login, and how long
 * until a block on either would lift.
 */
export async function countRecentFailures(
  db: Kysely<Database>, ipHash: string, login: string, config: BruteForceConfig, clock: Clock = SYSTEM_CLOCK,
): Promise<FailureCounts> {
  const now = clock();
  const since = formatUtcDateTime(new Date(now.getTime() - config.windowSeconds * 1000));
  const ipTimes = await loadFailureTimes(db, 'ip_hash', ipHash, since);
  const loginTimes = await loadFailureTimes(db, 'login', login, since);

  const retryAfterSeconds = Math.max(
    secondsUntilUnblocked(ipTimes, config, now),
    secondsUntilUnblocked(loginTimes, config, now),
  );
  return { ipFailures: ipTimes.length, loginFailures: loginTimes.length, retryAfterSeconds };
}

async function loadFailureTimes(db: Kysely<Database>, column: 'ip_hash' | 'login', value: string, since: string): Promise<string[]> {
  const rows = await db.selectFrom('brute_force_log').select('attempted_at')
    .where(column, '=', value).where('attempted_at', '>', since).orderBy('attempted_at', 'desc').execute();
  return rows.map((row) => row.attempted_at);
}

/**
 * With failure times newest first, the block lifts when the failure at position
 * `maxFailures - 1` leaves the window, because fewer than `maxFailures` then remain.
 */
function secondsUntilUnblocked(timesNewestFirst: readonly string[], config: BruteForceConfig, now: Date): number {
  const limiting = timesNewestFirst[config.maxFailures - 1];
  if (limiting === undefined) return 0;
  const leavesWindowAt = parseUtcDateTime(limiting) + config.windowSeconds * 1000;
  return Math.max(1, Math.ceil((leavesWindowAt - now.getTime()) / 1000));
}

/**
 * Records one failed sign-in and deletes failures older than the window. Returns the id of
 * the new row, so that an attempt recorded before its password is checked can be taken back.
 */
export async function recordFailure(
  db: Kysely<Database>, ipHash: string, login: string, config: BruteForceConfig, clock: Clock = SYSTEM_CLOCK,
): Promise<number> {
  const now = clock();
  const expired = formatUtcDateTime(new Date(now.getTime() - config.windowSeconds * 1000));
  await db.deleteFrom('brute_force_log').where('attempted_at', '<=', expired).execute();
  const insert = db.insertInto('brute_force_log').values({ ip_hash: ipHash, login: login.slice(0, 100), attempted_at: formatUtcDateTime(now) });
  return insertReturningId(db, insert, 'id_brute_force_log');
}

/** Deletes one recorded failure by its id. */
export async function deleteFailure(db: Kysely<Database>, id: number): Promise<void> {
  await db.deleteFrom('brute_force_log').where('id_brute_force_log', '=', id).execute();
}

/** Returns whether either count is over the limit, which an attempt that counted itself must not be. */
export function isOverLimit(counts: FailureCounts, config: BruteForceConfig): boolean {
  return counts.ipFailures > config.maxFailures || counts.loginFailures > config.maxFailures;
}

/** Deletes the recorded failures of a login, after a successful sign-in or a password reset. */
export async function clearLoginFailures(db: Kysely<Database>, login: string): Promise<void> {
  await db.deleteFrom('brute_force_log').where('login', '=', login).execute();
}
