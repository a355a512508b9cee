/** The VisitorInterest reports: how long visits last and how many pages they see. */
import type { ReportDefinition } from '../report-definition.js';

/** The VisitorInterest reports, in bucket order. */
export const VISITOR_INTEREST_REPORTS: readonly ReportDefinition[] = [
  {
    kind: 'table', name: 'VisitorInterest.getNumberOfVisitsPerVisitDuration', record: 'VisitorInterest_getNumberOfVisitsPerVisitDuration', defaultSortColumn: null,
    description: 'Returns visits by length of visit, in buckets from 0-10s to 30+ min.',
  },
  {
    kind: 'table', name: 'VisitorInterest.getNumberOfVisitsPerPage', record: 'VisitorInterest_getNumberOfVisitsPerPage', defaultSortColumn: null,
    description: 'Returns visits by number of actions, in buckets from 1 page to 51+ pages.',
  },
];
