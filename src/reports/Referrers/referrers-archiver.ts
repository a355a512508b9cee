/** Archiving of Referrers: referrer types, websites, search engines, keywords, campaigns and social networks. */
import { sql } from 'kysely';
import type { ReportArchiver } from '../../archiving/report-archiver.js';
import { REFERRER_TYPES } from '../../segments/segment-dimensions.js';
import { archiveDimensionTable, segmentValue, type DimensionValue } from '../dimension-table.js';

/** Labels of the referrer types, as Matomo shows them. */
export const REFERRER_TYPE_LABELS: Readonly<Record<number, string>> = {
  1: 'Direct Entry', 2: 'Search Engines', 3: 'Websites', 6: 'Campaigns', 7: 'Social Networks',
};

const REFERRER_TYPE_WORDS = Object.fromEntries(Object.entries(REFERRER_TYPES).map(([word, type]) => [type, word]));

/** Label of a row whose keyword is missing, as Matomo labels it. */
export const KEYWORD_NOT_DEFINED = 'Keyword not defined';

const ref = (column: string) => sql.ref(`log_visit.${column}`);
const ofType = (type: number) => sql`${ref('referer_type')} = ${type}`;

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
    const referrerType = await archiveDimensionTable(query, {
      dimension: ref('referer_type'),
      subDimension: ref('referer_name'),
      describe: (value) => {
        const type = Number(value ?? 1);
        return {
          label: REFERRER_TYPE_LABELS[type] ?? `Referrer type ${type}`,
          metadata: { segment: `referrerType==${REFERRER_TYPE_WORDS[type] ?? type}`, referrer_type: type },
        };
      },
      hasSubtable: (value) => Number(value) !== 1,
      describeSub: (_, value) => nameRow(value),
    });
    const websites = await archiveDimensionTable(query, { dimension: ref('referer_name'), subDimension: ref('referer_url'), where: ofType(3), describe: nameRow, describeSub: (_, value) => urlRow(value) });
    const searchEngines = await archiveDimensionTable(query, { dimension: ref('referer_name'), subDimension: ref('referer_keyword'), where: ofType(2), describe: nameRow, describeSub: (_, value) => keywordRow(value) });
    const keywords = await archiveDimensionTable(query, { dimension: ref('referer_keyword'), subDimension: ref('referer_name'), where: ofType(2), describe: keywordRow, describeSub: (_, value) => nameRow(value) });
    const campaigns = await archiveDimensionTable(query, { dimension: ref('referer_name'), subDimension: ref('referer_keyword'), where: ofType(6), describe: nameRow, describeSub: (_, value) => keywordRow(value) });
    const socials = await archiveDimensionTable(query, { dimension: ref('referer_name'), subDimension: ref('referer_url'), where: ofType(7), describe: nameRow, describeSub: (_, value) => urlRow(value) });
    return {
      numerics: {},
      reports: {
        Referrers_getReferrerType: referrerType, Referrers_getWebsites: websites, Referrers_getSearchEngines: searchEngines,
        Referrers_getKeywords: keywords, Referrers_getCampaigns: campaigns, Referrers_getSocials: socials,
      },
    };
  },
};
