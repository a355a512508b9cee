/** Archiving of the site search reports beyond keywords: keywords without results and search categories. */
import { sql } from 'kysely';
import type { LogQuery } from '../../archiving/log-query.js';
import type { ReportRow } from '../../archiving/report-table.js';
import { encodePageSegmentValue } from './page-tree.js';

/** `log_action.type` of a site search keyword. */
const SITE_SEARCH_TYPE = 8;

function searchActions(query: LogQuery) {
  return query.actions()
    .innerJoin('log_action', 'log_action.idaction', 'log_link_visit_action.idaction_name')
    .where('log_action.type', '=', SITE_SEARCH_TYPE);
}

const hitMetrics = () => [
  sql<number>`count(distinct ${sql.ref('log_link_visit_action.idvisit')})`.as('nb_visits'),
  sql<number>`count(*)`.as('nb_hits'),
] as const;

const byHits = (left: ReportRow, right: ReportRow) => (right.metrics.nb_hits ?? 0) - (left.metrics.nb_hits ?? 0) || left.label.localeCompare(right.label);

/** Returns the keywords of searches that found nothing (`search_count` of 0), with visits and searches. */
export async function archiveNoResultKeywords(query: LogQuery): Promise<ReportRow[]> {
  const rows = await searchActions(query)
    .where('log_link_visit_action.search_count', '=', 0)
    .select(['log_action.name', ...hitMetrics()])
    .groupBy('log_action.name')
    .execute();
  return rows.map((row): ReportRow => ({
    label: row.name, metrics: { nb_visits: Number(row.nb_visits), nb_hits: Number(row.nb_hits) },
    metadata: { segment: `siteSearchKeyword==${encodePageSegmentValue(row.name)}` },
  })).sort(byHits);
}

/** Returns the categories searches were made in (`search_cat`), with visits and searches; searches without a category are left out. */
export async function archiveSearchCategories(query: LogQuery): Promise<ReportRow[]> {
  const category = sql.ref('log_link_visit_action.search_cat');
  const rows = await searchActions(query)
    .where(category, 'is not', null)
    .where(category, '<>', '')
    .select([sql<string>`${category}`.as('category'), ...hitMetrics()])
    .groupBy(category)
    .execute();
  return rows.map((row): ReportRow => ({ label: String(row.category), metrics: { nb_visits: Number(row.nb_visits), nb_hits: Number(row.nb_hits) } })).sort(byHits);
}
