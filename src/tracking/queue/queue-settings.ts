/** The `[QueuedTracking]` settings: the Redis server, key prefix and number of streams of the hit queue. */
import type { Settings } from '../../config/settings.js';

/** The location of the hit queue and the limits workers read it with. */
export interface QueueSettings {
  host: string;
  port: number;
  /** Redis database number (`SELECT`). */
  database: number;
  /** Redis password, or '' for none. Never logged. */
  password: string;
  /** Prefix of every key, so several installs or tests can share one Redis server. */
  keyPrefix: string;
  /** Number of streams. A visitor's hits always go to the same stream, so they stay in order. */
  queues: number;
  /** Entries a worker reads from one stream at a time. */
  batchSize: number;
  /** Milliseconds a worker owns a stream without renewing its lock. After that, another worker takes the stream over. */
  lockMs: number;
}

/** Reads the queue settings of the shared config (global.ini.php and common.config.ini.php). */
export function readQueueSettings(settings: Settings): QueueSettings {
  return {
    host: settings.string('QueuedTracking', 'host') || '127.0.0.1',
    port: settings.int('QueuedTracking', 'port') || 6379,
    database: settings.int('QueuedTracking', 'database'),
    password: settings.string('QueuedTracking', 'password'),
    keyPrefix: settings.string('QueuedTracking', 'key_prefix'),
    queues: settings.int('QueuedTracking', 'queues') || 1,
    batchSize: settings.int('QueuedTracking', 'batch_size') || 100,
    lockMs: settings.int('QueuedTracking', 'lock_ms') || 30_000,
  };
}
