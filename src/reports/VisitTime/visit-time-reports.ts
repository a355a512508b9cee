/** The VisitTime reports: visits by hour of the day. */
import type { ReportRow } from '../../archiving/report-table.js';
import type { ReportDefinition, TableReportDefinition } from '../report-definition.js';
import { describeReport } from '../report-metadata.js';

/** Adds a row of zeros, with the metric names of the other rows, for each hour without visits. */
function addMissingHours(rows: readonly ReportRow[]): ReportRow[] {
  const metricNames = Object.keys(rows[0]!.metrics);
  const present = new Set(rows.map((row) => row.label));
  const missing = Array.from({ length: 24 }, (_, hour) => `${hour}h`)
    .filter((label) => !present.has(label))
    .map((label): ReportRow => ({ label, metrics: Object.fromEntries(metricNames.map((name) => [name, 0])) }));
  return [...rows, ...missing];
}

function hourReport(action: string, description: string, name: string, dimension: string): TableReportDefinition {
  // Hours read best in clock order, as Matomo lists them.
  return {
    kind: 'table', name: `VisitTime.${action}`, record: `VisitTime_${action}`, description, defaultSortColumn: null,
    metadata: describeReport({ category: 'Visitors', subcategory: 'Times', name, dimension }),
    compareRows: (left, right) => Number.parseInt(left.label, 10) - Number.parseInt(right.label, 10),
    completeRows: addMissingHours,
  };
}

/** The VisitTime reports; a period with visits lists all 24 hours, as Matomo does, and one without is `[]`. */
export const VISIT_TIME_REPORTS: readonly ReportDefinition[] = [
  hourReport('getVisitInformationPerServerTime', 'Returns visits by hour of the day in the site\'s time zone.', 'Visits per server time', 'Server time'),
  hourReport('getVisitInformationPerLocalTime', 'Returns visits by hour of the day in the visitor\'s local time.', 'Visits per local time', 'Local time'),
];
