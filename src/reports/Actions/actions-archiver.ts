/** Archiving of Actions: pageview, download and outlink counts, and the page URL and page title trees. */
import { sql } from 'kysely';
import { countWhere, type LogQuery } from '../../archiving/log-query.js';
import type { ReportArchiver } from '../../archiving/report-archiver.js';
import type { ReportRow } from '../../archiving/report-table.js';
import { archiveNoResultKeywords, archiveSearchCategories } from './site-search-archiver.js';
import { buildPageTree, encodePageSegmentValue, placePageTitle, placePageUrl, type PageMetrics } from './page-tree.js';

/** URL prefixes by `log_action.url_prefix`. */
const URL_PREFIXES: Readonly<Record<number, string>> = { 0: 'http://', 1: 'http://www.', 2: 'https://', 3: 'https://www.' };

/** log_action types: page URL, outlink, download, page title, site search keyword. */
const ACTION_TYPE = { pageUrl: 1, outlink: 2, download: 3, pageTitle: 4, siteSearch: 8 } as const;

/** Returns the full URL of a log_action row, putting back the prefix stored in `url_prefix`. */
export function fullActionUrl(name: string, urlPrefix: number | null): string {
  return `${urlPrefix === null ? '' : URL_PREFIXES[urlPrefix] ?? ''}${name}`;
}

function isPageview() {
  // Events and content interactions also carry the page URL, but they are not pageviews.
  return sql<boolean>`${sql.ref('log_link_visit_action.idaction_event_category')} is null and ${sql.ref('log_link_visit_action.idaction_content_interaction')} is null`;
}

type PageColumn = 'idaction_url' | 'idaction_name';

/**
 * Builds the table of downloads or outlinks: one row per domain with its URLs as the
 * subtable. `segmentName` names the URL in the rows' segment metadata.
 */
function buildDomainTree(rows: readonly PageRow[], segmentName: string): ReportRow[] {
  const domains = new Map<string, ReportRow>();
  for (const row of rows) {
    const url = fullActionUrl(row.name, row.url_prefix);
    const domain = row.name.split('/')[0]!.replace(/^www\./, '');
    const metrics = { nb_visits: row.metrics.nb_visits, nb_uniq_visitors: row.metrics.nb_uniq_visitors, nb_hits: row.metrics.nb_hits };
    const leaf: ReportRow = { label: url, metrics, metadata: { url, segment: `${segmentName}==${encodePageSegmentValue(url)}` } };
    const parent = domains.get(domain);
    if (!parent) {
      domains.set(domain, { label: domain, metrics: { nb_visits: metrics.nb_visits, nb_hits: metrics.nb_hits }, metadata: { segment: `${segmentName}=@${encodePageSegmentValue(domain)}` }, subtable: [leaf] });
      continue;
    }
    parent.metrics.nb_visits! += metrics.nb_visits;
    parent.metrics.nb_hits! += metrics.nb_hits;
    parent.subtable!.push(leaf);
  }
  const byHits = (a: ReportRow, b: ReportRow) => (b.metrics.nb_hits ?? 0) - (a.metrics.nb_hits ?? 0) || a.label.localeCompare(b.label);
  for (const domain of domains.values()) domain.subtable!.sort(byHits);
  return [...domains.values()].sort(byHits);
}

interface PageRow {
  idaction: number;
  name: string;
  url_prefix: number | null;
  /** Hits on this action of any kind, pageviews or not. */
  allHits: number;
  metrics: PageMetrics;
}

/**
 * Aggregates the pageviews of the actions of `types` that `column` points to, grouped by
 * action and ordered by action id, in one scan of the day's actions for all types. `all_hits` also counts rows that
 * are not pageviews, for the site search totals. Returns the rows by action type.
 */
