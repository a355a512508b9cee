/** Archiving of Actions: pageview, download and outlink counts, and the page URL and page title trees. */
import { sql } from 'kysely';
import { countWhere, type LogQuery } from '../../archiving/log-query.js';
import type { ReportArchiver } from '../../archiving/report-archiver.js';
import type { ReportRow } from '../../archiving/report-table.js';
import { archiveNoResultKeywords, archiveSearchCategories } from './site-search-archiver.js';
import { loadEntryExit, sumStatsOf, toEntryExitMetrics, type EntryExit, type EntryExitByColumn } from './page-entry-exit.js';
import {
  buildPageTree, encodePageSegmentValue, placePageTitle, placePageUrl, placeUndefinedPageTitle, placeUndefinedPageUrl, type PageMetrics, type PagePlacement,
} from './page-tree.js';

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

/**
 * Returns the condition that drops downloads and outlinks without a title from the page title
 * pass. They have no title, as pageviews sent without `action_name` have none, but they are
 * not pageviews. The type of the URL is looked up only for rows without a title.
 */
function isNotLinkWithoutTitle() {
  const url = sql.ref('log_link_visit_action.idaction_url');
  const urlType = sql`(select ${sql.ref('log_action.type')} from ${sql.table('log_action')} where ${sql.ref('log_action.idaction')} = ${url})`;
  const links = sql.join([sql.lit(ACTION_TYPE.outlink), sql.lit(ACTION_TYPE.download)]);
  return sql<boolean>`(case when ${sql.ref('log_link_visit_action.idaction_name')} is not null or ${url} is null then 1 when ${urlType} in (${links}) then 0 else 1 end) = 1`;
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

/** The rows of one pass over the day's actions. */
interface PagePass {
  byType: Map<number, PageRow[]>;
  /**
   * Pageviews whose column is null: pageviews without a URL, or without a title. Their entry
   * and exit metrics are zero here, and `withUndefinedEntryExit` adds them.
   */
  withoutAction: PageMetrics | null;
}

/**
 * Aggregates the pageviews of the actions of `types` that `column` points to, grouped by
 * action and ordered by action id, in one scan of the day's actions for all types. `all_hits` also counts rows that
 * are not pageviews, for the site search totals. Returns the rows by action type, and the
 * pageviews where `column` is null.
 *
 * The URL pass counts every row without a URL that is not an event or content interaction
 * as a pageview without a URL. That includes a site search, and a download or outlink whose
 * URL the tracker rejected, as Matomo 5 counts them in its "Page URL not defined" row.
 */
async function loadPageMetrics(query: LogQuery, column: PageColumn, types: readonly number[], entryExit: EntryExit): Promise<PagePass> {
  const pageview = isPageview();
  const whenPageview = (value: ReturnType<typeof sql.ref>) => sql`case when ${pageview} then ${value} end`;
  const actionRef = sql.ref(`log_link_visit_action.${column}`);
  // Grouping before the join looks up each action's type once per action instead of once per hit.
  let perAction = query.actions()
    .select([
      sql<number | null>`${actionRef}`.as('idaction'),
      countWhere(pageview).as('nb_hits'),
      sql<number>`count(distinct ${whenPageview(sql.ref('log_link_visit_action.idvisit'))})`.as('nb_visits'),
      sql<number>`count(distinct ${whenPageview(sql.ref('log_link_visit_action.idvisitor'))})`.as('nb_uniq_visitors'),
      sql<number>`sum(case when ${pageview} then coalesce(${sql.ref('log_link_visit_action.time_spent')}, 0) else 0 end)`.as('sum_time_spent'),
      sql<number>`count(*)`.as('all_hits'),
    ])
    .groupBy(actionRef);
  if (column === 'idaction_name') perAction = perAction.where(isNotLinkWithoutTitle());
  const hits = await query.db.selectFrom(perAction.as('per_action'))
    .leftJoin('log_action', 'log_action.idaction', 'per_action.idaction')
    .where((eb) => eb.or([eb('log_action.type', 'in', [...types]), eb('per_action.idaction', 'is', null)]))
    .select([
      'per_action.idaction', 'log_action.name', 'log_action.url_prefix', 'log_action.type',
      'per_action.nb_hits', 'per_action.nb_visits', 'per_action.nb_uniq_visitors', 'per_action.sum_time_spent', 'per_action.all_hits',
    ])
    .orderBy('per_action.idaction')
    .execute();
  const entries = entryExit.entries[column];
  const exits = entryExit.exits[column];

  const pass: PagePass = { byType: new Map(types.map((type) => [type, []])), withoutAction: null };
  for (const row of hits) {
    const pageMetrics = {
      nb_visits: Number(row.nb_visits), nb_uniq_visitors: Number(row.nb_uniq_visitors), nb_hits: Number(row.nb_hits), sum_time_spent: Number(row.sum_time_spent),
    };
    if (row.idaction === null) {
      pass.withoutAction = { ...pageMetrics, ...toEntryExitMetrics(undefined, undefined) };
      continue;
    }
    const idaction = Number(row.idaction);
    pass.byType.get(Number(row.type))!.push({
      idaction, name: row.name!, url_prefix: row.url_prefix === null ? null : Number(row.url_prefix), allHits: Number(row.all_hits),
      metrics: { ...pageMetrics, ...toEntryExitMetrics(entries.get(idaction), exits.get(idaction)) },
    });
  }
  return pass;
}

/**
 * Adds the entry and exit metrics to the pageviews without a title (`untitledByUrl`) or
 * without a URL (`withoutUrlByTitle`). `pageIds` are the page URLs (or titles) viewed on the
 * day, the other action of the visits' entry and exit pairs. Returns null when the day has
 * no such pageview.
 *
 * NOTE: Matomo 5 gives these rows no entry or exit metrics, because it stores a missing title
 * or URL as action id 0 and its entry and exit queries skip id 0. A visit whose entry (or
 * exit) pageview had neither a title nor a URL counts on neither row here.
 */
function withUndefinedEntryExit(
  metrics: PageMetrics | null, entryExit: EntryExit, key: keyof Pick<EntryExitByColumn, 'untitledByUrl' | 'withoutUrlByTitle'>, pageIds: ReadonlySet<number>,
): PageMetrics | null {
  if (metrics === null || metrics.nb_hits === 0) return null;
  return { ...metrics, ...toEntryExitMetrics(sumStatsOf(entryExit.entries[key], pageIds), sumStatsOf(entryExit.exits[key], pageIds)) };
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
 * count of a type is the sum over its URLs of their visits. Pageviews without a URL count too,
 * with their visits as unique pageviews, as Matomo 5 sums its page URL table. Searches count
 * every action on a keyword, pageview or not.
 */
function actionCounts(urlRows: Map<number, PageRow[]>, nameRows: Map<number, PageRow[]>, withoutUrl: PageMetrics | null): Record<string, number> {
  const hits = (type: number) => sumOf(urlRows.get(type)!, (row) => row.metrics.nb_hits);
  const uniques = (type: number) => sumOf(urlRows.get(type)!, (row) => row.metrics.nb_visits);
  const searches = nameRows.get(ACTION_TYPE.siteSearch)!;
  return {
    nb_pageviews: hits(ACTION_TYPE.pageUrl) + (withoutUrl?.nb_hits ?? 0), nb_uniq_pageviews: uniques(ACTION_TYPE.pageUrl) + (withoutUrl?.nb_visits ?? 0),
    nb_downloads: hits(ACTION_TYPE.download), nb_uniq_downloads: uniques(ACTION_TYPE.download),
    nb_outlinks: hits(ACTION_TYPE.outlink), nb_uniq_outlinks: uniques(ACTION_TYPE.outlink),
    nb_searches: sumOf(searches, (row) => row.allHits), nb_keywords: searches.length,
  };
}

/** Pages of one page report before they are built into a tree. */
type PlacedPages = { placement: PagePlacement; metrics: PageMetrics }[];

/**
 * Places the viewed pages of a URL or title pass, then the row of pageviews without one, so
 * the report's hits add up to every pageview of the day.
 */
function placePages(rows: readonly PageRow[], place: (row: PageRow) => PagePlacement, undefinedPages: PageMetrics | null, placeUndefined: () => PagePlacement): PlacedPages {
  const pages = pageviewRows(rows).map((row) => ({ placement: place(row), metrics: row.metrics }));
  if (undefinedPages !== null) pages.push({ placement: placeUndefined(), metrics: undefinedPages });
  return pages;
}

/** Returns the action ids of the rows with at least one pageview. */
function viewedIds(rows: readonly PageRow[]): Set<number> {
  return new Set(pageviewRows(rows).map((row) => row.idaction));
}

/** Builds a page report and its entry and exit variants, which keep the pages that started or ended visits. */
function buildPageReports(pages: PlacedPages, names: { all: string; entry: string; exit: string }): Record<string, ReportRow[]> {
  return {
    [names.all]: buildPageTree(pages),
    [names.entry]: buildPageTree(pages.filter((page) => page.metrics.entry_nb_visits > 0)),
    [names.exit]: buildPageTree(pages.filter((page) => page.metrics.exit_nb_visits > 0)),
  };
}

/** Computes Actions.get and the page URL and page title tables of a day. */
export const actionsArchiver: ReportArchiver = {
  module: 'Actions',

  async archiveDay(query) {
    const entryExit: EntryExit = { entries: await loadEntryExit(query, 'entry'), exits: await loadEntryExit(query, 'exit') };
    const urlPass = await loadPageMetrics(query, 'idaction_url', [ACTION_TYPE.pageUrl, ACTION_TYPE.outlink, ACTION_TYPE.download], entryExit);
    const namePass = await loadPageMetrics(query, 'idaction_name', [ACTION_TYPE.pageTitle, ACTION_TYPE.siteSearch], entryExit);
    const urlRows = urlPass.byType;
    const nameRows = namePass.byType;
    const withoutUrl = withUndefinedEntryExit(urlPass.withoutAction, entryExit, 'withoutUrlByTitle', viewedIds(nameRows.get(ACTION_TYPE.pageTitle)!));
    const withoutTitle = withUndefinedEntryExit(namePass.withoutAction, entryExit, 'untitledByUrl', viewedIds(urlRows.get(ACTION_TYPE.pageUrl)!));
    const numerics = actionCounts(urlRows, nameRows, withoutUrl);
    const urls = placePages(urlRows.get(ACTION_TYPE.pageUrl)!, (row) => placePageUrl(fullActionUrl(row.name, row.url_prefix)), withoutUrl, placeUndefinedPageUrl);
    const titles = placePages(nameRows.get(ACTION_TYPE.pageTitle)!, (row) => placePageTitle(row.name), withoutTitle, placeUndefinedPageTitle);
    const downloads = pageviewRows(urlRows.get(ACTION_TYPE.download)!);
    const outlinks = pageviewRows(urlRows.get(ACTION_TYPE.outlink)!);
    const searches = pageviewRows(nameRows.get(ACTION_TYPE.siteSearch)!);
    // Both site search reports read only keyword actions, so a day without any skips their scans.
    const hasSearches = numerics.nb_searches! > 0;
    return {
      numerics,
      reports: {
        ...buildPageReports(urls, { all: 'Actions_getPageUrls', entry: 'Actions_getEntryPageUrls', exit: 'Actions_getExitPageUrls' }),
        ...buildPageReports(titles, { all: 'Actions_getPageTitles', entry: 'Actions_getEntryPageTitles', exit: 'Actions_getExitPageTitles' }),
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
