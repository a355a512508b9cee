/** The VisitTime reports: visits by hour of the day. */
import type { ReportRow } from '../../archiving/report-table.js';
import type { ReportDefinition, TableReportDefinition } from '../report-definition.js';
import { WEEKDAY_NAMES } from './visit-time-archiver.js';
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

/** Adds a row of zeros for each weekday without visits. */
function addMissingWeekdays(rows: readonly ReportRow[]): ReportRow[] {
  const metricNames = Object.keys(rows[0]!.metrics);
  const present = new Set(rows.map((row) => row.label));
  const missing = WEEKDAY_NAMES.map((label, index): ReportRow => ({ label, metrics: Object.fromEntries(metricNames.map((name) => [name, 0])), metadata: { day_of_week: index + 1 } }))
    .filter((row) => !present.has(row.label));
  return [...rows, ...missing];
}

const dayOfWeek = (row: ReportRow) => Number(row.metadata?.day_of_week ?? 0);

/** The VisitTime reports; a period with visits lists all 24 hours, as Matomo does, and one without is `[]`. */
export const VISIT_TIME_REPORTS: readonly ReportDefinition[] = [
  hourReport('getVisitInformationPerServerTime', 'Returns visits by hour of the day in the site\'s time zone.', 'Visits per server time', 'Server time'),
  hourReport('getVisitInformationPerLocalTime', 'Returns visits by hour of the day in the visitor\'s local time.', 'Visits per local time', 'Local time'),
  {
    kind: 'table', name: 'VisitTime.getByDayOfWeek', record: 'VisitTime_getByDayOfWeek', defaultSortColumn: null,
    description: 'Returns visits by day of the week in the site\'s time zone, Monday first, with day_of_week 1 to 7.',
    metadata: describeReport({ category: 'Visitors', subcategory: 'Times', name: 'Visits by Day of Week', dimension: 'Day of the week' }),
    compareRows: (left, right) => dayOfWeek(left) - dayOfWeek(right),
    completeRows: addMissingWeekdays,
  },
];
