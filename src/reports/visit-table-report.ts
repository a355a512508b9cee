/** The definition of a table report of visit metrics, the most common kind of report. */
import type { TableReportDefinition } from './report-definition.js';
import { describeReport, type ReportMetadataOptions } from './report-metadata.js';

/** Returns a table report sorted by visits and served without processed metrics, as Matomo serves dimension reports. */
export function visitTableReport(name: string, description: string, metadata: ReportMetadataOptions): TableReportDefinition {
  return { kind: 'table', name, description, metadata: describeReport(metadata), record: name.replace('.', '_'), defaultSortColumn: 'nb_visits' };
}
