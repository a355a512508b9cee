/** Archiving of Resolution: visits by screen resolution. */
import { sql } from 'kysely';
import type { ReportArchiver } from '../../archiving/report-archiver.js';
import { archiveDimensionTable } from '../dimension-table.js';

/** Computes the Resolution report table of a day. */
export const resolutionArchiver: ReportArchiver = {
  module: 'Resolution',

  async archiveDay(query) {
    const resolutions = await archiveDimensionTable(query, {
      dimension: sql.ref('log_visit.config_resolution'),
      describe: (value) => ({ label: value === null || value === '' ? 'Unknown' : String(value) }),
    });
    return { numerics: {}, reports: { Resolution_getResolution: resolutions } };
  },
};
