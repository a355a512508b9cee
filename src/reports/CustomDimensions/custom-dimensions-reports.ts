/** CustomDimensions.getCustomDimension: visits or actions by the value of one configured custom dimension. */
import type { ApiParams } from '../../api/api-params.js';
import type { ApiObject } from '../../api/api-value.js';
import { FootfallError, quote } from '../../errors.js';
import type { TableReportDefinition } from '../report-definition.js';
import { describeReport, type ReportMetadata } from '../report-metadata.js';
import { formatPercent } from '../visit-metrics.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { loadCustomDimension, type CustomDimension } from './custom-dimension-store.js';
import { customDimensionRecord } from './custom-dimensions-archiver.js';

/** @throws FootfallError PARAMETER_MISSING or PARAMETER_INVALID for a missing or malformed idDimension. */
function parseDimensionId(params: ApiParams): number {
  const raw = params.requiredString('idDimension');
  if (!/^[1-9][0-9]*$/.test(raw)) {
    throw new FootfallError('PARAMETER_INVALID', `Invalid idDimension ${quote(raw)}. Use the id of a custom dimension that CustomDimensions.getConfiguredCustomDimensions lists.`);
  }
  return Number(raw);
}

function recordFor(params: ApiParams): string {
  return customDimensionRecord(parseDimensionId(params));
}

/** Returns the processed metrics of an action-scope row, recognised by its `nb_hits`. Visit-scope rows get none, as Matomo serves them. */
function processActionMetrics(metrics: Readonly<Record<string, number>>): ApiObject {
  if (metrics.nb_hits === undefined) return {};
  const hits = metrics.nb_hits;
  const visits = metrics.nb_visits ?? 0;
  return {
    avg_time_on_dimension: hits === 0 ? 0 : Math.round((metrics.sum_time_spent ?? 0) / hits),
    bounce_rate: formatPercent(metrics.bounce_count ?? 0, visits),
    exit_rate: formatPercent(metrics.exit_nb_visits ?? 0, visits),
  };
}

const VISIT_SCOPE_METADATA = describeReport({ category: 'Visitors', subcategory: 'Custom Dimensions', name: 'Custom Dimension', dimension: 'Custom Dimension' });

/** Returns the metadata `API.getReportMetadata` lists for one configured dimension, named after it. */
export function describeCustomDimensionReport(dimension: CustomDimension): ReportMetadata {
  if (dimension.scope === 'visit') return { ...VISIT_SCOPE_METADATA, name: dimension.name, dimension: dimension.name, subcategory: `customdimension${dimension.idcustomdimension}` };
  return describeReport({
    category: 'Actions', subcategory: `customdimension${dimension.idcustomdimension}`, name: dimension.name, dimension: dimension.name,
    metrics: ['nb_hits', 'nb_visits'], processedMetrics: ['avg_time_on_dimension', 'bounce_rate', 'exit_rate'],
  });
}

/**
 * Checks that `idDimension` names a dimension of the site. An inactive one is accepted and has
 * rows only for days archived while it was active.
 *
 * @throws FootfallError CUSTOM_DIMENSION_NOT_FOUND when the site has no dimension of this id.
 */
async function checkDimensionExists(db: Kysely<Database>, siteId: number, params: ApiParams): Promise<void> {
  await loadCustomDimension(db, siteId, parseDimensionId(params));
}

/** The CustomDimensions reports, listed by `API.getReportMetadata` once per active dimension of the site. */
export const CUSTOM_DIMENSIONS_REPORTS: readonly TableReportDefinition[] = [
  {
    kind: 'table', name: 'CustomDimensions.getCustomDimension', record: customDimensionRecord(1), recordFor, defaultSortColumn: 'nb_visits',
    description: 'Returns visits by the value of a visit-scope custom dimension, or actions with their page URLs as subtables for an action-scope one, given by idDimension.',
    metadata: VISIT_SCOPE_METADATA,
    processMetrics: processActionMetrics,
    checkParams: checkDimensionExists,
    listPerCustomDimension: true,
  },
];
