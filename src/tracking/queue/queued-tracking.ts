/**
 * Queued tracking at the tracking endpoint: a valid hit goes to the Redis queue and is
 * acknowledged once Redis stored it, and an optional worker in the server writes the queue.
 */
import type { Logger } from 'pino';
import type { Settings } from '../../config/settings.js';
import { FootfallError } from '../../errors.js';
import type { TenantRegistry } from '../../tenancy/tenant-registry.js';
import type { Tenant } from '../../tenancy/tenant.js';
import type { TrackingPipeline, TrackOutcome, TrackRequestContext } from '../tracking-pipeline.js';
import type { TrackingParams } from '../tracking-params.js';
import { HitQueue, paramsRecord } from './hit-queue.js';
import { readQueueSettings } from './queue-settings.js';
import { QueueWorker } from './queue-worker.js';

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** The queue side of the tracking endpoint, one per server. */
export class QueuedTracking {
  readonly #defaults: Settings;
  readonly #pipeline: TrackingPipeline;
  readonly #logger: Logger;
  #queue: HitQueue | null = null;
  #worker: QueueWorker | null = null;

  constructor(defaults: Settings, pipeline: TrackingPipeline, logger: Logger) {
    this.#defaults = defaults;
    this.#pipeline = pipeline;
    this.#logger = logger;
  }

  /** Returns whether a hit of this tenant goes to the queue: the tenant enables it and the hit does not send `queuedtracking=0`. */
  isQueued(tenant: Tenant, params: TrackingParams): boolean {
    return tenant.settings.bool('QueuedTracking', 'enabled') && params.get('queuedtracking') !== '0';
  }

  #openQueue(): HitQueue {
    this.#queue ??= new HitQueue(readQueueSettings(this.#defaults));
    return this.#queue;
  }

  /**
   * Validates hits and appends the valid ones to the queue in order, resolving once Redis
   * stored them. Each result is a queued hit counted as recorded, or the error that made it invalid.
   *
   * @throws FootfallError TRACKING_QUEUE_UNAVAILABLE when Redis did not store the hits.
   */
  async enqueueAll(tenant: Tenant, paramsList: readonly (TrackingParams | Error)[], context: TrackRequestContext): Promise<(TrackOutcome | Error)[]> {
    const results: (TrackOutcome | Error)[] = [];
    const valid: TrackingParams[] = [];
    for (const params of paramsList) {
      if (params instanceof Error) {
        results.push(params);
        continue;
      }
      try {
        await this.#pipeline.validate(tenant, params, context);
        valid.push(params);
        results.push({ status: 'recorded' });
      } catch (error) {
        results.push(toError(error));
      }
    }
    if (valid.length === 0) return results;

    const { trustedOwner: _trustedOwner, ...queuedContext } = context;
    try {
      await this.#openQueue().enqueue(valid.map((params) => ({ host: tenant.host ?? '', params: paramsRecord(params), context: queuedContext })));
    } catch (error) {
      this.#logger.error({ tenant: tenant.key, hits: valid.length, err: error }, 'tracking queue write failed');
      throw new FootfallError('TRACKING_QUEUE_UNAVAILABLE', 'The tracking queue did not store the hit. The operator can find the details in the server log. Send the hit again later.', { cause: error });
    }
    return results;
  }

  /** Starts a worker in this process when `[QueuedTracking] in_server_worker = 1` in the shared config. */
  startWorker(registry: TenantRegistry): void {
    if (!this.#defaults.bool('QueuedTracking', 'in_server_worker')) return;
    this.#worker = new QueueWorker({ queue: this.#openQueue(), pipeline: this.#pipeline, registry, logger: this.#logger });
    this.#worker.start(this.#defaults.int('QueuedTracking', 'in_server_worker_interval_ms') || 1000);
  }

  /** Stops the worker after its current pass and closes the Redis connection. */
  async close(): Promise<void> {
    await this.#worker?.stop();
    await this.#queue?.close();
  }
}
