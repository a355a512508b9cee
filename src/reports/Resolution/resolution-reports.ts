/** The Resolution reports: which screen sizes visits used. */
import type { ReportDefinition } from '../report-definition.js';
import { visitTableReport } from '../visit-table-report.js';

/** The Resolution reports. */
export const RESOLUTION_REPORTS: readonly ReportDefinition[] = [
  visitTableReport('Resolution.getResolution', 'Returns visits by screen resolution, such as 1920x1080.', { category: 'Visitors', subcategory: 'Devices', name: 'Screen Resolution', dimension: 'Resolution' }),
];
