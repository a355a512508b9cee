/** Archiving of UserCountry: visits by country. */
import { sql } from 'kysely';
import type { ReportArchiver } from '../../archiving/report-archiver.js';
import { archiveDimensionTable } from '../dimension-table.js';

const COUNTRY_NAMES = new Intl.DisplayNames(['en'], { type: 'region' });

/** Returns the English name of an ISO 3166 country code; 'xx' and unknown codes are "Unknown". */
export function countryName(code: string): string {
  if (code === 'xx' || !/^[a-z]{2}$/.test(code)) return 'Unknown';
  const name = COUNTRY_NAMES.of(code.toUpperCase());
  return name === undefined || name === code.toUpperCase() ? 'Unknown' : name;
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
    return { numerics: {}, reports: { UserCountry_getCountry: countries } };
  },
};
