/** CustomDimensions.getCustomDimension: visits by the value of one custom dimension. */
import type { ApiParams } from '../../api/api-params.js';
import { FootfallError, quote } from '../../errors.js';
import type { ReportDefinition } from '../report-definition.js';
import { describeReport } from '../report-metadata.js';
import { CUSTOM_DIMENSION_SLOTS, customDimensionRecord } from './custom-dimensions-archiver.js';

function recordFor(params: ApiParams): string {
  const raw = params.requiredString('idDimension');
  const slot = Number(raw);
  if (!(CUSTOM_DIMENSION_SLOTS as readonly number[]).includes(slot) || !/^[0-9]+$/.test(raw)) {
    throw new FootfallError('PARAMETER_INVALID', `Invalid idDimension ${quote(raw)}. Use the id of a visit-scope custom dimension, from 1 to ${CUSTOM_DIMENSION_SLOTS.length}.`);
  }
  return customDimensionRecord(slot);
}

/**
 * The CustomDimensions reports.
 *
 * NOTE: only visit-scope dimensions are archived, and `idDimension` is read as the
 * dimension's slot in `log_visit`; action-scope dimensions return no rows.
 */
export const CUSTOM_DIMENSIONS_REPORTS: readonly ReportDefinition[] = [
  {
    kind: 'table', name: 'CustomDimensions.getCustomDimension', record: customDimensionRecord(1), recordFor, defaultSortColumn: 'nb_visits',
    description: 'Returns visits by the value of the visit-scope custom dimension given by idDimension.',
    metadata: describeReport({ category: 'Visitors', subcategory: 'Custom Dimensions', name: 'Custom Dimension', dimension: 'Custom Dimension' }),
    // Listed once per configured dimension, which getReportMetadata does not read yet.
    unlisted: true,
  },
];
