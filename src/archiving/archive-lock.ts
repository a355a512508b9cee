/** A named lock with an expiry in the tenant's `locks` table, so two archivers never archive the same site at once. */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Clock } from '../time.js';

/** A held lock; release it when the work is done. */
export interface HeldLock {
  key: string;
  value: string;
}

/**
 * Takes the lock `key` for `ttlSeconds` unless another holder has it and it has not expired.
 * Returns the held lock, or null when it is taken. An expired lock is taken over, so a
 * crashed archiver blocks a site for at most `ttlSeconds`.
 */
export async function acquireLock(db: Kysely<Database>, key: string, ttlSeconds: number, clock: Clock): Promise<HeldLock | null> {
  const nowSeconds = Math.floor(clock().getTime() / 1000);
  await db.deleteFrom('locks').where('key', '=', key).where('expiry_time', '<=', nowSeconds).execute();
  const value = randomBytes(12).toString('hex');
  try {
    await db.insertInto('locks').values({ key, value, expiry_time: nowSeconds + ttlSeconds }).execute();
    return { key, value };
  } catch (error) {
    // The primary key on `key` rejects the insert while another holder has the lock.
    const holder = await db.selectFrom('locks').select('value').where('key', '=', key).executeTakeFirst();
    if (holder) return null;
    throw error;
  }
}

/** Releases a lock if this holder still has it. */
export async function releaseLock(db: Kysely<Database>, lock: HeldLock): Promise<void> {
  await db.deleteFrom('locks').where('key', '=', lock.key).where('value', '=', lock.value).execute();
}
