/** Every report module of the Reporting API. */
import type { ApiMethodRegistry } from '../api/api-method-registry.js';
import { registerReportDefinitions } from './report-api.js';
import type { ReportDefinition } from './report-definition.js';
import { VISITS_SUMMARY_REPORTS } from './VisitsSummary/visits-summary-reports.js';

/** Every report the API serves. */
export const ALL_REPORTS: readonly ReportDefinition[] = [
  ...VISITS_SUMMARY_REPORTS,
];

/** Registers an API method for every report. */
export function registerReportModules(registry: ApiMethodRegistry): void {
  registerReportDefinitions(registry, ALL_REPORTS);
}
