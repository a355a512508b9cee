/** Archiving of UserCountry: visits by country. */
import { sql } from 'kysely';
import type { ReportArchiver } from '../../archiving/report-archiver.js';
import { CONTINENT_COUNTRIES, CONTINENT_NAMES } from './continents.js';
import { archiveCombinedDimensionTable, archiveDimensionTable, segmentValue } from '../dimension-table.js';

const COUNTRY_NAMES = new Intl.DisplayNames(['en'], { type: 'region' });

/** Returns the English name of an ISO 3166 country code; 'xx' and unknown codes are "Unknown". */
export function countryName(code: string): string {
  if (code === 'xx' || !/^[a-z]{2}$/.test(code)) return 'Unknown';
  const name = COUNTRY_NAMES.of(code.toUpperCase());
  return name === undefined || name === code.toUpperCase() ? 'Unknown' : name;
}

/** Returns the continent code of the visit's country as a CASE expression, so visits are grouped by continent in SQL. */
function continentExpression() {
  const country = sql`lower(${sql.ref('log_visit.location_country')})`;
  const branches = Object.entries(CONTINENT_COUNTRIES).map(([code, countries]) => sql`when ${country} in (${sql.join([...countries])}) then ${code}`);
  return sql`case ${sql.join(branches, sql` `)} else 'unk' end`;
}

/** Computes the UserCountry report tables of a day. */
export const userCountryArchiver: ReportArchiver = {
  module: 'UserCountry',

  async archiveDay(query) {
    const countries = await archiveDimensionTable(query, {
      dimension: sql`lower(${sql.ref('log_visit.location_country')})`,
      describe: (value) => {
        const code = value === null || value === '' ? 'xx' : String(value);
        return {
          label: countryName(code),
          metadata: { code, logo: `plugins/Morpheus/icons/dist/flags/${code}.png`, segment: `countryCode==${code}`, logoHeight: 16 },
        };
      },
    });
    const country = sql`lower(${sql.ref('log_visit.location_country')})`;
    const regions = await archiveCombinedDimensionTable(query, [sql.ref('log_visit.location_region'), country], ([region, code]) => {
      const countryCode = code === null || code === '' ? 'xx' : String(code);
      const regionCode = region === null || region === '' ? '' : String(region);
      return {
        label: regionCode === '' ? 'Unknown' : `${regionCode}, ${countryName(countryCode)}`,
        metadata: { region: regionCode, country: countryCode, logo: `plugins/Morpheus/icons/dist/flags/${countryCode}.png`, segment: `regionCode==${segmentValue(regionCode)};countryCode==${countryCode}` },
      };
    });
    const cities = await archiveCombinedDimensionTable(query, [sql.ref('log_visit.location_city'), sql.ref('log_visit.location_region'), country], ([city, region, code]) => {
      const countryCode = code === null || code === '' ? 'xx' : String(code);
      const cityName = city === null || city === '' ? '' : String(city);
      const parts = [cityName, region === null || region === '' ? undefined : String(region), countryName(countryCode)].filter((part) => part !== undefined);
      return {
        label: cityName === '' ? 'Unknown' : parts.join(', '),
        metadata: { city: cityName, country: countryCode, logo: `plugins/Morpheus/icons/dist/flags/${countryCode}.png`, segment: `city==${segmentValue(cityName)};countryCode==${countryCode}` },
      };
    });
    const continents = await archiveDimensionTable(query, {
      dimension: continentExpression(),
      describe: (value) => {
        const code = value === null || value === '' ? 'unk' : String(value);
        return { label: CONTINENT_NAMES[code] ?? 'Unknown', metadata: { code, segment: `continentCode==${code}` } };
      },
    });
    return {
      numerics: {},
      reports: { UserCountry_getCountry: countries, UserCountry_getContinent: continents, UserCountry_getRegion: regions, UserCountry_getCity: cities },
    };
  },
};
