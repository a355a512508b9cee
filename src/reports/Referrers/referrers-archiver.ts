/** Archiving of Referrers: referrer types, websites, search engines, keywords, campaigns and social networks. */
import { sql } from 'kysely';
import type { ReportArchiver } from '../../archiving/report-archiver.js';
import { REFERRER_TYPES } from '../../segments/segment-dimensions.js';
import { buildDimensionTable, segmentValue, type DimensionTableSpec, type DimensionValue } from '../dimension-table.js';
import { loadVisitMetricsBy, type VisitMetricsRow } from '../visit-metrics.js';

/** Labels of the referrer types, as Matomo shows them. */
export const REFERRER_TYPE_LABELS: Readonly<Record<number, string>> = {
  1: 'Direct Entry', 2: 'Search Engines', 3: 'Websites', 6: 'Campaigns', 7: 'Social Networks',
};

const REFERRER_TYPE_WORDS = Object.fromEntries(Object.entries(REFERRER_TYPES).map(([word, type]) => [type, word]));

/** Label of a row whose keyword is missing, as Matomo labels it. */
export const KEYWORD_NOT_DEFINED = 'Keyword not defined';

const ref = (column: string) => sql.ref(`log_visit.${column}`);
const ofType = (type: number) => sql`${ref('referer_type')} = ${type}`;
const ofTypes = (types: readonly number[]) => sql`${ref('referer_type')} in (${sql.join(types)})`;

/** Referrer type numbers, as `log_visit.referer_type` stores them. */
const TYPE = { searchEngine: 2, website: 3, campaign: 6, social: 7 } as const;

/**
 * Returns the rows of one referrer type from rows grouped by type first, without the type.
 * `order` picks and orders the remaining dimensions (such as [1, 0] to swap two).
 */
function rowsOfType(rows: readonly VisitMetricsRow[], type: number, order?: readonly number[]): VisitMetricsRow[] {
  return rows
    .filter((row) => row.dimensions[0] !== null && Number(row.dimensions[0]) === type)
    .map((row) => {
      const rest = row.dimensions.slice(1);
      return { dimensions: order ? order.map((index) => rest[index] ?? null) : rest, metrics: row.metrics };
    });
}

function text(value: DimensionValue, fallback: string): string {
  return value === null || value === '' ? fallback : String(value);
}

function nameRow(value: DimensionValue) {
  const label = text(value, 'Unknown');
  return { label, metadata: { segment: `referrerName==${segmentValue(value === null ? '' : String(value))}` } };
}

function keywordRow(value: DimensionValue) {
  const label = text(value, KEYWORD_NOT_DEFINED);
  return { label, metadata: { segment: `referrerKeyword==${segmentValue(value === null ? '' : String(value))}` } };
}

function urlRow(value: DimensionValue) {
  const label = text(value, 'Unknown');
  return { label, metadata: { ...(value ? { url: String(value) } : {}), segment: `referrerUrl==${segmentValue(value === null ? '' : String(value))}` } };
}

/** Computes the Referrers report tables of a day. */
export const referrersArchiver: ReportArchiver = {
  module: 'Referrers',

  async archiveDay(query) {
    // Five GROUP BY queries serve all six tables. Each typed table is the slice of one referrer
    // type in a query grouped by type first, which counts the same visits as a filter on that type.
    const type = ref('referer_type');
    const byType = await loadVisitMetricsBy(query, [type]);
    const byTypeName = await loadVisitMetricsBy(query, [type, ref('referer_name')]);
    const byTypeNameUrl = await loadVisitMetricsBy(query, [type, ref('referer_name'), ref('referer_url')], ofTypes([TYPE.website, TYPE.social]));
    const byTypeNameKeyword = await loadVisitMetricsBy(query, [type, ref('referer_name'), ref('referer_keyword')], ofTypes([TYPE.searchEngine, TYPE.campaign]));
    const byTypeKeyword = await loadVisitMetricsBy(query, [type, ref('referer_keyword')], ofType(TYPE.searchEngine));

    const referrerTypeSpec: DimensionTableSpec = {
      dimension: type,
      subDimension: ref('referer_name'),
      describe: (value) => {
        const number = Number(value ?? 1);
        return {
          label: REFERRER_TYPE_LABELS[number] ?? `Referrer type ${number}`,
          metadata: { segment: `referrerType==${REFERRER_TYPE_WORDS[number] ?? number}`, referrer_type: number },
        };
      },
      hasSubtable: (value) => Number(value) !== 1,
      describeSub: (_, value) => nameRow(value),
    };
    const referrerType = await buildDimensionTable(query, referrerTypeSpec, byType, byTypeName);

    // Each spec names its sub-dimension, so the goal metrics of subtable rows find their rows.
    const nameTable = async (typeNumber: number, subColumn: 'referer_url' | 'referer_keyword', children: readonly VisitMetricsRow[], describeSub: DimensionTableSpec['describeSub']) => buildDimensionTable(
      query, { dimension: ref('referer_name'), subDimension: ref(subColumn), where: ofType(typeNumber), describe: nameRow, describeSub },
      rowsOfType(byTypeName, typeNumber), rowsOfType(children, typeNumber),
    );
    const websites = await nameTable(TYPE.website, 'referer_url', byTypeNameUrl, (_, value) => urlRow(value));
    const searchEngines = await nameTable(TYPE.searchEngine, 'referer_keyword', byTypeNameKeyword, (_, value) => keywordRow(value));
    const keywords = await buildDimensionTable(
      query, { dimension: ref('referer_keyword'), subDimension: ref('referer_name'), where: ofType(TYPE.searchEngine), describe: keywordRow, describeSub: (_, value) => nameRow(value) },
      rowsOfType(byTypeKeyword, TYPE.searchEngine), rowsOfType(byTypeNameKeyword, TYPE.searchEngine, [1, 0]),
    );
    const campaigns = await nameTable(TYPE.campaign, 'referer_keyword', byTypeNameKeyword, (_, value) => keywordRow(value));
    const socials = await nameTable(TYPE.social, 'referer_url', byTypeNameUrl, (_, value) => urlRow(value));
    return {
      numerics: {},
      reports: {
        Referrers_getReferrerType: referrerType, Referrers_getWebsites: websites, Referrers_getSearchEngines: searchEngines,
        Referrers_getKeywords: keywords, Referrers_getCampaigns: campaigns, Referrers_getSocials: socials,
      },
    };
  },
};
