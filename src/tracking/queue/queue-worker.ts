/**
 * The worker that writes queued hits. It owns one stream at a time through a lock. It first
 * takes over the entries that a dead worker read but never acknowledged, then reads new ones.
 * It writes them through the tracking pipeline and acknowledges each once its write is committed.
 *
 * NOTE: delivery is at least once. A worker that dies after the database commit and before
 * XACK leaves its entries pending, and the next worker writes those hits a second time,
 * because the tracking writer's transaction cannot also record the entry id.
 */
import type { Logger } from 'pino';
import { isFootfallError } from '../../errors.js';
import { parseTenantHostName } from '../../tenancy/tenant-host.js';
import type { TenantRegistry } from '../../tenancy/tenant-registry.js';
import type { Tenant } from '../../tenancy/tenant.js';
import type { TrackingPipeline } from '../tracking-pipeline.js';
import { TrackingParams } from '../tracking-params.js';
import { newConsumerName, type HitQueue, type QueueEntry } from './hit-queue.js';

/** The dependencies of a worker: the queue, the pipeline that writes, and the tenants. */
export interface QueueWorkerOptions {
  queue: HitQueue;
  pipeline: TrackingPipeline;
  registry: TenantRegistry;
  logger: Logger;
  /** The consumer name in the group, or a new unique name when not given. */
  consumer?: string;
}

/** The outcome of processing entries: those acknowledged, and those left pending after an error. */
export interface ProcessCounts {
  acknowledged: number;
  failed: number;
}

function resolveTenant(registry: TenantRegistry, host: string): Tenant | null {
  if (host === '') return registry.getSingleTenant();
  try {
    return registry.get(parseTenantHostName(host));
  } catch {
    return null;
  }
}

/** Reads the queue's streams and writes their hits. */
export class QueueWorker {
  readonly consumer: string;
  readonly #options: QueueWorkerOptions;
  /** Occurrences of each repeated error message, so an outage logs 1, 2, 4, 8... times rather than once per pass. */
  readonly #errorCounts = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;

  constructor(options: QueueWorkerOptions) {
    this.#options = options;
    this.consumer = options.consumer ?? newConsumerName();
  }

  /**
   * Processes one batch of one stream when this worker gets its lock: pending entries of a
   * dead worker first, else new entries. Hits rejected with a 4xx error (a site deleted since)
   * are logged and acknowledged. Hits that failed with another error stay pending and are
   * taken over by the next pass.
   */
  async processStream(index: number): Promise<ProcessCounts> {
    const { queue, logger } = this.#options;
    if (!(await queue.lockStream(index, this.consumer))) return { acknowledged: 0, failed: 0 };
    // Renew the lock while a slow batch is written, so no other worker takes the stream over meanwhile.
    const renewal = setInterval(() => {
      queue.lockStream(index, this.consumer).catch((error: unknown) => logger.warn({ err: error, stream: index }, 'queue lock renewal failed'));
    }, Math.max(100, Math.floor(queue.settings.lockMs / 3)));
    try {
      await queue.ensureGroup(index);
      let entries = await queue.claimPending(index, this.consumer);
      if (entries.length > 0) logger.info({ stream: index, entries: entries.length, consumer: this.consumer }, 'queued hits taken over');
      else entries = await queue.readNew(index, this.consumer);
      if (entries.length === 0) return { acknowledged: 0, failed: 0 };
      return await this.#writeEntries(index, entries);
    } finally {
      clearInterval(renewal);
      await queue.unlockStream(index, this.consumer);
    }
  }

  async #writeEntries(index: number, entries: readonly QueueEntry[]): Promise<ProcessCounts> {
    const { queue, pipeline, registry, logger } = this.#options;
    const done: string[] = [];
    const writable: { entry: QueueEntry; tenant: Tenant }[] = [];
    for (const entry of entries) {
      const tenant = resolveTenant(registry, entry.hit.host);
      if (tenant === null) {
        logger.warn({ tenant: entry.hit.host, entryId: entry.id }, 'queued hit of an unknown tenant dropped');
        done.push(entry.id);
      } else {
        writable.push({ entry, tenant });
      }
    }

    const results = await pipeline.trackInOrder(writable.map(({ entry, tenant }) => ({
      tenant, params: new TrackingParams(new Map(Object.entries(entry.hit.params))), context: entry.hit.context,
    })));
    let failed = 0;
    results.forEach((result, position) => {
      const { entry, tenant } = writable[position]!;
      if (!(result instanceof Error)) {
        done.push(entry.id);
      } else if (isFootfallError(result) && result.statusCode < 500) {
        logger.info({ tenant: tenant.key, entryId: entry.id, code: result.code }, 'queued hit rejected');
        done.push(entry.id);
      } else {
        this.#logRepeatedError('queued hit failed, left pending', { tenant: tenant.key, entryId: entry.id, err: result });
        failed += 1;
      }
    });
    await queue.acknowledge(index, done);
    return { acknowledged: done.length, failed };
  }

  #logRepeatedError(message: string, fields: Record<string, unknown>): void {
    const occurrences = (this.#errorCounts.get(message) ?? 0) + 1;
    this.#errorCounts.set(message, occurrences);
    // Powers of two: the first occurrences are all logged, then fewer and fewer.
    if ((occurrences & (occurrences - 1)) === 0) this.#options.logger.error({ ...fields, occurrences }, message);
  }

  /** Processes one batch of every stream. */
  async processAll(): Promise<ProcessCounts> {
    const total: ProcessCounts = { acknowledged: 0, failed: 0 };
    for (let index = 0; index < this.#options.queue.settings.queues; index++) {
      const counts = await this.processStream(index);
      total.acknowledged += counts.acknowledged;
      total.failed += counts.failed;
    }
    return total;
  }

  /**
   * Processes batches until a pass acknowledges nothing or `deadline` (milliseconds since the
   * epoch) has passed. Returns the totals.
   */
  async drain(deadline: number): Promise<ProcessCounts> {
    const total: ProcessCounts = { acknowledged: 0, failed: 0 };
    while (Date.now() < deadline) {
      const counts = await this.processAll();
      total.acknowledged += counts.acknowledged;
      total.failed += counts.failed;
      if (counts.acknowledged === 0) break;
    }
    return total;
  }

  /** Starts processing in the background: a pass, then the next one `intervalMs` after it ends. */
  start(intervalMs: number): void {
    const { logger } = this.#options;
    logger.info({ consumer: this.consumer, queues: this.#options.queue.settings.queues }, 'queue worker started');
    const tick = (): void => {
      this.#running = this.drain(Date.now() + 10_000)
        .then(() => undefined)
        .catch((error: unknown) => this.#logRepeatedError('queue worker pass failed', { err: error, consumer: this.consumer }))
        .finally(() => {
          if (this.#timer !== null) this.#timer = setTimeout(tick, intervalMs);
        });
    };
    this.#timer = setTimeout(tick, 0);
  }

  /** Stops the background processing after the current pass. */
  async stop(): Promise<void> {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
    this.#options.logger.info({ consumer: this.consumer }, 'queue worker stopped');
  }
}
