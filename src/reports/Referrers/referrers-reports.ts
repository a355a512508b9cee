/** The Referrers reports: where visits came from. */
import type { ApiObject } from '../../api/api-value.js';
import type { ReportRow } from '../../archiving/report-table.js';
import type { ReportDefinition } from '../report-definition.js';
import { describeReport } from '../report-metadata.js';
import { visitTableReport } from '../visit-table-report.js';
import { formatPercent } from '../visit-metrics.js';

/** Referrer types with the suffix of their `Referrers.get` metric, in Matomo's order. */
const VISITS_BY_TYPE = [[2, 'SearchEngines'], [7, 'SocialNetworks'], [1, 'DirectEntry'], [3, 'Websites'], [6, 'Campaigns']] as const;

/** Returns the `Referrers.get` metrics: visits by referrer type with their share, and how many distinct referrers each type had. */
function buildReferrersSummary(reports: Readonly<Record<string, ReportRow[]>>): ApiObject | null {
  const types = reports.Referrers_getReferrerType ?? [];
  const visitsOf = (type: number) => types.find((row) => row.metadata?.referrer_type === type)?.metrics.nb_visits ?? 0;
  const total = types.reduce((sum, row) => sum + (row.metrics.nb_visits ?? 0), 0);
  if (total === 0) return null;

  const summary: ApiObject = {};
  for (const [type, suffix] of VISITS_BY_TYPE) summary[`Referrers_visitorsFrom${suffix}`] = visitsOf(type);
  const count = (record: string) => (reports[record] ?? []).length;
  summary.Referrers_distinctSearchEngines = count('Referrers_getSearchEngines');
  summary.Referrers_distinctSocialNetworks = count('Referrers_getSocials');
  summary.Referrers_distinctKeywords = count('Referrers_getKeywords');
  summary.Referrers_distinctWebsites = count('Referrers_getWebsites');
  summary.Referrers_distinctWebsitesUrls = (reports.Referrers_getWebsites ?? []).reduce((sum, row) => sum + (row.subtable?.length ?? 0), 0);
  summary.Referrers_distinctCampaigns = count('Referrers_getCampaigns');
  for (const [type, suffix] of VISITS_BY_TYPE) summary[`Referrers_visitorsFrom${suffix}_percent`] = formatPercent(visitsOf(type), total);
  return summary;
}

/** Returns every referrer of every type in one list: the names inside each referrer type, and the types without names (direct entry). */
function listAllReferrers(rows: readonly ReportRow[]): ReportRow[] {
  return rows.flatMap((typeRow) => {
    const typeLabel = typeRow.label;
    if (!typeRow.subtable) return [{ ...typeRow, metadata: { ...(typeRow.metadata ?? {}), referer_type: typeLabel } }];
    return typeRow.subtable.map((row) => {
      const { subtable: _subtable, idsubdatatable: _id, ...rest } = row;
      return { ...rest, metadata: { ...(row.metadata ?? {}), referer_type: typeLabel } };
    });
  });
}

/** The Referrers reports; each row with a subtable has `idsubdatatable`. */
export const REFERRERS_REPORTS: readonly ReportDefinition[] = [
  {
    kind: 'metrics',
    name: 'Referrers.get',
    description: 'Returns visits by referrer type with their share, and the number of distinct search engines, social networks, keywords, websites, website URLs and campaigns.',
    metadata: describeReport({
      category: 'Acquisition', subcategory: 'Overview', name: 'Referrers',
      metrics: VISITS_BY_TYPE.map(([, suffix]) => `Referrers_visitorsFrom${suffix}`).concat([
        'Referrers_distinctSearchEngines', 'Referrers_distinctSocialNetworks', 'Referrers_distinctKeywords', 'Referrers_distinctWebsites', 'Referrers_distinctWebsitesUrls', 'Referrers_distinctCampaigns',
      ]),
    }),
    reportRecords: ['Referrers_getReferrerType', 'Referrers_getSearchEngines', 'Referrers_getSocials', 'Referrers_getKeywords', 'Referrers_getWebsites', 'Referrers_getCampaigns'],
    build: (_numerics, _period, _params, reports) => buildReferrersSummary(reports),
  },
  {
    kind: 'table', name: 'Referrers.getAll', record: 'Referrers_getReferrerType', defaultSortColumn: 'nb_visits',
    description: 'Returns every referrer (search engine, website, campaign, social network, and direct entry) in one list, with its type in referer_type.',
    metadata: describeReport({ category: 'Acquisition', subcategory: 'All Channels', name: 'Referrers', dimension: 'Referrer' }),
    selectRows: (rows) => listAllReferrers(rows),
  },
  visitTableReport('Referrers.getReferrerType', 'Returns visits by referrer type (direct, search engines, websites, campaigns, social networks), with the referrer names as subtables.', { category: 'Acquisition', subcategory: 'Channel Type', name: 'Channel Type', dimension: 'Channel Type' }),
  // NOTE: Matomo 5 joins the flat labels of this report with `/` after it relabels each referring
  // URL of a subtable with its path (plugins/Referrers/API.php, getWebsites). Here the subtable
  // rows keep the whole URL as label, so flat=1 keeps the ` - ` separator.
  visitTableReport('Referrers.getWebsites', 'Returns visits by referring website, with the referring URLs as subtables.', { category: 'Acquisition', subcategory: 'Websites', name: 'Websites', dimension: 'Website' }),
  visitTableReport('Referrers.getSearchEngines', 'Returns visits by search engine, with the keywords as subtables.', { category: 'Acquisition', subcategory: 'Search Engines & Keywords', name: 'Search Engines', dimension: 'Search Engine' }),
  visitTableReport('Referrers.getKeywords', 'Returns visits by search keyword, with the search engines as subtables.', { category: 'Acquisition', subcategory: 'Search Engines & Keywords', name: 'Keywords', dimension: 'Keyword' }),
  visitTableReport('Referrers.getCampaigns', 'Returns visits by campaign name, with the campaign keywords as subtables.', { category: 'Acquisition', subcategory: 'Campaigns', name: 'Campaigns', dimension: 'Campaign' }),
  visitTableReport('Referrers.getSocials', 'Returns visits by social network, with the referring URLs as subtables.', { category: 'Acquisition', subcategory: 'Social Networks', name: 'Social Networks', dimension: 'Social Network' }),
];
