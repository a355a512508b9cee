/** The Actions reports: pageviews, downloads, outlinks, and the page URL and title trees. */
import type { ApiObject } from '../../api/api-value.js';
import type { ReportRow } from '../../archiving/report-table.js';
import { encodePageSegmentValue, PAGE_URL_NOT_DEFINED } from './page-tree.js';
import type { FlatLabelRules } from '../datatable-filters.js';
import type { ReportDefinition, TableReportDefinition } from '../report-definition.js';
import { describeReport, type ReportMetadata } from '../report-metadata.js';
import { pickInOrder } from '../report-values.js';
import { formatPercent } from '../visit-metrics.js';

const ACTION_METRICS = ['nb_pageviews', 'nb_uniq_pageviews', 'nb_downloads', 'nb_uniq_downloads', 'nb_outlinks', 'nb_uniq_outlinks', 'nb_searches', 'nb_keywords'] as const;

function processPageMetrics(metrics: Readonly<Record<string, number>>): ApiObject {
  const hits = metrics.nb_hits ?? 0;
  return {
    avg_time_on_page: hits === 0 ? 0 : Math.round((metrics.sum_time_spent ?? 0) / hits),
    bounce_rate: formatPercent(metrics.entry_bounce_count ?? 0, metrics.entry_nb_visits ?? 0),
    exit_rate: formatPercent(metrics.exit_nb_visits ?? 0, metrics.nb_visits ?? 0),
  };
}

/** Returns the pages (leaf rows) anywhere in a page tree that match. */
function findPages(rows: readonly ReportRow[], matches: (row: ReportRow) => boolean): ReportRow[] {
  return rows.flatMap((row) => (row.subtable ? findPages(row.subtable, matches) : matches(row) ? [row] : []));
}

const PAGE_METRICS = ['nb_visits', 'nb_uniq_visitors', 'nb_hits', 'sum_time_spent', 'entry_nb_visits', 'entry_nb_actions', 'entry_sum_visit_length', 'entry_bounce_count', 'exit_nb_visits'];
const PAGE_PROCESSED_METRICS = ['avg_time_on_page', 'bounce_rate', 'exit_rate'];

/** Returns the metadata of a report of pages, listed under Actions. */
function describePageReport(subcategory: string, name: string, dimension: string): ReportMetadata {
  return describeReport({ category: 'Actions', subcategory, name, dimension, metrics: PAGE_METRICS, processedMetrics: PAGE_PROCESSED_METRICS });
}

/**
 * Rewrites a flattened page URL label as Matomo 5's Actions API does under flat=1
 * (plugins/Actions/DataTable/Filter/Actions.php, then getPageUrls in plugins/Actions/API.php).
 * A label ending in `/index`, the page of a folder's own URL, ends in `/` instead, and a `/`
 * is put before every label, so `blog/index` becomes `/blog/` and `blog/a` becomes `/blog/a`.
 * The row of pageviews without a URL keeps its label, as in Matomo 5.
 */
function rewriteFlatPageUrlLabel(label: string): string {
  if (label === PAGE_URL_NOT_DEFINED) return label;
  const withoutIndex = label.endsWith('/index') ? `${label.slice(0, -'/index'.length).replace(/\/+$/, '')}/` : label;
  return withoutIndex.startsWith('/') ? withoutIndex : `/${withoutIndex}`;
}

/**
 * Rules of flat=1 for the page URL reports. Every Actions report of Matomo 5 joins labels with
 * `/` (plugins/Actions/Reports/Base.php sets recursiveLabelSeparator).
 */
const PAGE_URL_FLAT_LABEL_RULES: FlatLabelRules = { separator: '/', rewriteLabel: rewriteFlatPageUrlLabel };

/** Rules of flat=1 for the Actions reports other than page URLs. */
const ACTIONS_FLAT_LABEL_RULES: FlatLabelRules = { separator: '/' };

function pageReport(action: string, sortColumn: string, description: string, metadata: ReportMetadata, flatLabelRules: FlatLabelRules): TableReportDefinition {
  return { kind: 'table', name: `Actions.${action}`, record: `Actions_${action}`, defaultSortColumn: sortColumn, description, metadata, processMetrics: processPageMetrics, flatLabelRules };
}

