/** The DevicesDetection reports: which devices, browsers and systems visits used. */
import type { ReportDefinition } from '../report-definition.js';
import { visitTableReport } from '../visit-table-report.js';

/** The DevicesDetection reports. */
export const DEVICES_DETECTION_REPORTS: readonly ReportDefinition[] = [
  visitTableReport('DevicesDetection.getType', 'Returns visits by device type (desktop, smartphone, tablet...).'),
  visitTableReport('DevicesDetection.getBrowsers', 'Returns visits by browser.'),
  visitTableReport('DevicesDetection.getOsFamilies', 'Returns visits by operating system family.'),
];
