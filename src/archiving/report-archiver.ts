/** What a report module gives the archiver: how to compute its day records from the logs. */
import type { LogQuery } from './log-query.js';
import type { ArchiveRecords } from './report-table.js';

/**
 * The archiving part of one report module. Week, month, year and range archives are sums
 * of day archives, so a module only computes days, plus any metric that does not add up.
 */
export interface ReportArchiver {
  /** Module name as Matomo spells it, such as `VisitsSummary`. */
  module: string;
  /** Computes the module's metrics and report tables of one day from the log tables. */
  archiveDay(query: LogQuery): Promise<ArchiveRecords>;
  /**
   * Computes the metrics that cannot be summed from days (unique visitors), for a week or
   * a month; year and range archives leave them out, as Matomo does by default.
   */
  archiveNonAdditive?(query: LogQuery): Promise<Record<string, number>>;
  /** Names of the metrics `archiveNonAdditive` computes, removed from sums of days. */
  nonAdditiveMetrics?: readonly string[];
}