async function loadPageMetrics(
  query: LogQuery, column: PageColumn, types: readonly number[], entryExit: { entries: EntryExitByColumn; exits: EntryExitByColumn },
): Promise<Map<number, PageRow[]>> {
  const pageview = isPageview();
  const whenPageview = (value: ReturnType<typeof sql.ref>) => sql`case when ${pageview} then ${value} end`;
  const actionRef = sql.ref(`log_link_visit_action.${column}`);
  // Grouping before the join looks up each action's type once per action instead of once per hit.
  const perAction = query.actions()
    .select([
      sql<number>`${actionRef}`.as('idaction'),
      countWhere(pageview).as('nb_hits'),
      sql<number>`count(distinct ${whenPageview(sql.ref('log_link_visit_action.idvisit'))})`.as('nb_visits'),
      sql<number>`count(distinct ${whenPageview(sql.ref('log_link_visit_action.idvisitor'))})`.as('nb_uniq_visitors'),
      sql<number>`sum(case when ${pageview} then coalesce(${sql.ref('log_link_visit_action.time_spent')}, 0) else 0 end)`.as('sum_time_spent'),
      sql<number>`count(*)`.as('all_hits'),
    ])
    .groupBy(actionRef);
  const hits = await query.db.selectFrom(perAction.as('per_action'))
    .innerJoin('log_action', 'log_action.idaction', 'per_action.idaction')
    .where('log_action.type', 'in', [...types])
    .select([
      'log_action.idaction', 'log_action.name', 'log_action.url_prefix', 'log_action.type',
      'per_action.nb_hits', 'per_action.nb_visits', 'per_action.nb_uniq_visitors', 'per_action.sum_time_spent', 'per_action.all_hits',
    ])
    .orderBy('log_action.idaction')
    .execute();
  const entries = entryExit.entries[column];
  const exits = entryExit.exits[column];

  const byType = new Map<number, PageRow[]>(types.map((type) => [type, []]));
  for (const row of hits) {
    const idaction = Number(row.idaction);
    const entry = entries.get(idaction);
    byType.get(Number(row.type))!.push({
      idaction, name: row.name, url_prefix: row.url_prefix === null ? null : Number(row.url_prefix), allHits: Number(row.all_hits),
      metrics: {
        nb_visits: Number(row.nb_visits), nb_uniq_visitors: Number(row.nb_uniq_visitors), nb_hits: Number(row.nb_hits), sum_time_spent: Number(row.sum_time_spent),
        entry_nb_visits: entry?.visits ?? 0, entry_nb_actions: entry?.actions ?? 0, entry_sum_visit_length: entry?.length ?? 0, entry_bounce_count: entry?.bounces ?? 0,
        exit_nb_visits: exits.get(idaction)?.visits ?? 0,
      },
    });
  }
  return byType;
}

/** Returns the rows of actions with at least one pageview, the rows the page reports list. */
function pageviewRows(rows: readonly PageRow[]): PageRow[] {
  return rows.filter((row) => row.metrics.nb_hits > 0);
}

function sumOf(rows: readonly PageRow[], metric: (row: PageRow) => number): number {
  return rows.reduce((total, row) => total + metric(row), 0);
}

/**
 * Returns the Actions.get metrics. A unique pageview is one (visit, URL) pair, so the unique
 * count of a type is the sum over its URLs of their visits. Searches count every action on
 * a keyword, pageview or not.
 */
function actionCounts(urlRows: Map<number, PageRow[]>, nameRows: Map<number, PageRow[]>): Record<string, number> {
  const hits = (type: number) => sumOf(urlRows.get(type)!, (row) => row.metrics.nb_hits);
  const uniques = (type: number) => sumOf(urlRows.get(type)!, (row) => row.metrics.nb_visits);
  const searches = nameRows.get(ACTION_TYPE.siteSearch)!;
  return {
    nb_pageviews: hits(ACTION_TYPE.pageUrl), nb_uniq_pageviews: uniques(ACTION_TYPE.pageUrl),
    nb_downloads: hits(ACTION_TYPE.download), nb_uniq_downloads: uniques(ACTION_TYPE.download),
    nb_outlinks: hits(ACTION_TYPE.outlink), nb_uniq_outlinks: uniques(ACTION_TYPE.outlink),
    nb_searches: sumOf(searches, (row) => row.allHits), nb_keywords: searches.length,
  };
}

/** Visits that entered or left the site on one action, with their actions, length and bounces. */
interface EntryExitStats {
  visits: number;
  actions: number;
  length: number;
  bounces: number;
}

/** Entry or exit visits by page URL action and by page title action. */
interface EntryExitByColumn {
  idaction_url: Map<number, EntryExitStats>;
  idaction_name: Map<number, EntryExitStats>;
}

function addStats(byAction: Map<number, EntryExitStats>, idaction: number, stats: EntryExitStats): void {
  const existing = byAction.get(idaction);
  if (!existing) {
    byAction.set(idaction, { ...stats });
    return;
  }
  existing.visits += stats.visits;
  existing.actions += stats.actions;
  existing.length += stats.length;
  existing.bounces += stats.bounces;
}

/**
 * Loads the entry (or exit) visits of every page URL and page title in one GROUP BY over
 * the (URL, title) pairs, then sums the pairs per URL and per title. Every metric is a count
 * or a sum, so the sums equal grouping by each column alone. Exit rows carry only visits.
 */
