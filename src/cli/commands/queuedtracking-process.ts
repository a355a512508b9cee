/** `queuedtracking:process`: write the hits of the Redis tracking queue to the tenant databases. */
import { FootfallError, quote } from '../../errors.js';
import { Settings } from '../../config/settings.js';
import { HitQueue } from '../../tracking/queue/hit-queue.js';
import { readQueueSettings } from '../../tracking/queue/queue-settings.js';
import { QueueWorker } from '../../tracking/queue/queue-worker.js';
import { TrackingPipeline } from '../../tracking/tracking-pipeline.js';
import type { GlobalCommand } from '../command-definition.js';

/** Seconds the command runs at most by default, so a cron line never piles up runs. */
const DEFAULT_MAX_SECONDS = 3600;

function parseMaxSeconds(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_MAX_SECONDS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new FootfallError('PARAMETER_INVALID', `Invalid --max-seconds ${quote(raw)}. Expected a whole number of seconds of at least 1.`);
  }
  return value;
}

export const queuedTrackingProcessCommand: GlobalCommand = {
  kind: 'global',
  name: 'queuedtracking:process',
  description: 'Write the queued tracking hits of the [QueuedTracking] Redis queue to the tenant databases, until the queue is empty.',
  options: [
    { flags: '--max-seconds <seconds>', description: `Stop after this many seconds even if hits remain (default ${DEFAULT_MAX_SECONDS}).` },
  ],
  async run(context, _args, options) {
    const maxSeconds = parseMaxSeconds(options.maxSeconds as string | undefined);
    const defaults = Settings.load({ global: context.rootPaths.globalConfig, common: context.rootPaths.commonConfig, local: null });
    const queue = new HitQueue(readQueueSettings(defaults));
    const pipeline = new TrackingPipeline(context.logger);
    const worker = new QueueWorker({ queue, pipeline, registry: context.registry, logger: context.logger });
    try {
      context.logger.info({ job: 'queuedtracking:process', consumer: worker.consumer }, 'queue processing started');
      const counts = await worker.drain(Date.now() + maxSeconds * 1000);
      await pipeline.close();
      const remaining = await queue.countEntries();
      context.logger.info({ job: 'queuedtracking:process', ...counts, remaining }, 'queue processing completed');
      return {
        data: { ...counts, remaining },
        text: `Wrote ${counts.acknowledged} queued hits; ${counts.failed} failed and stay queued; ${remaining} entries remain.`,
      };
    } finally {
      await queue.close();
    }
  },
};
