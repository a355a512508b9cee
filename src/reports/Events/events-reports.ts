/** The Events reports: events by category, action and name. */
import type { ApiParams } from '../../api/api-params.js';
import type { ApiObject } from '../../api/api-value.js';
import { FootfallError, quote } from '../../errors.js';
import type { ReportDefinition, TableReportDefinition } from '../report-definition.js';
import { describeReport } from '../report-metadata.js';
import { EVENT_REPORT_DIMENSIONS, eventRecord, eventSegmentName, parseEventDimension } from './events-archiver.js';
import { roundTo } from '../visit-metrics.js';

function processEventMetrics(metrics: Readonly<Record<string, number>>): ApiObject {
  const withValue = metrics.nb_events_with_value ?? 0;
  return { avg_event_value: withValue === 0 ? 0 : roundTo((metrics.sum_event_value ?? 0) / withValue, 2) };
}

/**
 * Returns the record for `secondaryDimension` (eventAction, eventName or eventCategory), or the default one.
 *
 * @throws FootfallError PARAMETER_INVALID for the report's own dimension or an unknown name.
 */
function recordFor(action: string, params: ApiParams): string {
  const raw = params.optionalString('secondaryDimension');
  const dimensions = EVENT_REPORT_DIMENSIONS[action]!;
  if (raw === undefined || raw === '') return eventRecord(action, dimensions.secondaries[0]);
  const secondary = parseEventDimension(raw);
  if (secondary === undefined || !dimensions.secondaries.includes(secondary)) {
    const allowed = dimensions.secondaries.map(eventSegmentName).join(' or ');
    throw new FootfallError('PARAMETER_INVALID', `Invalid secondaryDimension ${quote(raw)} for Events.${action}. Use ${allowed}.`);
  }
  return eventRecord(action, secondary);
}

function eventReport(action: string, description: string, name: string, dimension: string): TableReportDefinition {
  const metadata = describeReport({
    category: 'Behaviour', subcategory: 'Events', name, dimension,
    metrics: ['nb_uniq_visitors', 'nb_visits', 'nb_events', 'nb_events_with_value', 'sum_event_value', 'min_event_value', 'max_event_value'],
    processedMetrics: ['avg_event_value'],
  });
  return {
    kind: 'table', name: `Events.${action}`, record: `Events_${action}`, recordFor: (params) => recordFor(action, params),
    description, metadata, defaultSortColumn: 'nb_events', processMetrics: processEventMetrics,
  };
}

/** The Events reports. */
export const EVENTS_REPORTS: readonly ReportDefinition[] = [
  eventReport('getCategory', 'Returns events by category, with the event actions of each as subtables.', 'Event Categories', 'Event Category'),
  eventReport('getAction', 'Returns events by action, with the event names of each as subtables.', 'Event Actions', 'Event Action'),
  eventReport('getName', 'Returns events by name, with the event actions of each as subtables.', 'Event Names', 'Event Name'),
];
