/** The DevicesDetection reports: which devices, browsers and systems visits used. */
import type { ReportDefinition } from '../report-definition.js';
import { visitTableReport } from '../visit-table-report.js';

/** The DevicesDetection reports. */
export const DEVICES_DETECTION_REPORTS: readonly ReportDefinition[] = [
  visitTableReport('DevicesDetection.getType', 'Returns visits by device type (desktop, smartphone, tablet...).'),
  visitTableReport('DevicesDetection.getBrowsers', 'Returns visits by browser.'),
  visitTableReport('DevicesDetection.getOsFamilies', 'Returns visits by operating system family.'),
  visitTableReport('DevicesDetection.getBrowserVersions', 'Returns visits by browser and browser version.'),
  visitTableReport('DevicesDetection.getOsVersions', 'Returns visits by operating system and version.'),
  visitTableReport('DevicesDetection.getBrand', 'Returns visits by device brand.'),
  visitTableReport('DevicesDetection.getModel', 'Returns visits by device brand and model.'),
  visitTableReport('DevicesDetection.getBrowserEngines', 'Returns visits by browser engine.'),
];
