/** The Referrers reports: where visits came from. */
import type { ReportDefinition } from '../report-definition.js';
import { visitTableReport } from '../visit-table-report.js';

/** The Referrers reports; each row with a subtable has `idsubdatatable`. */
export const REFERRERS_REPORTS: readonly ReportDefinition[] = [
  visitTableReport('Referrers.getReferrerType', 'Returns visits by referrer type (direct, search engines, websites, campaigns, social networks), with the referrer names as subtables.', { category: 'Acquisition', subcategory: 'Channel Type', name: 'Channel Type', dimension: 'Channel Type' }),
  visitTableReport('Referrers.getWebsites', 'Returns visits by referring website, with the referring URLs as subtables.', { category: 'Acquisition', subcategory: 'Websites', name: 'Websites', dimension: 'Website' }),
  visitTableReport('Referrers.getSearchEngines', 'Returns visits by search engine, with the keywords as subtables.', { category: 'Acquisition', subcategory: 'Search Engines & Keywords', name: 'Search Engines', dimension: 'Search Engine' }),
  visitTableReport('Referrers.getKeywords', 'Returns visits by search keyword, with the search engines as subtables.', { category: 'Acquisition', subcategory: 'Search Engines & Keywords', name: 'Keywords', dimension: 'Keyword' }),
  visitTableReport('Referrers.getCampaigns', 'Returns visits by campaign name, with the campaign keywords as subtables.', { category: 'Acquisition', subcategory: 'Campaigns', name: 'Campaigns', dimension: 'Campaign' }),
  visitTableReport('Referrers.getSocials', 'Returns visits by social network, with the referring URLs as subtables.', { category: 'Acquisition', subcategory: 'Social Networks', name: 'Social Networks', dimension: 'Social Network' }),
];
