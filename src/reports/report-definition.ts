/** The shape of one report the API serves from archives. */
import type { Kysely } from 'kysely';
import type { ApiParams } from '../api/api-params.js';
import type { Database } from '../db/schema.js';
import type { ApiObject } from '../api/api-value.js';
import type { Period } from '../archiving/period.js';
import type { ReportRow } from '../archiving/report-table.js';
import type { FlatLabelRules } from './datatable-filters.js';
import type { ReportMetadata } from './report-metadata.js';

/** A report made of the metrics of an archive, served as one object (`VisitsSummary.get`). */
export interface MetricsReportDefinition {
  kind: 'metrics';
  /** `Module.action`, as Matomo spells it. */
  name: string;
  description: string;
  /** What `API.getReportMetadata` lists for the report. */
  metadata: ReportMetadata;
  /** True when `API.getReportMetadata` also lists one copy per goal of the site, with `parameters.idGoal`. */
  listPerGoal?: boolean;
  /**
   * Returns the object served for a period, or null when the period has no data (served as `[]`).
   * `reports` contains the report tables named in `reportRecords`, for metrics counted from rows (distinct websites).
   */
  build(numerics: Readonly<Record<string, number>>, period: Period, params: ApiParams, reports: Readonly<Record<string, ReportRow[]>>): ApiObject | null;
  /** Archive records of the report tables `build` reads; a stored archive is read without the others. */
  reportRecords?: readonly string[];
}

/** A report stored as a table in an archive, served as rows (`Referrers.getWebsites`). */
export interface TableReportDefinition {
  kind: 'table';
  name: string;
  description: string;
  /** What `API.getReportMetadata` lists for the report. */
  metadata: ReportMetadata;
  /** Name of the archive record that contains the table, such as `Referrers_getWebsites`. */
  record: string;
  /** Returns the record for a request whose parameters choose the table (`idDimension`), instead of `record`. */
  recordFor?(params: ApiParams): string;
  /** Column the rows are sorted by when `filter_sort_column` is not given; null keeps the order of `compareRows`. */
  defaultSortColumn: string | null;
  /** Order of the rows before filters run, for reports whose natural order is not a metric (hours of the day). */
  compareRows?(left: ReportRow, right: ReportRow): number;
  /** Returns the rows a request picks out of the table (one page by `pageUrl`), before `completeRows`. */
  selectRows?(rows: readonly ReportRow[], params: ApiParams): ReportRow[];
  /** Returns the rows with the ones Matomo always lists added (all 24 hours), before `compareRows`. */
  completeRows?(rows: readonly ReportRow[]): ReportRow[];
  /** True for a report served by name but not listed by `API.getReportMetadata`, because it needs a parameter such as `pageUrl`. */
  unlisted?: boolean;
  /** Checks the request's parameters against the site's configuration before any archive is read, such as that `idDimension` exists. */
  checkParams?(db: Kysely<Database>, siteId: number, params: ApiParams): Promise<void>;
  /** True when `API.getReportMetadata` lists the report once per active custom dimension of the site, with `parameters.idDimension`, instead of once. */
  listPerCustomDimension?: boolean;
  /** Stored metrics that only feed processed ones and are left out of the output, such as the summed `price` of item rows. */
  hiddenMetrics?: readonly string[];
  /** Returns the processed metrics of a row (rates, averages), placed after its stored metrics. */
  processMetrics?(metrics: Readonly<Record<string, number>>, period: Period): ApiObject;
  /** Rules for joining the labels of rows and subtable rows under `flat=1`; ` - ` when not set, as in Matomo. */
  flatLabelRules?: FlatLabelRules;
}

/** Any report definition. */
export type ReportDefinition = MetricsReportDefinition | TableReportDefinition;
