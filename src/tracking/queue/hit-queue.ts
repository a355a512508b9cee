/**
 * The queue of tracking hits in Redis streams: producers append with XADD, workers read with
 * a consumer group (XREADGROUP), acknowledge with XACK after the database commit, and take
 * over the pending entries of a dead worker with XAUTOCLAIM.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { TrackRequestContext } from '../tracking-pipeline.js';
import type { TrackingParams } from '../tracking-params.js';
import type { QueueSettings } from './queue-settings.js';

/** The consumer group every worker joins. */
const CONSUMER_GROUP = 'workers';

/** One hit as stored in a stream entry: the tenant, its parameters and the request facts. */
export interface QueuedHit {
  /** The tenant's host name, resolved again by the worker. */
  host: string;
  params: Record<string, string>;
  context: TrackRequestContext;
}

/** One entry read from a stream. */
export interface QueueEntry {
  id: string;
  hit: QueuedHit;
}

/** The JSON form of the request facts: the time as milliseconds since the epoch. */
type StoredContext = Omit<TrackRequestContext, 'now' | 'trustedOwner'> & { now: number };

function encodeHit(hit: QueuedHit): string {
  const { trustedOwner: _trustedOwner, ...context } = hit.context;
  const stored: StoredContext = { ...context, now: hit.context.now.getTime() };
  return JSON.stringify({ host: hit.host, params: hit.params, context: stored });
}

function decodeHit(text: string): QueuedHit {
  const parsed = JSON.parse(text) as { host: string; params: Record<string, string>; context: StoredContext };
  return { host: parsed.host, params: parsed.params, context: { ...parsed.context, now: new Date(parsed.context.now) } };
}

/** Returns the parameters of a hit as a plain record for the queue. */
export function paramsRecord(params: TrackingParams): Record<string, string> {
  return Object.fromEntries(params.names().map((name) => [name, params.raw(name) ?? '']));
}

/**
 * Returns the text that decides a hit's stream: the visitor id sent (`cid`, `_id` or `uid`),
 * else the IP address and user agent, so one visitor's hits go to one stream.
 */
function visitorKey(hit: QueuedHit): string {
  const visitor = hit.params.cid ?? hit.params._id ?? hit.params.uid;
  return `${hit.host}\n${hit.params.idsite ?? ''}\n${visitor ?? `${hit.context.ip}\n${hit.context.userAgent}`}`;
}

function toEntries(raw: unknown): QueueEntry[] {
  const entries: QueueEntry[] = [];
  for (const item of (raw ?? []) as [string, string[] | null][]) {
    const [id, fields] = item;
    // XAUTOCLAIM returns null fields for entries deleted since they were read.
    if (!fields) continue;
    const index = fields.indexOf('hit');
    if (index >= 0) entries.push({ id, hit: decodeHit(fields[index + 1]!) });
  }
  return entries;
}

function isBusyGroupError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('BUSYGROUP');
}

/** A connection to the hit queue of one Redis server. */
export class HitQueue {
  readonly settings: QueueSettings;
  readonly redis: Redis;
  readonly #groupsCreated = new Set<number>();

  constructor(settings: QueueSettings) {
    this.settings = settings;
    this.redis = new Redis({
      host: settings.host, port: settings.port, db: settings.database, password: settings.password || undefined,
      // A hit is acknowledged only after Redis stored it, so a Redis outage must fail fast rather than queue in memory.
      maxRetriesPerRequest: 1, connectTimeout: 3000, enableOfflineQueue: true, lazyConnect: true,
    });
    // ioredis emits connection errors as events; the failed commands reject and are reported by their callers.
    this.redis.on('error', () => undefined);
  }

  /** Returns the key of stream `index`. */
  streamKey(index: number): string {
    return `${this.settings.keyPrefix}footfall:hits:${index}`;
  }

  /** Returns the key of the lock that gives one worker stream `index`. */
  lockKey(index: number): string {
    return `${this.settings.keyPrefix}footfall:lock:${index}`;
  }

