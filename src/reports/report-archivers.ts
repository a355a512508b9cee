/** The archiver of every report module, in the order an archive computes them. */
import type { ReportArchiver } from '../archiving/report-archiver.js';
import { visitsSummaryArchiver } from './VisitsSummary/visits-summary-archiver.js';

/** Every report module's archiver. */
export const REPORT_ARCHIVERS: readonly ReportArchiver[] = [
  visitsSummaryArchiver,
];