/** The Actions reports. */
export const ACTIONS_REPORTS: readonly ReportDefinition[] = [
  {
    kind: 'metrics',
    name: 'Actions.get',
    description: 'Returns pageviews, unique pageviews, downloads, outlinks and site searches of a period.',
    metadata: describeReport({ category: 'Actions', subcategory: 'Overview', name: 'Actions - Main metrics', metrics: ACTION_METRICS }),
    build(numerics) {
      const total = ACTION_METRICS.reduce((sum, name) => sum + (numerics[name] ?? 0), 0);
      return total === 0 ? null : pickInOrder(numerics, ACTION_METRICS);
    },
  },
  {
    kind: 'table', name: 'Actions.getPageUrls', record: 'Actions_getPageUrls', defaultSortColumn: 'nb_visits',
    description: 'Returns pageviews by page URL. Folders are rows with the pages inside them as subtables, and pageviews without a URL are in the row "Page URL not defined".',
    metadata: describePageReport('Pages', 'Page URLs', 'Page URL'),
    processMetrics: processPageMetrics,
    flatLabelRules: PAGE_URL_FLAT_LABEL_RULES,
  },
  {
    kind: 'table', name: 'Actions.getPageTitles', record: 'Actions_getPageTitles', defaultSortColumn: 'nb_visits',
    description: 'Returns pageviews by page title. Titles written as "Category / Title" are grouped by category, and pageviews without a title are in the row "Page Name not defined".',
    metadata: describePageReport('Page titles', 'Page titles', 'Page Name'),
    processMetrics: processPageMetrics,
    flatLabelRules: ACTIONS_FLAT_LABEL_RULES,
  },
  pageReport('getEntryPageUrls', 'entry_nb_visits', 'Returns the page URLs visits started on, with entry and bounce metrics.', describePageReport('Entry pages', 'Entry pages', 'Entry Page URL'), PAGE_URL_FLAT_LABEL_RULES),
  pageReport('getExitPageUrls', 'exit_nb_visits', 'Returns the page URLs visits ended on, with exit metrics.', describePageReport('Exit pages', 'Exit pages', 'Exit Page URL'), PAGE_URL_FLAT_LABEL_RULES),
  pageReport('getEntryPageTitles', 'entry_nb_visits', 'Returns the page titles visits started on, with entry and bounce metrics.', describePageReport('Entry pages', 'Entry page titles', 'Entry Page Title'), ACTIONS_FLAT_LABEL_RULES),
  pageReport('getExitPageTitles', 'exit_nb_visits', 'Returns the page titles visits ended on, with exit metrics.', describePageReport('Exit pages', 'Exit page titles', 'Exit Page Title'), ACTIONS_FLAT_LABEL_RULES),
  {
    kind: 'table', name: 'Actions.getPageUrl', record: 'Actions_getPageUrls', defaultSortColumn: 'nb_visits', processMetrics: processPageMetrics,
    description: 'Returns the row of one page URL, given by pageUrl.',
    metadata: describePageReport('Pages', 'Page URL', 'Page URL'), unlisted: true,
    selectRows: (rows, params) => findPages(rows, (row) => row.metadata?.url === params.requiredString('pageUrl')),
  },
  {
    kind: 'table', name: 'Actions.getPageTitle', record: 'Actions_getPageTitles', defaultSortColumn: 'nb_visits', processMetrics: processPageMetrics,
    description: 'Returns the row of one page title, given by pageName.',
    metadata: describePageReport('Page titles', 'Page title', 'Page Name'), unlisted: true,
    selectRows: (rows, params) => findPages(rows, (row) => row.metadata?.segment === `pageTitle==${encodePageSegmentValue(params.requiredString('pageName'))}`),
  },
  // NOTE: Matomo joins the flat labels of downloads and outlinks with `/`, after a domain whose
  // subtable rows are labelled with the URL path (`/file.pdf`). Here those rows are labelled with
  // the whole URL, so flat=1 keeps the ` - ` separator, as `/` would give `example.org/http://...`.
  { kind: 'table', name: 'Actions.getDownloads', record: 'Actions_getDownloads', defaultSortColumn: 'nb_hits', description: 'Returns downloads by domain, with the downloaded URLs as subtables.',
    metadata: describeReport({ category: 'Actions', subcategory: 'Downloads', name: 'Downloads', dimension: 'Download URL', metrics: ['nb_visits', 'nb_hits'] }),
  },
  { kind: 'table', name: 'Actions.getOutlinks', record: 'Actions_getOutlinks', defaultSortColumn: 'nb_hits', description: 'Returns outlinks by domain, with the clicked URLs as subtables.',
    metadata: describeReport({ category: 'Actions', subcategory: 'Outlinks', name: 'Outlinks', dimension: 'Clicked URL', metrics: ['nb_visits', 'nb_hits'] }),
  },
  { kind: 'table', name: 'Actions.getSiteSearchKeywords', record: 'Actions_getSiteSearchKeywords', defaultSortColumn: 'nb_visits', description: 'Returns the keywords of site searches.',
    metadata: describeReport({ category: 'Actions', subcategory: 'Site Search', name: 'Site Search Keywords', dimension: 'Keyword (Site Search)', metrics: ['nb_visits', 'nb_hits'] }),
  },
  {
    kind: 'table', name: 'Actions.getSiteSearchNoResultKeywords', record: 'Actions_getSiteSearchNoResultKeywords', defaultSortColumn: 'nb_visits',
    description: 'Returns the keywords of site searches that found no results (search_count=0).',
    metadata: describeReport({ category: 'Actions', subcategory: 'Site Search', name: 'Search Keywords with No Results', dimension: 'Keyword (Site Search)', metrics: ['nb_visits', 'nb_hits'] }),
  },
  {
    kind: 'table', name: 'Actions.getSiteSearchCategories', record: 'Actions_getSiteSearchCategories', defaultSortColumn: 'nb_visits',
    description: 'Returns site searches by search category (search_cat).',
    metadata: describeReport({ category: 'Actions', subcategory: 'Site Search', name: 'Search Categories', dimension: 'Search Category', metrics: ['nb_visits', 'nb_hits'] }),
  },
];
