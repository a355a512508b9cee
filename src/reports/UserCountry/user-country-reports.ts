/** The UserCountry reports: where visits came from geographically. */
import type { ReportDefinition } from '../report-definition.js';
import { visitTableReport } from '../visit-table-report.js';

/** The UserCountry reports. */
export const USER_COUNTRY_REPORTS: readonly ReportDefinition[] = [
  visitTableReport('UserCountry.getCountry', 'Returns visits by country, with the ISO code and flag of each.', { category: 'Visitors', subcategory: 'Locations', name: 'Country', dimension: 'Country' }),
  visitTableReport('UserCountry.getContinent', 'Returns visits by continent, with Matomo\'s continent code of each.', { category: 'Visitors', subcategory: 'Locations', name: 'Continent', dimension: 'Continent' }),
  visitTableReport('UserCountry.getRegion', 'Returns visits by region (as its ISO 3166-2 code) and country.', { category: 'Visitors', subcategory: 'Locations', name: 'Region', dimension: 'Region' }),
  visitTableReport('UserCountry.getCity', 'Returns visits by city, region and country.', { category: 'Visitors', subcategory: 'Locations', name: 'City', dimension: 'City' }),
];
