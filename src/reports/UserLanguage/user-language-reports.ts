/** The UserLanguage reports: which languages visitors' browsers prefer. */
import type { ReportDefinition } from '../report-definition.js';
import { visitTableReport } from '../visit-table-report.js';

/** The UserLanguage reports. */
export const USER_LANGUAGE_REPORTS: readonly ReportDefinition[] = [
  visitTableReport('UserLanguage.getLanguage', 'Returns visits by the language the browser prefers, such as French.', { category: 'Visitors', subcategory: 'Locations', name: 'Browser language', dimension: 'Language' }),
];
