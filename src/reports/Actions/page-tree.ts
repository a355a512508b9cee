/** Building the folder trees of page URLs and page titles from per-page metrics. */
import type { ReportRow } from '../../archiving/report-table.js';

/** Metrics of one page URL or title, as aggregated in SQL. */
export interface PageMetrics {
  nb_visits: number;
  nb_uniq_visitors: number;
  nb_hits: number;
  sum_time_spent: number;
  entry_nb_visits: number;
  entry_nb_actions: number;
  entry_sum_visit_length: number;
  entry_bounce_count: number;
  exit_nb_visits: number;
}

/** The position of a page in the tree: its folders, its leaf label, and its segment and URL metadata. */
export interface PagePlacement {
  folders: { label: string; segment: string }[];
  leaf: { label: string; metadata: Record<string, string> };
}

const ORDER: readonly (keyof PageMetrics)[] = [
  'nb_visits', 'nb_uniq_visitors', 'nb_hits', 'sum_time_spent', 'entry_nb_visits', 'entry_nb_actions',
  'entry_sum_visit_length', 'entry_bounce_count', 'exit_nb_visits',
];

/** Returns the metrics a row stores: entry and exit counts only when the page was an entry or exit page, as in Matomo's output. */
function storedMetrics(metrics: PageMetrics, folder: boolean): Record<string, number> {
  const stored: Record<string, number> = {};
  for (const name of ORDER) {
    if (folder && name === 'nb_uniq_visitors') continue;
    if (name.startsWith('entry_') && metrics.entry_nb_visits === 0) continue;
    if (name === 'exit_nb_visits' && metrics.exit_nb_visits === 0) continue;
    stored[name] = metrics[name];
  }
  return stored;
}

function addInto(target: PageMetrics, source: PageMetrics): void {
  for (const name of ORDER) target[name] += source[name];
}

interface Node {
  label: string;
  segment?: string;
  metrics: PageMetrics;
  metadata?: Record<string, string>;
  children?: Map<string, Node>;
}

function zero(): PageMetrics {
  return Object.fromEntries(ORDER.map((name) => [name, 0])) as unknown as PageMetrics;
}

function toRows(nodes: Map<string, Node>): ReportRow[] {
  return [...nodes.values()]
    .map((node): ReportRow => {
      if (!node.children) return { label: node.label, metrics: storedMetrics(node.metrics, false), metadata: node.metadata };
      return { label: node.label, metrics: storedMetrics(node.metrics, true), metadata: { segment: node.segment! }, subtable: toRows(node.children) };
    })
    .sort((a, b) => (b.metrics.nb_visits ?? 0) - (a.metrics.nb_visits ?? 0) || a.label.localeCompare(b.label));
}

/** Builds the report rows of pages: folders carry the sums of their pages and a subtable each. */
export function buildPageTree(pages: readonly { placement: PagePlacement; metrics: PageMetrics }[]): ReportRow[] {
  const root = new Map<string, Node>();
  for (const page of pages) {
    let level = root;
    for (const folder of page.placement.folders) {
      const key = `folder:${folder.label}`;
      let node = level.get(key);
      if (!node) {
        node = { label: folder.label, segment: folder.segment, metrics: zero(), children: new Map() };
        level.set(key, node);
      }
      addInto(node.metrics, page.metrics);
      level = node.children!;
    }
    const key = `page:${page.placement.leaf.label}`;
    const leaf = level.get(key);
    if (leaf) addInto(leaf.metrics, page.metrics);
    else level.set(key, { label: page.placement.leaf.label, metrics: { ...page.metrics }, metadata: page.placement.leaf.metadata });
  }
  return toRows(root);
}

/** Encodes a value twice for the `segment` of a page row, as Matomo's page reports show it (`http%253A%252F%252F...`). */
export function encodePageSegmentValue(value: string): string {
  return encodeURIComponent(encodeURIComponent(value));
}

/** Places a page URL: `http://example.org/blog/post?a=1` is in folder `blog` with the label `/post?a=1`; `/` is `/index`. */
export function placePageUrl(fullUrl: string): PagePlacement {
  const schemeEnd = fullUrl.indexOf('://');
  const afterScheme = schemeEnd >= 0 ? schemeEnd + 3 : 0;
  const pathStart = fullUrl.indexOf('/', afterScheme);
  const origin = pathStart < 0 ? fullUrl : fullUrl.slice(0, pathStart);
  const rest = pathStart < 0 ? '' : fullUrl.slice(pathStart + 1);
  const queryStart = rest.search(/[?#]/);
  const path = queryStart < 0 ? rest : rest.slice(0, queryStart);
  const query = queryStart < 0 ? '' : rest.slice(queryStart);

  const parts = path.split('/');
  const last = parts.pop() ?? '';
  const folders: PagePlacement['folders'] = [];
  let folderUrl = origin;
  for (const part of parts) {
    folderUrl = `${folderUrl}/${part}`;
    folders.push({ label: part, segment: `pageUrl=^${encodePageSegmentValue(folderUrl)}` });
  }
  const leafLabel = last === '' ? `/index${query}` : `/${last}${query}`;
  return { folders, leaf: { label: leafLabel, metadata: { url: fullUrl, segment: `pageUrl==${encodePageSegmentValue(fullUrl)}` } } };
}

/** Label of the row of pageviews without a title, as Matomo 5 labels it. */
export const PAGE_NAME_NOT_DEFINED = 'Page Name not defined';

/** Label of the row of pageviews without a URL, as Matomo 5 labels it. */
export const PAGE_URL_NOT_DEFINED = 'Page URL not defined';

/**
 * Places the pageviews without a title in a top-level row. Its segment `pageTitle==`, with an
 * empty value, matches actions without a title, as on that row in Matomo 5.
 */
export function placeUndefinedPageTitle(): PagePlacement {
  return { folders: [], leaf: { label: PAGE_NAME_NOT_DEFINED, metadata: { segment: 'pageTitle==' } } };
}

/**
 * Places the pageviews without a URL in a top-level row. As in Matomo 5, its `url` is empty
 * and its segment `pageUrl==` matches actions without a URL.
 */
export function placeUndefinedPageUrl(): PagePlacement {
  return { folders: [], leaf: { label: PAGE_URL_NOT_DEFINED, metadata: { url: '', segment: 'pageUrl==' } } };
}

/**
 * Places a page title: `Blog / Post` is in category `Blog` with the label `Post`. A title of
 * only spaces and `/` joins the row of pageviews without a title, because Matomo 5's tracker
 * cleans such a title down to none.
 */
export function placePageTitle(title: string): PagePlacement {
  const parts = title.split('/').map((part) => part.trim()).filter((part) => part !== '');
  const last = parts.pop();
  // NOTE: the row's segment `pageTitle==` does not match the actions of such a title, because
  // the tracker stores the title as sent.
  if (last === undefined) return placeUndefinedPageTitle();
  const folders = parts.map((part, index) => ({ label: part, segment: `pageTitle=^${encodePageSegmentValue(parts.slice(0, index + 1).join(' / '))}` }));
  return { folders, leaf: { label: last, metadata: { segment: `pageTitle==${encodePageSegmentValue(title)}` } } };
}
