/** The archiving part of a report module: how it computes its day records from the logs. */
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
   * Computes the metrics of a week or a month that cannot be summed from days, such as
   * unique visitors. Year and range archives leave them out, as Matomo does by default.
   */
  archiveNonAdditive?(query: LogQuery): Promise<Record<string, number>>;
  /** Names of the metrics `archiveNonAdditive` computes, removed from sums of days. */
  nonAdditiveMetrics?: readonly string[];
}
