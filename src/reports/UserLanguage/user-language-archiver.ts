/** Archiving of UserLanguage: visits by the browser's preferred language. */
import { sql } from 'kysely';
import type { ReportArchiver } from '../../archiving/report-archiver.js';
import { archiveDimensionTable, type RowDescription } from '../dimension-table.js';

const LANGUAGE_NAMES = new Intl.DisplayNames(['en'], { type: 'language' });

/** Returns the English name of an ISO 639-1 code, or "Unknown". */
export function languageName(code: string): string {
  if (!/^[a-z]{2}$/.test(code)) return 'Unknown';
  const name = LANGUAGE_NAMES.of(code);
  return name === undefined || name === code ? 'Unknown' : name;
}

/**
 * Computes the UserLanguage report table of a day. The language is the first two letters
 * of `location_browser_lang`, the browser's Accept-Language list, so `fr-ch,fr;q=0.9` is French.
 */
export const userLanguageArchiver: ReportArchiver = {
  module: 'UserLanguage',

  async archiveDay(query) {
    const languages = await archiveDimensionTable(query, {
      dimension: sql`lower(substr(${sql.ref('log_visit.location_browser_lang')}, 1, 2))`,
      describe: (value): RowDescription => {
        const code = value === null ? '' : String(value);
        const name = languageName(code);
        return name === 'Unknown'
          ? { label: 'Unknown', metadata: { segment: 'languageCode==' } }
          : { label: name, metadata: { code, segment: `languageCode=^${code}` } };
      },
    });
    return { numerics: {}, reports: { UserLanguage_getLanguage: languages } };
  },
};
