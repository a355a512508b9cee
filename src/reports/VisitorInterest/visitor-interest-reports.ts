/** The VisitorInterest reports: how long visits last and how many pages they see. */
import type { ReportDefinition } from '../report-definition.js';
import { describeReport } from '../report-metadata.js';

/** The VisitorInterest reports, in bucket order. */
export const VISITOR_INTEREST_REPORTS: readonly ReportDefinition[] = [
  {
    kind: 'table', name: 'VisitorInterest.getNumberOfVisitsPerVisitDuration', record: 'VisitorInterest_getNumberOfVisitsPerVisitDuration', defaultSortColumn: null,
    description: 'Returns visits by length of visit, in buckets from 0-10s to 30+ min.',
    metadata: describeReport({ category: 'Behaviour', subcategory: 'Engagement', name: 'Visits per visit duration', dimension: 'Visit Duration', metrics: ['nb_visits'] }),
  },
  {
    kind: 'table', name: 'VisitorInterest.getNumberOfVisitsPerPage', record: 'VisitorInterest_getNumberOfVisitsPerPage', defaultSortColumn: null,
    description: 'Returns visits by number of actions, in buckets from 1 page to 51+ pages.',
    metadata: describeReport({ category: 'Behaviour', subcategory: 'Engagement', name: 'Visits per number of pages', dimension: 'Number of pages per visit', metrics: ['nb_visits'] }),
  },
];
