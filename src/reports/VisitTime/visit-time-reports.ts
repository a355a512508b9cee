/** The VisitTime reports: visits by hour of the day. */
import type { ReportDefinition, TableReportDefinition } from '../report-definition.js';

function hourReport(action: string, description: string): TableReportDefinition {
  // Hours read best in clock order, as Matomo lists them.
  return {
    kind: 'table', name: `VisitTime.${action}`, record: `VisitTime_${action}`, description, defaultSortColumn: null,
    compareRows: (left, right) => Number.parseInt(left.label, 10) - Number.parseInt(right.label, 10),
  };
}

/**
 * The VisitTime reports.
 *
 * NOTE: hours without visits are left out, where Matomo lists all 24 hours with zeros.
 */
export const VISIT_TIME_REPORTS: readonly ReportDefinition[] = [
  hourReport('getVisitInformationPerServerTime', 'Returns visits by hour of the day in the site\'s time zone.'),
  hourReport('getVisitInformationPerLocalTime', 'Returns visits by hour of the day in the visitor\'s local time.'),
];
