/** `API.getReportMetadata` and `API.getProcessedReport`: the reports a site offers, and one report with its metadata. */
import type { ApiCall, ApiMethodRegistry } from '../api/api-method-registry.js';
import { KeyedResults, type ApiObject, type ApiValue } from '../api/api-value.js';
import { parsePeriodRequest } from '../archiving/period-request.js';
import type { Period } from '../archiving/period.js';
import { parseSiteTimezone } from '../archiving/site-timezone.js';
import { FootfallError, quote } from '../errors.js';
import { loadGoals } from '../goals/goal-store.js';
import { loadSite, type SiteRecord } from '../sites/site-store.js';
import type { OutputRow } from './datatable-filters.js';
import { serveReport } from './report-api.js';
import type { ReportDefinition } from './report-definition.js';
import type { ReportMetadata } from './report-metadata.js';
import { loadCustomDimensions } from './CustomDimensions/custom-dimension-store.js';
import { describeCustomDimensionReport } from './CustomDimensions/custom-dimensions-reports.js';

/** One entry of `API.getReportMetadata`, with the report it describes. */
interface ListedReport {
  definition: ReportDefinition;
  entry: ApiObject;
}

function parseSiteId(raw: string): number {
  if (!/^[0-9]+$/.test(raw) || Number(raw) < 1) throw new FootfallError('PARAMETER_INVALID', `Invalid idSite ${quote(raw)}. Use the id of one site.`);
  return Number(raw);
}

/** A copy of a report listed for one configured custom dimension, with the dimension's own metadata. */
interface DimensionVariant {
  id: number;
  metadata: ReportMetadata;
}

/** Returns the Matomo metadata entry of a report, in Matomo's key order. */
function buildEntry(definition: ReportDefinition, hideMetricsDoc: boolean, goal?: { id: number; name: string }, dimension?: DimensionVariant): ApiObject {
  const metadata = dimension?.metadata ?? definition.metadata;
  const [module, action] = definition.name.split('.') as [string, string];
  const entry: ApiObject = { category: metadata.category, subcategory: metadata.subcategory, name: goal ? `Goal ${goal.name}` : metadata.name, module, action };
  if (goal) entry.parameters = { idGoal: String(goal.id) };
  if (dimension) entry.parameters = { idDimension: String(dimension.id) };
  if (metadata.dimension !== undefined) entry.dimension = metadata.dimension;
  entry.metrics = { ...metadata.metrics };
  if (Object.keys(metadata.processedMetrics).length > 0) entry.processedMetrics = { ...metadata.processedMetrics };
  if (!hideMetricsDoc) entry.metricsDocumentation = { ...metadata.metricsDocumentation };
  entry.metricTypes = { ...metadata.metricTypes };
  if (metadata.isSubtableReport) entry.isSubtableReport = true;
  entry.uniqueId = `${module}_${action}`;
  if (goal) entry.uniqueId = `${module}_${action}_idGoal--${goal.id}`;
  if (dimension) entry.uniqueId = `${module}_${action}_idDimension--${dimension.id}`;
  return entry;
}

/** Returns the reports listed for a site (or for none): every listed report, and goal reports once per goal. */
async function listReports(call: ApiCall, definitions: readonly ReportDefinition[], siteId: number | undefined): Promise<ListedReport[]> {
  const hideMetricsDoc = call.params.bool('hideMetricsDoc', false);
  const showSubtableReports = call.params.bool('showSubtableReports', false);
  const goals = siteId === undefined ? [] : (await loadGoals(call.tenant.db(), siteId)).filter((goal) => goal.deleted === 0);
  const dimensions = siteId === undefined ? [] : (await loadCustomDimensions(call.tenant.db(), siteId)).filter((dimension) => dimension.active);

  const listed: ListedReport[] = [];
  for (const definition of definitions) {
    if (definition.kind === 'table' && definition.unlisted) continue;
    if (definition.metadata.isSubtableReport && !showSubtableReports) continue;
    if (definition.kind === 'table' && definition.listPerCustomDimension) {
      for (const dimension of dimensions) {
        const variant = { id: dimension.idcustomdimension, metadata: describeCustomDimensionReport(dimension) };
        listed.push({ definition, entry: buildEntry(definition, hideMetricsDoc, undefined, variant) });
      }
      continue;
    }
    listed.push({ definition, entry: buildEntry(definition, hideMetricsDoc) });
    if (definition.kind === 'metrics' && definition.listPerGoal) {
      for (const goal of goals) listed.push({ definition, entry: buildEntry(definition, hideMetricsDoc, { id: goal.idgoal, name: goal.name }) });
    }
  }
  return listed;
}

