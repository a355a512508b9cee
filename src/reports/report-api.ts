/** Serving report definitions through the Reporting API: sites, periods, segment, archives and filters. */
import type { ApiCall, ApiMethodRegistry } from '../api/api-method-registry.js';
import { KeyedResults, type ApiObject, type ApiValue } from '../api/api-value.js';
import { Archiver, type ArchiveSegment } from '../archiving/archiver.js';
import { readLogDeletionDays } from '../archiving/log-deletion-config.js';
import type { Period } from '../archiving/period.js';
import { parsePeriodRequest } from '../archiving/period-request.js';
import { findSubtable, type ReportRow } from '../archiving/report-table.js';
import { parseSiteTimezone } from '../archiving/site-timezone.js';
import { FootfallError, quote } from '../errors.js';
import { loadSites, siteNotFound, type SiteRecord } from '../sites/site-store.js';
import { buildArchiveSegment } from '../segments/archive-segment.js';
import { applyDataTableFilters, parseDataTableFilters, ROW_METADATA_NAMES, type OutputRow } from './datatable-filters.js';
import { formatMetrics, parseMetricFormatMode } from './metric-format.js';
import { addGoalViewColumns, parseGoalView } from './goal-view.js';
import { REPORT_ARCHIVERS } from './report-archivers.js';
import type { ReportDefinition, TableReportDefinition } from './report-definition.js';

const REPORT_PARAMETERS = [
  { name: 'idSite', description: 'Site id, comma-separated ids, or all.', required: true },
  { name: 'period', description: 'day, week, month, year or range.', required: true },
  { name: 'date', description: 'YYYY-MM-DD, a keyword such as today or yesterday, lastN, previousN, or two dates separated by a comma.', required: true },
  { name: 'segment', description: 'Segment definition in Matomo\'s grammar, such as browserCode==FF;countryCode==fr.' },
] as const;

/** The sites of a request and whether the result is keyed by site. */
interface SiteSelection {
  sites: SiteRecord[];
  multiple: boolean;
}

async function selectSites(call: ApiCall): Promise<SiteSelection> {
  const raw = call.params.requiredString('idSite').trim();
  const db = call.tenant.db();
  if (raw.toLowerCase() === 'all') {
    return { sites: await loadSites(db, call.access.siteIdsWith('view')), multiple: true };
  }

  const ids = raw.split(',').map((part) => part.trim()).filter((part) => part !== '').map((part) => {
    if (!/^[0-9]+$/.test(part) || Number(part) < 1) throw new FootfallError('PARAMETER_INVALID', `Invalid idSite ${quote(raw)}. Use a site id, comma-separated ids, or all.`);
    return Number(part);
  });
  if (ids.length === 0) throw new FootfallError('PARAMETER_INVALID', `Invalid idSite ${quote(raw)}. Use a site id, comma-separated ids, or all.`);
  call.access.ensure('view', ids);

  const sites = await loadSites(db, ids);
  const missing = ids.find((id) => !sites.some((site) => site.idsite === id));
  if (missing !== undefined) throw siteNotFound(missing);
  return { sites, multiple: raw.includes(',') };
}

const GOAL_METRIC_PATTERN = /^goal_(\d+|ecommerceOrder|ecommerceAbandonedCart)_(.+)$/;

/** Returns a row's metrics with `goal_<id>_*` (and the e-commerce ones) gathered into Matomo's `goals` object, at the place of the first one. */
function nestGoalMetrics(metrics: Readonly<Record<string, number>>): ApiObject {
  const output: ApiObject = {};
  let goals: Record<string, ApiObject> | undefined;
  for (const [name, value] of Object.entries(metrics)) {
    const match = GOAL_METRIC_PATTERN.exec(name);
    if (!match) {
      output[name] = value;
      continue;
    }
    if (!goals) {
      goals = {};
      output.goals = goals;
    }
    (goals[`idgoal=${match[1]}`] ??= {})[match[2]!] = value;
  }
  return output;
}

function toOutputRow(row: ReportRow, definition: TableReportDefinition, period: Period): OutputRow {
  const servedMetrics = definition.hiddenMetrics ? Object.fromEntries(Object.entries(row.metrics).filter(([name]) => !definition.hiddenMetrics!.includes(name))) : row.metrics;
  const output: OutputRow = { label: row.label, ...nestGoalMetrics(servedMetrics), ...(definition.processMetrics?.(row.metrics, period) ?? {}), ...(row.metadata ?? {}) };
  if (row.metadata) output[ROW_METADATA_NAMES] = Object.keys(row.metadata);
  if (row.idsubdatatable !== undefined) output.idsubdatatable = row.idsubdatatable;
  if (row.subtable) output.subtable = row.subtable.map((child) => toOutputRow(child, definition, period));
  return output;
}

