/** The Redis test server: whether it is reachable, and a unique key prefix per test. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/** The Redis server the queue tests use. */
export const TEST_REDIS = { host: '127.0.0.1', port: 6379 } as const;

let reachable: Promise<boolean> | null = null;

async function probe(): Promise<boolean> {
  const redis = new Redis({ ...TEST_REDIS, lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/**
 * Returns the `skip` option for tests that need Redis: false when it replies to PING, a reason
 * when it does not. Under CI=true an unreachable server throws, so CI never skips.
 */
export async function redisSkip(): Promise<false | string> {
  reachable ??= probe();
  if (await reachable) return false;
  const reason = `Redis not reachable at ${TEST_REDIS.host}:${TEST_REDIS.port}`;
  if (process.env.CI === 'true') throw new Error(`${reason}; CI requires it. Start redis-server.`);
  return reason;
}

/** Returns a key prefix no other test run uses, such as `test:1a2b3c4d:`. */
export function uniqueKeyPrefix(): string {
  return `test:${randomUUID().slice(0, 8)}:`;
}

/** Deletes every key that starts with a prefix, scanning in batches. */
export async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis({ ...TEST_REDIS, maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