  /** Returns the stream of a hit: a hash of the visitor, so one visitor's hits stay in order. */
  streamOf(hit: QueuedHit): number {
    const digest = createHash('sha1').update(visitorKey(hit)).digest();
    return digest.readUInt32BE(0) % this.settings.queues;
  }

  /** Creates the consumer group of a stream (and the stream) once, reading from its first entry. */
  async ensureGroup(index: number): Promise<void> {
    if (this.#groupsCreated.has(index)) return;
    try {
      await this.redis.xgroup('CREATE', this.streamKey(index), CONSUMER_GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!isBusyGroupError(error)) throw error;
    }
    this.#groupsCreated.add(index);
  }

  /**
   * Appends hits to their streams in the order given, in one MULTI transaction so that either
   * every hit is stored or none is, and resolves once Redis replied. Returns the entry ids.
   */
  async enqueue(hits: readonly QueuedHit[]): Promise<string[]> {
    const streams = hits.map((hit) => this.streamOf(hit));
    for (const index of new Set(streams)) await this.ensureGroup(index);
    const transaction = this.redis.multi();
    hits.forEach((hit, position) => transaction.xadd(this.streamKey(streams[position]!), '*', 'hit', encodeHit(hit)));
    const results = await transaction.exec();
    if (results === null) throw new Error('Redis discarded the MULTI transaction of the tracking queue.');
    return results.map(([error, id]) => {
      if (error) throw error;
      return String(id);
    });
  }

  /**
   * Takes the lock of a stream for `consumer`, or renews it when `consumer` already has it.
   * Returns false when another worker has the lock.
   */
  async lockStream(index: number, consumer: string): Promise<boolean> {
    const key = this.lockKey(index);
    if (await this.redis.set(key, consumer, 'PX', this.settings.lockMs, 'NX') === 'OK') return true;
    // Renew only our own lock: compare and extend in one step.
    const renewed = await this.redis.eval(
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end",
      1, key, consumer, String(this.settings.lockMs),
    );
    return Number(renewed) === 1;
  }

  /** Releases the lock of a stream when `consumer` holds it. */
  async unlockStream(index: number, consumer: string): Promise<void> {
    await this.redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end", 1, this.lockKey(index), consumer);
  }

  /**
   * Takes over the entries of a stream that were read but never acknowledged, by a worker that
   * died or by this one before an error. The caller holds the stream's lock, so no live worker
   * is still processing them.
   */
  async claimPending(index: number, consumer: string): Promise<QueueEntry[]> {
    const reply = await this.redis.xautoclaim(this.streamKey(index), CONSUMER_GROUP, consumer, 0, '0-0', 'COUNT', this.settings.batchSize) as [string, unknown, string[]?];
    return toEntries(reply[1]);
  }

  /** Reads entries of a stream that no worker has read yet. */
  async readNew(index: number, consumer: string): Promise<QueueEntry[]> {
    const reply = await this.redis.xreadgroup('GROUP', CONSUMER_GROUP, consumer, 'COUNT', this.settings.batchSize, 'STREAMS', this.streamKey(index), '>') as [string, unknown][] | null;
    return reply ? toEntries(reply[0]![1]) : [];
  }

  /** Acknowledges entries and deletes them from their stream, so the stream does not grow without end. */
  async acknowledge(index: number, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.redis.multi().xack(this.streamKey(index), CONSUMER_GROUP, ...ids).xdel(this.streamKey(index), ...ids).exec();
  }

  /** Returns the number of entries in every stream, acknowledged ones excluded. */
  async countEntries(): Promise<number> {
    let total = 0;
    for (let index = 0; index < this.settings.queues; index++) total += await this.redis.xlen(this.streamKey(index));
    return total;
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** Returns a new consumer name, unique per worker, for XREADGROUP and the stream locks. */
export function newConsumerName(): string {
  return `worker-${process.pid}-${randomUUID().slice(0, 8)}`;
}