function serveTable(call: ApiCall, definition: TableReportDefinition, table: ReportRow[], period: Period): ApiValue {
  const filters = parseDataTableFilters(call.params, call.tenant.settings.int('General', 'API_datatable_default_limit'));
  const idSubtable = call.params.optionalString('idSubtable');
  let rows = table;
  if (idSubtable !== undefined && idSubtable !== '') {
    rows = findSubtable(table, call.params.int('idSubtable', 0)) ?? [];
  }
  if (definition.selectRows) rows = definition.selectRows(rows, call.params);
  if (definition.completeRows && rows.length > 0) rows = definition.completeRows(rows);
  if (definition.compareRows) rows = [...rows].sort(definition.compareRows);
  const outputRows = rows.map((row) => toOutputRow(row, definition, period));
  const goalView = parseGoalView(call.params);
  if (goalView !== null) addGoalViewColumns(outputRows, goalView);
  return applyDataTableFilters(outputRows, filters, definition.defaultSortColumn, definition.flatLabelRules);
}

function serveMetrics(call: ApiCall, metrics: ApiObject | null): ApiValue {
  if (metrics === null) return [];
  const filters = parseDataTableFilters(call.params, 0);
  return Object.fromEntries(Object.entries(metrics).filter(([name]) => (filters.showColumns?.includes(name) ?? true) && !filters.hideColumns.includes(name)));
}

async function serveSite(call: ApiCall, definition: ReportDefinition, site: SiteRecord, segment: ArchiveSegment): Promise<ApiValue> {
  const zone = parseSiteTimezone(site.timezone);
  const settings = call.tenant.settings.forSite(site.idsite);
  const enabledPeriods = settings.string('General', 'enabled_periods_API').split(',').map((item) => item.trim());
  const request = parsePeriodRequest(call.params.requiredString('period'), call.params.requiredString('date'), zone, call.clock(), enabledPeriods);

  const archiver = new Archiver({
    db: call.tenant.db(), archivers: REPORT_ARCHIVERS, clock: call.clock,
    todayArchiveTtlSeconds: settings.int('General', 'time_before_today_archive_considered_outdated'),
    allowArchiving: settings.bool('General', 'enable_browser_archiving_triggering'),
    logDeletionDays: readLogDeletionDays(settings),
    logger: call.logger.child({ tenant: call.tenant.key }),
  });

  if (definition.kind === 'table' && definition.checkParams) await definition.checkParams(call.tenant.db(), site.idsite, call.params);
  const formatOptions = { mode: parseMetricFormatMode(call.params), metricTypes: definition.metadata.metricTypes, currency: site.currency };
  const values: [string, ApiValue][] = [];
  // Only the report tables the definition reads are decompressed from a stored archive.
  const record = definition.kind === 'table' ? definition.recordFor?.(call.params) ?? definition.record : '';
  const reportNames = definition.kind === 'table' ? [record] : definition.reportRecords ?? [];
  for (const period of request.periods) {
    const archive = await archiver.load({ siteId: site.idsite, zone }, period, segment, reportNames);
    const value = definition.kind === 'metrics'
      ? serveMetrics(call, definition.build(archive.records.numerics, period, call.params, archive.records.reports))
      : serveTable(call, definition, archive.records.reports[record] ?? [], period);
    values.push([period.label, formatMetrics(value, formatOptions)]);
  }
  return request.multiple ? new KeyedResults('date', values) : values[0]![1];
}

/**
 * Serves one report for a call: checks view access on every site, reads (or computes)
 * the archive of each site and period, and keys the results by site and period label
 * when several were asked for.
 */
export async function serveReport(call: ApiCall, definition: ReportDefinition): Promise<ApiValue> {
  const selection = await selectSites(call);
  const segmentDefinition = call.params.string('segment');
  const values: [string, ApiValue][] = [];
  for (const site of selection.sites) {
    // Compiled per site, because `dimension<id>` names each site's own custom dimension.
    const segment = await buildArchiveSegment(call.tenant.db(), site.idsite, segmentDefinition);
    values.push([String(site.idsite), await serveSite(call, definition, site, segment)]);
  }
  return selection.multiple ? new KeyedResults('idSite', values) : values[0]![1];
}

/** Registers an API method for each report definition. */
export function registerReportDefinitions(registry: ApiMethodRegistry, definitions: readonly ReportDefinition[]): void {
  for (const definition of definitions) {
    registry.register({
      name: definition.name,
      description: definition.description,
      parameters: REPORT_PARAMETERS,
      handler: (call) => serveReport(call, definition),
    });
  }
}
