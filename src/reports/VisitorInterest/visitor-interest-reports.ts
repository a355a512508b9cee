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
  {
    kind: 'table', name: 'VisitorInterest.getNumberOfVisitsByVisitCount', record: 'VisitorInterest_getNumberOfVisitsByVisitCount', defaultSortColumn: null,
    description: 'Returns visits by the visitor\'s number of visits so far, in buckets from 1 visit to 200+ visits.',
    metadata: describeReport({ category: 'Behaviour', subcategory: 'Engagement', name: 'Visits by Visit Number', dimension: 'Visit Number', metrics: ['nb_visits'] }),
  },
  {
    kind: 'table', name: 'VisitorInterest.getNumberOfVisitsByDaysSinceLast', record: 'VisitorInterest_getNumberOfVisitsByDaysSinceLast', defaultSortColumn: null,
    description: 'Returns returning visits by whole days since the visitor\'s previous visit, in buckets from 0 days to 365+ days.',
    metadata: describeReport({ category: 'Behaviour', subcategory: 'Engagement', name: 'Visits by days since last visit', dimension: 'Days since last visit', metrics: ['nb_visits'] }),
  },
];
