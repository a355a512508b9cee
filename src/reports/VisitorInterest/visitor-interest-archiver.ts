/** Archiving of VisitorInterest: visits counted in buckets of visit length and of pages per visit. */
import { sql, type RawBuilder } from 'kysely';
import type { LogQuery } from '../../archiving/log-query.js';
import type { ReportArchiver } from '../../archiving/report-archiver.js';
import type { ReportRow } from '../../archiving/report-table.js';

/** One bucket: the smallest and largest value it counts (null for no upper end) and its label. */
export interface VisitBucket {
  min: number;
  max: number | null;
  label: string;
}

/**
 * Buckets of visit length in seconds. NOTE: bounds and labels follow Matomo's VisitorInterest
 * reports as remembered, not checked against its source.
 */
export const VISIT_DURATION_BUCKETS: readonly VisitBucket[] = [
  { min: 0, max: 10, label: '0-10s' }, { min: 11, max: 30, label: '11-30s' }, { min: 31, max: 60, label: '31-60s' },
  { min: 61, max: 120, label: '1-2 min' }, { min: 121, max: 240, label: '2-4 min' }, { min: 241, max: 420, label: '4-7 min' },
  { min: 421, max: 600, label: '7-10 min' }, { min: 601, max: 900, label: '10-15 min' }, { min: 901, max: 1800, label: '15-30 min' },
  { min: 1801, max: null, label: '30+ min' },
];

/** Buckets of actions per visit, labelled in pages as Matomo labels them. */
export const PAGES_PER_VISIT_BUCKETS: readonly VisitBucket[] = [
  { min: 1, max: 1, label: '1 page' }, { min: 2, max: 2, label: '2 pages' }, { min: 3, max: 3, label: '3 pages' },
  { min: 4, max: 4, label: '4 pages' }, { min: 5, max: 5, label: '5 pages' }, { min: 6, max: 7, label: '6-7 pages' },
  { min: 8, max: 10, label: '8-10 pages' }, { min: 11, max: 14, label: '11-14 pages' }, { min: 15, max: 20, label: '15-20 pages' },
  { min: 21, max: 30, label: '21-30 pages' }, { min: 31, max: 50, label: '31-50 pages' }, { min: 51, max: null, label: '51+ pages' },
];

/** Buckets of the visitor's visit count (1 for a first visit). NOTE: like the other buckets, recalled from Matomo, not checked against its source. */
export const VISIT_COUNT_BUCKETS: readonly VisitBucket[] = [
  ...[1, 2, 3, 4, 5, 6, 7, 8].map((count) => ({ min: count, max: count, label: count === 1 ? '1 visit' : `${count} visits` })),
  { min: 9, max: 14, label: '9-14 visits' }, { min: 15, max: 25, label: '15-25 visits' }, { min: 26, max: 50, label: '26-50 visits' },
  { min: 51, max: 100, label: '51-100 visits' }, { min: 101, max: 200, label: '101-200 visits' }, { min: 201, max: null, label: '200+ visits' },
];

/** Buckets of whole days since the visitor's previous visit; first visits have none and are not counted. */
export const DAYS_SINCE_LAST_VISIT_BUCKETS: readonly VisitBucket[] = [
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((days) => ({ min: days, max: days, label: days === 1 ? '1 day' : `${days} days` })),
  { min: 8, max: 14, label: '8-14 days' }, { min: 15, max: 30, label: '15-30 days' }, { min: 31, max: 60, label: '31-60 days' },
  { min: 61, max: 120, label: '61-120 days' }, { min: 121, max: 364, label: '121-364 days' }, { min: 365, max: null, label: '365+ days' },
];

/** Returns the index of a value's bucket as a CASE expression; values below the first bucket get none. */
function bucketExpression(value: RawBuilder<unknown>, buckets: readonly VisitBucket[]): RawBuilder<number> {
  const branches = buckets.map((bucket, index) => (bucket.max === null
    ? sql`when ${value} >= ${bucket.min} then ${index}`
    : sql`when ${value} <= ${bucket.max} and ${value} >= ${bucket.min} then ${index}`));
  return sql<number>`case ${sql.join(branches, sql` `)} else null end`;
}

async function archiveBuckets(query: LogQuery, value: string | RawBuilder<unknown>, buckets: readonly VisitBucket[], segmentName: string): Promise<ReportRow[]> {
  const expression = bucketExpression(typeof value === 'string' ? sql`${sql.ref(value)}` : value, buckets);
  const rows = await query.visits()
    .select([sql<number>`${expression}`.as('bucket'), sql<number>`count(*)`.as('nb_visits')])
    .groupBy(sql.raw('1'))
    .execute();
  const visits = new Map(rows.filter((row) => row.bucket !== null).map((row) => [Number(row.bucket), Number(row.nb_visits)]));
  if (visits.size === 0) return [];
  // Every bucket is listed, with 0 for those without visits, as Matomo lists them.
  return buckets.map((bucket, index) => ({
    label: bucket.label,
    metrics: { nb_visits: visits.get(index) ?? 0 },
    metadata: { segment: bucket.max === null ? `${segmentName}>=${bucket.min}` : `${segmentName}>=${bucket.min};${segmentName}<=${bucket.max}` },
  }));
}

/** Computes the VisitorInterest report tables of a day. */
export const visitorInterestArchiver: ReportArchiver = {
  module: 'VisitorInterest',

  async archiveDay(query) {
    return {
      numerics: {},
      reports: {
        VisitorInterest_getNumberOfVisitsPerVisitDuration: await archiveBuckets(query, 'log_visit.visit_total_time', VISIT_DURATION_BUCKETS, 'visitDuration'),
        VisitorInterest_getNumberOfVisitsPerPage: await archiveBuckets(query, 'log_visit.visit_total_actions', PAGES_PER_VISIT_BUCKETS, 'actions'),
        VisitorInterest_getNumberOfVisitsByVisitCount: await archiveBuckets(query, 'log_visit.visitor_count_visits', VISIT_COUNT_BUCKETS, 'visitCount'),
        // floor() because MariaDB divides integers into decimals where SQLite and PostgreSQL truncate.
        VisitorInterest_getNumberOfVisitsByDaysSinceLast: await archiveBuckets(
          query, sql`floor(${sql.ref('log_visit.visitor_seconds_since_last')} / 86400)`, DAYS_SINCE_LAST_VISIT_BUCKETS, 'daysSinceLastVisit',
        ),
      },
    };
  },
};
