/** Archiving of PagePerformance: sums of the page timings that trackers send with pageviews. */
import type { LogQuery } from '../../archiving/log-query.js';
import type { ReportArchiver } from '../../archiving/report-archiver.js';
import { countOptionalActions } from '../log-contents.js';

/**
 * The timing columns of `log_link_visit_action`, in milliseconds, with the tracking
 * parameter each comes from and the name of its average in `PagePerformance.get`.
 */
export const PAGE_TIMINGS = [
  { column: 'time_network', parameter: 'pf_net', average: 'avg_time_network' },
  { column: 'time_server', parameter: 'pf_srv', average: 'avg_time_server' },
  { column: 'time_transfer', parameter: 'pf_tfr', average: 'avg_time_transfer' },
  { column: 'time_dom_processing', parameter: 'pf_dm1', average: 'avg_time_dom_processing' },
  { column: 'time_dom_completion', parameter: 'pf_dm2', average: 'avg_time_dom_completion' },
  { column: 'time_on_load', parameter: 'pf_onl', average: 'avg_time_on_load' },
] as const;

/** Name of the numeric record of the summed milliseconds of a timing column, or of the whole page load (`page_load`). */
export function timingTotalRecord(column: string): string {
  return `PagePerformance_${column}_total`;
}

/** Name of the numeric record counting the actions that have a value in a timing column, or any timing (`page_load`). */
export function timingHitsRecord(column: string): string {
  return `PagePerformance_${column}_hits`;
}

/**
 * Computes, over the day's actions that have at least one timing, the sum of each timing
 * column and the number of actions with a value in it. The page load time of an action
 * is the sum of its timings with a missing one counted as 0, so `page_load` hits are the
 * actions with any timing. Days without timings store no records.
 */
export const pagePerformanceArchiver: ReportArchiver = {
  module: 'PagePerformance',

  async archiveDay(query: LogQuery) {
    // The shared scan of the optional action columns sums the timings too.
    const counts = await countOptionalActions(query);
    const numerics: Record<string, number> = {};
    if (counts.timings === 0) return { numerics, reports: {} };
    for (const column of [...PAGE_TIMINGS.map((timing) => timing.column), 'page_load']) {
      numerics[timingTotalRecord(column)] = counts.timingSums[column]!.total;
      numerics[timingHitsRecord(column)] = counts.timingSums[column]!.hits;
    }
    return { numerics, reports: {} };
  },
};