async function loadEntryExit(query: LogQuery, kind: 'entry' | 'exit'): Promise<EntryExitByColumn> {
  const url = sql.ref(`log_visit.visit_${kind}_idaction_url`);
  const name = sql.ref(`log_visit.visit_${kind}_idaction_name`);
  const rows = await query.visits()
    .where((eb) => eb.or([eb(url, 'is not', null), eb(name, 'is not', null)]))
    .select([
      sql<number | null>`${url}`.as('idaction_url'),
      sql<number | null>`${name}`.as('idaction_name'),
      sql<number>`count(*)`.as('visits'),
      sql<number>`sum(${sql.ref('log_visit.visit_total_actions')})`.as('actions'),
      sql<number>`sum(${sql.ref('log_visit.visit_total_time')})`.as('length'),
      countWhere(sql`${sql.ref('log_visit.visit_total_actions')} <= 1`).as('bounces'),
    ])
    .groupBy([sql.raw('1'), sql.raw('2')])
    .execute();

  const byColumn: EntryExitByColumn = { idaction_url: new Map(), idaction_name: new Map() };
  const withDetails = kind === 'entry';
  for (const row of rows) {
    const stats: EntryExitStats = {
      visits: Number(row.visits),
      actions: withDetails ? Number(row.actions) : 0, length: withDetails ? Number(row.length) : 0, bounces: withDetails ? Number(row.bounces) : 0,
    };
    if (row.idaction_url !== null) addStats(byColumn.idaction_url, Number(row.idaction_url), stats);
    if (row.idaction_name !== null) addStats(byColumn.idaction_name, Number(row.idaction_name), stats);
  }
  return byColumn;
}

/** Computes Actions.get and the page URL and page title tables of a day. */
export const actionsArchiver: ReportArchiver = {
  module: 'Actions',

  async archiveDay(query) {
    const entryExit = { entries: await loadEntryExit(query, 'entry'), exits: await loadEntryExit(query, 'exit') };
    const urlRows = await loadPageMetrics(query, 'idaction_url', [ACTION_TYPE.pageUrl, ACTION_TYPE.outlink, ACTION_TYPE.download], entryExit);
    const nameRows = await loadPageMetrics(query, 'idaction_name', [ACTION_TYPE.pageTitle, ACTION_TYPE.siteSearch], entryExit);
    const numerics = actionCounts(urlRows, nameRows);
    const urls = pageviewRows(urlRows.get(ACTION_TYPE.pageUrl)!)
      .map((row) => ({ placement: placePageUrl(fullActionUrl(row.name, row.url_prefix)), metrics: row.metrics }));
    const titles = pageviewRows(nameRows.get(ACTION_TYPE.pageTitle)!)
      .map((row) => ({ placement: placePageTitle(row.name), metrics: row.metrics }));
    const downloads = pageviewRows(urlRows.get(ACTION_TYPE.download)!);
    const outlinks = pageviewRows(urlRows.get(ACTION_TYPE.outlink)!);
    const searches = pageviewRows(nameRows.get(ACTION_TYPE.siteSearch)!);
    // Both site search reports read only keyword actions, so a day without any skips their scans.
    const hasSearches = numerics.nb_searches! > 0;
    return {
      numerics,
      reports: {
        Actions_getPageUrls: buildPageTree(urls),
        Actions_getEntryPageUrls: buildPageTree(urls.filter((page) => page.metrics.entry_nb_visits > 0)),
        Actions_getExitPageUrls: buildPageTree(urls.filter((page) => page.metrics.exit_nb_visits > 0)),
        Actions_getPageTitles: buildPageTree(titles),
        Actions_getEntryPageTitles: buildPageTree(titles.filter((page) => page.metrics.entry_nb_visits > 0)),
        Actions_getExitPageTitles: buildPageTree(titles.filter((page) => page.metrics.exit_nb_visits > 0)),
        Actions_getDownloads: buildDomainTree(downloads, 'downloadUrl'),
        Actions_getOutlinks: buildDomainTree(outlinks, 'outlinkUrl'),
        Actions_getSiteSearchNoResultKeywords: hasSearches ? await archiveNoResultKeywords(query) : [],
        Actions_getSiteSearchCategories: hasSearches ? await archiveSearchCategories(query) : [],
        Actions_getSiteSearchKeywords: searches.map((row) => ({
          label: row.name, metrics: { nb_visits: row.metrics.nb_visits, nb_hits: row.metrics.nb_hits }, metadata: { segment: `siteSearchKeyword==${encodePageSegmentValue(row.name)}` },
        })),
      },
    };
  },
};
