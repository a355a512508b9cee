/** Archiving of CustomDimensions: visits by the value of each visit-scope custom dimension. */
import { sql } from 'kysely';
import type { ReportArchiver } from '../../archiving/report-archiver.js';
import type { ReportRow } from '../../archiving/report-table.js';
import { archiveDimensionTable, segmentValue } from '../dimension-table.js';

/** Custom dimension slots of `log_visit` (`custom_dimension_1` to `custom_dimension_5`). */
export const CUSTOM_DIMENSION_SLOTS = [1, 2, 3, 4, 5] as const;

/** Label of visits without a value, as Matomo labels them. */
export const VALUE_NOT_DEFINED = 'Value not defined';

/** Returns the archive record of one custom dimension slot. */
export function customDimensionRecord(slot: number): string {
  return `CustomDimensions_dimension${slot}`;
}

/**
 * Computes one table per visit-scope slot. A slot's number is the dimension's `index`,
 * which equals its id while a site has at most five dimensions.
 */
export const customDimensionsArchiver: ReportArchiver = {
  module: 'CustomDimensions',

  async archiveDay(query) {
    const reports: Record<string, ReportRow[]> = {};
    for (const slot of CUSTOM_DIMENSION_SLOTS) {
      reports[customDimensionRecord(slot)] = await archiveDimensionTable(query, {
        dimension: sql.ref(`log_visit.custom_dimension_${slot}`),
        describe: (value) => {
          const text = value === null || value === '' ? '' : String(value);
          return { label: text === '' ? VALUE_NOT_DEFINED : text, metadata: { segment: `dimension${slot}==${segmentValue(text)}` } };
        },
      });
    }
    return { numerics: {}, reports };
  },
};
