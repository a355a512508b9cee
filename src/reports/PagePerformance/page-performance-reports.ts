/** PagePerformance.get: average page timings of a period, in seconds. */
import type { ApiObject } from '../../api/api-value.js';
import type { ReportDefinition } from '../report-definition.js';
import { describeReport } from '../report-metadata.js';
import { roundTo } from '../visit-metrics.js';
import { PAGE_TIMINGS, timingHitsRecord, timingTotalRecord } from './page-performance-archiver.js';

/** Returns the average of a column's stored milliseconds in seconds, rounded to 2 decimals as Matomo's PagePerformance API rounds it, or 0 without hits. */
function averageSeconds(numerics: Readonly<Record<string, number>>, column: string): number {
  const hits = numerics[timingHitsRecord(column)] ?? 0;
  if (hits === 0) return 0;
  return roundTo((numerics[timingTotalRecord(column)] ?? 0) / 1000 / hits, 2);
}

/** The PagePerformance reports. */
export const PAGE_PERFORMANCE_REPORTS: readonly ReportDefinition[] = [
  {
    kind: 'metrics',
    name: 'PagePerformance.get',
    description: 'Returns the average network, server, transfer, DOM processing, DOM completion, on-load and total page load times of pageviews, in seconds.',
    metadata: describeReport({
      category: 'Actions', subcategory: 'Performance', name: 'Performance overview',
      metrics: [...PAGE_TIMINGS.map((timing) => timing.average), 'avg_page_load_time'],
    }),
    build(numerics) {
      // A period with visits but no timings returns zeros, and a period without visits returns [].
      if ((numerics.nb_visits ?? 0) === 0 && (numerics[timingHitsRecord('page_load')] ?? 0) === 0) return null;
      const output: ApiObject = {};
      for (const timing of PAGE_TIMINGS) output[timing.average] = averageSeconds(numerics, timing.column);
      // The page load average divides the summed timings by the actions with any timing, so it can differ from the sum of the averages.
      output.avg_page_load_time = averageSeconds(numerics, 'page_load');
      return output;
    },
  },
];
