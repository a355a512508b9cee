/** Dashboard sessions in the tenant's `session` table, stored by the hash of their id. */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { SYSTEM_CLOCK, type Clock } from '../time.js';

/** A session found by its id; `token` is the per-session token for CSRF checks and `force_api_session`. */
export interface SessionRecord {
  login: string;
  token: string;
  /** Expiry as Unix seconds. */
  expiresAt: number;
  /** Lifetime in seconds, as stored when the session was created. */
  lifetimeSeconds: number;
}

/** What the `data` column holds, as JSON. */
interface SessionData {
  /** The tenant key the session was made on, checked again on every lookup. */
  tenant: string;
}

const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Returns a new random session id: 32 bytes, base64url (43 characters). */
export function createSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/** Hashes a session id for storage, so a copy of the table cannot be replayed as cookies. */
export function hashSessionId(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex');
}

/**
 * Derives the session's token from its id and the tenant's salt: 32 hex characters. Nothing
 * is stored, and the token cannot be computed without both the cookie and the salt.
 */
export function computeSessionToken(sessionId: string, salt: string): string {
  return createHmac('sha256', salt).update(`footfall-session-token:${sessionId}`).digest('hex').slice(0, 32);
}

/** Compares a token sent by a client with the expected one in constant time. */
export function isSameToken(sent: string | undefined, expected: string): boolean {
  if (sent === undefined) return false;
  const sentBytes = Buffer.from(sent);
  const expectedBytes = Buffer.from(expected);
  return sentBytes.length === expectedBytes.length && timingSafeEqual(sentBytes, expectedBytes);
}

function nowSeconds(clock: Clock): number {
  return Math.floor(clock().getTime() / 1000);
}

/** What `createSession` needs. */
export interface CreateSessionOptions {
  tenantKey: string;
  salt: string;
  login: string;
  lifetimeSeconds: number;
  clock?: Clock;
}

/**
 * Stores a new session for a user and removes the tenant's expired ones. Returns the raw id,
 * which only the cookie carries, and the session's token.
 */
export async function createSession(db: Kysely<Database>, options: CreateSessionOptions): Promise<{ sessionId: string; session: SessionRecord }> {
  const now = nowSeconds(options.clock ?? SYSTEM_CLOCK);
  await db.deleteFrom('session').where((eb) => eb(eb('modified', '+', eb.ref('lifetime')), '<=', now)).execute();

  const sessionId = createSessionId();
  const data: SessionData = { tenant: options.tenantKey };
  await db.insertInto('session').values({
    id: hashSessionId(sessionId), login: options.login, data: JSON.stringify(data), modified: now, lifetime: options.lifetimeSeconds,
  }).execute();
  const session: SessionRecord = {
    login: options.login, token: computeSessionToken(sessionId, options.salt),
    expiresAt: now + options.lifetimeSeconds, lifetimeSeconds: options.lifetimeSeconds,
  };
  return { sessionId, session };
}

/**
 * Finds a live session by the raw id from a cookie. Returns null for a malformed id, an
 * unknown or expired session, or one made on another tenant that shares this database.
 */
export async function loadSession(
  db: Kysely<Database>, sessionId: string | undefined, options: { tenantKey: string; salt: string; clock?: Clock },
): Promise<SessionRecord | null> {
  if (sessionId === undefined || !SESSION_ID_PATTERN.test(sessionId)) return null;
  const row = await db.selectFrom('session').select(['login', 'data', 'modified', 'lifetime'])
    .where('id', '=', hashSessionId(sessionId)).executeTakeFirst();
  if (!row) return null;

  const lifetimeSeconds = Number(row.lifetime);
  const expiresAt = Number(row.modified) + lifetimeSeconds;
  if (expiresAt <= nowSeconds(options.clock ?? SYSTEM_CLOCK)) return null;
  if (readSessionTenant(row.data) !== options.tenantKey) return null;
  return { login: row.login, token: computeSessionToken(sessionId, options.salt), expiresAt, lifetimeSeconds };
}

function readSessionTenant(data: string): string | null {
  try {
    const parsed = JSON.parse(data) as Partial<SessionData>;
    return typeof parsed.tenant === 'string' ? parsed.tenant : null;
  } catch {
    return null;
  }
}

/** Deletes one session by its raw id; nothing happens when it does not exist. */
export async function deleteSession(db: Kysely<Database>, sessionId: string): Promise<void> {
  await db.deleteFrom('session').where('id', '=', hashSessionId(sessionId)).execute();
}

/** Deletes every session of a user, after a password reset. Returns how many were deleted. */
export async function deleteUserSessions(db: Kysely<Database>, login: string): Promise<number> {
  const result = await db.deleteFrom('session').where('login', '=', login).executeTakeFirst();
  return Number(result.numDeletedRows);
}
