/** The DevicesDetection reports: which devices, browsers and systems visits used. */
import type { ReportDefinition } from '../report-definition.js';
import { visitTableReport } from '../visit-table-report.js';

/** The DevicesDetection reports. */
export const DEVICES_DETECTION_REPORTS: readonly ReportDefinition[] = [
  visitTableReport('DevicesDetection.getType', 'Returns visits by device type (desktop, smartphone, tablet...).', { category: 'Visitors', subcategory: 'Devices', name: 'Device type', dimension: 'Device type' }),
  visitTableReport('DevicesDetection.getBrowsers', 'Returns visits by browser.', { category: 'Visitors', subcategory: 'Software', name: 'Browsers', dimension: 'Browser' }),
  visitTableReport('DevicesDetection.getOsFamilies', 'Returns visits by operating system family.', { category: 'Visitors', subcategory: 'Software', name: 'Operating System families', dimension: 'Operating System family' }),
  visitTableReport('DevicesDetection.getBrowserVersions', 'Returns visits by browser and browser version.', { category: 'Visitors', subcategory: 'Software', name: 'Browser version', dimension: 'Browser version' }),
  visitTableReport('DevicesDetection.getOsVersions', 'Returns visits by operating system and version.', { category: 'Visitors', subcategory: 'Software', name: 'Operating System versions', dimension: 'Operating System Version' }),
  visitTableReport('DevicesDetection.getBrand', 'Returns visits by device brand.', { category: 'Visitors', subcategory: 'Devices', name: 'Device brand', dimension: 'Device brand' }),
  visitTableReport('DevicesDetection.getModel', 'Returns visits by device brand and model.', { category: 'Visitors', subcategory: 'Devices', name: 'Device model', dimension: 'Device model' }),
  visitTableReport('DevicesDetection.getBrowserEngines', 'Returns visits by browser engine.', { category: 'Visitors', subcategory: 'Software', name: 'Browser engines', dimension: 'Browser engine' }),
];