/** Returns the site of `idSite` or the first of `idSites`, after checking view access; undefined when neither is given. */
function selectMetadataSite(call: ApiCall): number | undefined {
  const raw = (call.params.optionalString('idSite') || call.params.optionalList('idSites')?.[0] || '').trim();
  if (raw === '') {
    call.access.ensureSomeViewAccess();
    return undefined;
  }
  const siteId = parseSiteId(raw);
  call.access.ensure('view', [siteId]);
  return siteId;
}

/** English date of a period as Matomo's `prettyDate` shows it: `Wednesday, May 1, 2024`, `May 2024`, `2024`. */
export function formatPrettyDate(period: Period): string {
  const day = (value: string, options: Intl.DateTimeFormatOptions) => new Date(`${value}T12:00:00Z`).toLocaleDateString('en-US', { timeZone: 'UTC', ...options });
  switch (period.kind) {
    case 'day':
      return day(period.startDate, { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' });
    case 'month':
      return day(period.startDate, { month: 'long', year: 'numeric' });
    case 'year':
      return period.startDate.slice(0, 4);
    case 'week':
      return `week ${day(period.startDate, { month: 'long', day: 'numeric' })} – ${day(period.endDate, { month: 'long', day: 'numeric', year: 'numeric' })}`;
    case 'range':
      return `${day(period.startDate, { month: 'long', day: 'numeric', year: 'numeric' })} – ${day(period.endDate, { month: 'long', day: 'numeric', year: 'numeric' })}`;
  }
}

/** The rows of a table report split as Matomo's processed report splits them: metric columns, and the rest of each row. */
interface SplitRows {
  data: ApiObject[];
  metadata: ApiObject[];
  total: ApiObject;
}

const METRIC_NAME_PATTERN = /^(nb_|sum_|max_|min_|revenue)/;

function splitRows(rows: readonly OutputRow[], columns: ReadonlySet<string>, storedMetrics: readonly string[]): SplitRows {
  const split: SplitRows = { data: [], metadata: [], total: {} };
  for (const row of rows) {
    const data: ApiObject = {};
    const metadata: ApiObject = {};
    for (const [name, value] of Object.entries(row)) {
      if (name === 'subtable' || name === 'goals') continue;
      if (columns.has(name)) data[name] = value;
      // Metrics the report does not declare (goal columns of visit reports) are dropped, as Matomo keeps only declared columns.
      else if (!(typeof value === 'number' && METRIC_NAME_PATTERN.test(name))) metadata[name] = value;
    }
    split.data.push(data);
    split.metadata.push(metadata);
  }
  for (const name of storedMetrics) {
    const values = split.data.map((row) => row[name]).filter((value): value is number => typeof value === 'number');
    if (values.length === 0) continue;
    split.total[name] = name.startsWith('max_') ? Math.max(...values) : name.startsWith('min_') ? Math.min(...values) : values.reduce((sum, value) => sum + value, 0);
  }
  return split;
}

/** Returns `reportData`, `reportMetadata` and `reportTotal` of one period's result. */
function processValue(definition: ReportDefinition, value: ApiValue, columns: ReadonlySet<string>): [ApiValue, ApiValue, ApiValue] {
  if (definition.kind === 'metrics' || !Array.isArray(value)) return [value ?? [], [], []];
  const split = splitRows(value as OutputRow[], columns, Object.keys(definition.metadata.metrics));
  return [split.data, split.metadata, split.total];
}

function findDefinition(definitions: readonly ReportDefinition[], call: ApiCall): ReportDefinition {
  const module = call.params.requiredString('apiModule');
  const action = call.params.requiredString('apiAction');
  const definition = definitions.find((candidate) => candidate.name === `${module}.${action}`);
  if (!definition) throw new FootfallError('PARAMETER_INVALID', `Report ${quote(`${module}.${action}`)} not found. Use apiModule and apiAction of a report listed by API.getReportMetadata.`);
  return definition;
}

function buildColumns(definition: ReportDefinition): ApiObject {
  const metadata = definition.metadata;
  const columns: ApiObject = {};
  if (definition.kind === 'table') columns.label = metadata.dimension ?? 'Label';
  return { ...columns, ...metadata.metrics, ...metadata.processedMetrics };
}

async function loadPeriods(call: ApiCall, site: SiteRecord): Promise<Period[]> {
  const settings = call.tenant.settings.forSite(site.idsite);
  const enabledPeriods = settings.string('General', 'enabled_periods_API').split(',').map((item) => item.trim());
  return parsePeriodRequest(call.params.requiredString('period'), call.params.requiredString('date'), parseSiteTimezone(site.timezone), call.clock(), enabledPeriods).periods;
}

/**
 * Serves `API.getProcessedReport`: the report's data with its metadata, column names,
 * row metadata and totals, for one site.
 *
 * @throws FootfallError PARAMETER_INVALID for an unknown report or a site list.
 */
async function serveProcessedReport(call: ApiCall, definitions: readonly ReportDefinition[]): Promise<ApiValue> {
  const definition = findDefinition(definitions, call);
  const siteId = parseSiteId(call.params.requiredString('idSite').trim());
  call.access.ensure('view', [siteId]);
  const site = await loadSite(call.tenant.db(), siteId);
  const periods = await loadPeriods(call, site);

  const started = performance.now();
  const result = await serveReport(call, definition);
  const columns = buildColumns(definition);
  const columnNames = new Set(Object.keys(columns));
  const idGoal = call.params.optionalString('idGoal');
  const goal = definition.kind === 'metrics' && definition.listPerGoal && idGoal && /^[0-9]+$/.test(idGoal)
    ? (await loadGoals(call.tenant.db(), siteId)).find((candidate) => candidate.idgoal === Number(idGoal)) : undefined;

  const output: ApiObject = {
    website: site.name,
    prettyDate: periods.length === 1 ? formatPrettyDate(periods[0]!) : `${formatPrettyDate(periods[0]!)} – ${formatPrettyDate(periods[periods.length - 1]!)}`,
    metadata: buildEntry(definition, call.params.bool('hideMetricsDoc', false), goal ? { id: goal.idgoal, name: goal.name } : undefined),
    columns,
  };
  if (result instanceof KeyedResults) {
    const parts = result.entries.map(([label, value]) => [label, processValue(definition, value, columnNames)] as const);
    output.reportData = new KeyedResults('date', parts.map(([label, part]) => [label, part[0]]));
    output.reportMetadata = new KeyedResults('date', parts.map(([label, part]) => [label, part[1]]));
    output.reportTotal = new KeyedResults('date', parts.map(([label, part]) => [label, part[2]]));
  } else {
    [output.reportData, output.reportMetadata, output.reportTotal] = processValue(definition, result, columnNames);
  }
  if (call.params.bool('showTimer', false)) output.timerMillis = String(Math.round(performance.now() - started));
  return output;
}

/** Registers `API.getReportMetadata` and `API.getProcessedReport` over the given report definitions. */
export function registerReportMetadataApi(registry: ApiMethodRegistry, definitions: readonly ReportDefinition[]): void {
  registry.register({
    name: 'API.getReportMetadata',
    description: 'Returns the metadata of every report: category, subcategory, name, module, action, dimension, metrics and metric types.',
    parameters: [
      { name: 'idSite', description: 'Site id; goal reports are listed once per goal of this site.' },
      { name: 'idSites', description: 'Site ids; the first one is used as idSite.' },
      { name: 'period', description: 'Accepted and ignored: every report is available for every period.' },
      { name: 'date', description: 'Accepted and ignored.' },
      { name: 'hideMetricsDoc', description: '1 leaves out metricsDocumentation.' },
      { name: 'showSubtableReports', description: '1 also lists reports served only as subtables.' },
    ],
    differences: 'Names and documentation are always English, and imageGraphUrl and imageGraphEvolutionUrl are left out because Footfall serves no ImageGraph module.',
    handler: async (call) => (await listReports(call, definitions, selectMetadataSite(call))).map((report) => report.entry),
  });
  registry.register({
    name: 'API.getProcessedReport',
    description: 'Returns one report with its metadata, column names, row metadata and totals, for one site.',
    parameters: [
      { name: 'apiModule', description: 'Module of the report, such as UserCountry.', required: true },
      { name: 'apiAction', description: 'Action of the report, such as getCountry.', required: true },
      { name: 'idSite', description: 'Site id.', required: true },
      { name: 'period', description: 'day, week, month, year or range.', required: true },
      { name: 'date', description: 'A date, a keyword, lastN, previousN or two dates separated by a comma.', required: true },
      { name: 'segment', description: 'Segment definition in Matomo\'s grammar.' },
      { name: 'idGoal', description: 'Goal id for Goals reports.' },
      { name: 'showTimer', description: '1 adds timerMillis, the time spent serving the report.' },
      { name: 'hideMetricsDoc', description: '1 leaves out metricsDocumentation.' },
    ],
    differences: 'prettyDate and column names are always English; reportTotal sums the stored metrics of the rows returned.',
    handler: (call) => serveProcessedReport(call, definitions),
  });
}
