/** Every report module of the Reporting API. */
import type { ApiMethodRegistry } from '../api/api-method-registry.js';
import { ACTIONS_REPORTS } from './Actions/actions-reports.js';
import { CUSTOM_DIMENSIONS_REPORTS } from './CustomDimensions/custom-dimensions-reports.js';
import { DEVICES_DETECTION_REPORTS } from './DevicesDetection/devices-detection-reports.js';
import { EVENTS_REPORTS } from './Events/events-reports.js';
import { GOALS_REPORTS } from './Goals/goals-reports.js';
import { REFERRERS_REPORTS } from './Referrers/referrers-reports.js';
import { registerReportDefinitions } from './report-api.js';
import { registerReportMetadataApi } from './report-metadata-api.js';
import type { ReportDefinition } from './report-definition.js';
import { RESOLUTION_REPORTS } from './Resolution/resolution-reports.js';
import { USER_COUNTRY_REPORTS } from './UserCountry/user-country-reports.js';
import { USER_LANGUAGE_REPORTS } from './UserLanguage/user-language-reports.js';
import { ECOMMERCE_ITEMS_REPORTS } from './Goals/ecommerce-items-reports.js';
import { PAGE_PERFORMANCE_REPORTS } from './PagePerformance/page-performance-reports.js';
import { VISIT_FREQUENCY_REPORTS } from './VisitFrequency/visit-frequency-reports.js';
import { VISITOR_INTEREST_REPORTS } from './VisitorInterest/visitor-interest-reports.js';
import { VISITS_SUMMARY_REPORTS } from './VisitsSummary/visits-summary-reports.js';
import { VISIT_TIME_REPORTS } from './VisitTime/visit-time-reports.js';

/** Every report the API serves. */
export const ALL_REPORTS: readonly ReportDefinition[] = [
  ...VISITS_SUMMARY_REPORTS,
  ...ACTIONS_REPORTS,
  ...REFERRERS_REPORTS,
  ...DEVICES_DETECTION_REPORTS,
  ...USER_COUNTRY_REPORTS,
  ...EVENTS_REPORTS,
  ...VISIT_TIME_REPORTS,
  ...RESOLUTION_REPORTS,
  ...VISIT_FREQUENCY_REPORTS,
  ...GOALS_REPORTS,
  ...CUSTOM_DIMENSIONS_REPORTS,
  ...VISITOR_INTEREST_REPORTS,
  ...USER_LANGUAGE_REPORTS,
  ...PAGE_PERFORMANCE_REPORTS,
  ...ECOMMERCE_ITEMS_REPORTS,
];

/** Registers an API method for every report. */
export function registerReportModules(registry: ApiMethodRegistry): void {
  registerReportDefinitions(registry, ALL_REPORTS);
  registerReportMetadataApi(registry, ALL_REPORTS);
}
