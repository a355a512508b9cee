/** Finding or computing the archive of (site, period, segment), from logs for days and from smaller periods otherwise. */
import type { Kysely } from 'kysely';
import type { Zone } from 'luxon';
import type { Logger } from 'pino';
import type { Database } from '../db/schema.js';
import { formatUtcDateTime, parseUtcDateTime, type Clock } from '../time.js';
import { findDoneArchive, hasInvalidationSince, isDayMarked, loadArchiveRecords, saveArchive, type ArchiveKey, type StoredArchive } from './archive-store.js';
import { computeSiteLogDeletionHorizon } from './log-deletion-config.js';
import { LogQuery, type SegmentConditions } from './log-query.js';
import { addDays, type Period } from './period.js';
import type { ReportArchiver } from './report-archiver.js';
import { sumNumerics, sumReportTables, type ArchiveRecords } from './report-table.js';
import { dayInZone } from './site-timezone.js';

/** The site an archive is of. */
export interface ArchiveSite {
  siteId: number;
  zone: Zone;
}

/** A segment as archives key it: md5 of its definition ('' for none) and its compiled conditions. */
export interface ArchiveSegment {
  hash: string;
  condition: SegmentConditions | null;
}

/** The segment of unsegmented archives. */
export const NO_SEGMENT: ArchiveSegment = { hash: '', condition: null };

/** Settings of an Archiver. */
export interface ArchiverConfig {
  db: Kysely<Database>;
  archivers: readonly ReportArchiver[];
  clock: Clock;
  /** `[General] time_before_today_archive_considered_outdated`, in seconds. */
  todayArchiveTtlSeconds: number;
  /** Whether missing or outdated archives may be computed; false serves only stored ones (ranges excepted). */
  allowArchiving: boolean;
  /** `[Deletelogs] delete_logs_older_than` when `delete_logs_enable` is on, else null or absent. */
  logDeletionDays?: number | null;
  /** Receives a debug line per computed archive and per archive deleted during a read. */
  logger?: Logger;
}

/** An archive ready to read: its records, or empty records when none exists and none may be computed. */
export interface LoadedArchive {
  idarchive: number | null;
  records: ArchiveRecords;
}

/**
 * Maximum number of stored archives `load` reads in one call. Each read after the first
 * follows an archive that another writer deleted during the previous read. After the last
 * one, `load` computes the archive, or returns empty records when it may not.
 */
export const MAX_ARCHIVE_READ_ATTEMPTS = 3;

const EMPTY_RECORDS: ArchiveRecords = { numerics: {}, reports: {} };

function isEmpty(records: ArchiveRecords): boolean {
  return Object.values(records.numerics).every((value) => value === 0) && Object.values(records.reports).every((table) => table.length === 0);
}

/** Returns whether a day has any visit or action, so an empty day costs one indexed query instead of one per report. */
async function hasLogs(query: LogQuery): Promise<boolean> {
  const visit = await query.visits().select('log_visit.idvisit').limit(1).executeTakeFirst();
  if (visit) return true;
  const action = await query.actions().select('log_link_visit_action.idlink_va').limit(1).executeTakeFirst();
  return action !== undefined;
}

/**
 * Returns archives, computing missing or outdated ones when allowed. An archive is outdated
 * when its period includes today (in the site's zone) and it is older than the TTL, or when
 * tracking marked one of its days dirty after it was written.
 */
export class Archiver {
  readonly #config: ArchiverConfig;

  constructor(config: ArchiverConfig) {
    this.#config = config;
  }

  /**
   * Returns the archive of a period. Ranges are computed even when archiving is not allowed, as in Matomo.
   * With `reportNames`, a stored archive is read with only those report tables, but a computed one has all of them.
   * A stored archive that another writer deletes during the read is not returned: `load` looks
   * for the key's archive again, up to `MAX_ARCHIVE_READ_ATTEMPTS` times, and then computes it,
   * or returns empty records when it may not.
   */
  async load(site: ArchiveSite, period: Period, segment: ArchiveSegment, reportNames?: readonly string[]): Promise<LoadedArchive> {
    const key: ArchiveKey = { siteId: site.siteId, period, segmentHash: segment.hash };
    for (let attempt = 1; attempt <= MAX_ARCHIVE_READ_ATTEMPTS; attempt += 1) {
      const source = await this.#chooseSource(site, key);
      if (source === 'compute') return this.archive(site, period, segment);
      if (source === 'none') return { idarchive: null, records: EMPTY_RECORDS };

      const records = await loadArchiveRecords(this.#config.db, source.idarchive, reportNames);
      if (records) return { idarchive: source.idarchive, records };
      this.#config.logger?.debug({ idSite: site.siteId, period: period.kind, date: period.label, attempt }, 'archive deleted during read');
    }

    this.#config.logger?.warn({ idSite: site.siteId, period: period.kind, date: period.label, attempts: MAX_ARCHIVE_READ_ATTEMPTS }, 'archive deleted during every read');
    const mayCompute = this.#mayArchive(period) && !(await this.#mayHaveDeletedLogs(site, period));
    return mayCompute ? this.archive(site, period, segment) : { idarchive: null, records: EMPTY_RECORDS };
  }

  /**
   * Returns the stored archive to read for a key, 'compute' when the archive must be computed,
   * or 'none' when there is no archive and none may be computed.
   */
  async #chooseSource(site: ArchiveSite, key: ArchiveKey): Promise<StoredArchive | 'compute' | 'none'> {
    const stored = await findDoneArchive(this.#config.db, key);
    if (stored && !(await this.#isOutdated(site, key.period, stored.tsArchived))) return stored;
    if (this.#mayArchive(key.period) && (stored || !(await this.#mayHaveDeletedLogs(site, key.period)))) return 'compute';

    // Without archiving, an outdated or invalidated archive is still better than none, as in Matomo.
    return stored ?? await findDoneArchive(this.#config.db, key, { includeInvalidated: true }) ?? 'none';
  }

  #mayArchive(period: Period): boolean {
    return this.#config.allowArchiving || period.kind === 'range';
  }

  /**
   * Returns whether `period` is a day before the site's log deletion horizon that tracking has
   * not marked. Its logs may be deleted in part or in full, so an archive computed now could
   * count fewer hits than the stored one. A marked day keeps all its rows until core:archive
   * archives it. `load` serves such a day from its stored archive, even an invalidated one, or
   * as empty when it has none, because only days without data have none.
   */
  async #mayHaveDeletedLogs(site: ArchiveSite, period: Period): Promise<boolean> {
    const days = this.#config.logDeletionDays;
    if (period.kind !== 'day' || days === null || days === undefined) return false;
    if (period.startDate >= computeSiteLogDeletionHorizon(this.#config.clock(), days, site.zone).day) return false;
    if (await isDayMarked(this.#config.db, site.siteId, period.startDate)) return false;
    this.#config.logger?.debug({ idSite: site.siteId, date: period.label }, 'day before the log deletion horizon not archived again');
    return true;
  }

  /**
   * Computes and saves the archive of a period now, whatever is stored. The archive's
   * `ts_archived` is the time its computation started, before it reads any log or smaller
   * archive, so that a hit committed during the computation is newer than the archive.
   */
  async archive(site: ArchiveSite, period: Period, segment: ArchiveSegment): Promise<LoadedArchive> {
    const tsArchived = formatUtcDateTime(this.#config.clock());
    const started = Date.now();
    const records = period.kind === 'day' ? await this.#archiveDay(site, period, segment) : await this.#archiveFromSubperiods(site, period, segment);
    this.#config.logger?.debug({ idSite: site.siteId, period: period.kind, date: period.label, segmented: segment.hash !== '', durationMs: Date.now() - started }, 'archive computed');
    // NOTE: an archive without data is not stored, which saves a write per empty day; reading it again costs one indexed query per day.
    if (isEmpty(records)) return { idarchive: null, records };
    const key: ArchiveKey = { siteId: site.siteId, period, segmentHash: segment.hash };
    const idarchive = await saveArchive(this.#config.db, key, records, tsArchived);
    return { idarchive, records };
  }

  /**
   * Returns whether a stored archive must be computed again. An archive of a period that
   * includes today stays current for the TTL whatever is tracked today, as in Matomo, so a
   * busy site's dashboard does not recompute today on every request. A mark of an earlier day
   * of that period, left by an import or a hit with a past `cdt`, still outdates it at once.
   */
  async #isOutdated(site: ArchiveSite, period: Period, tsArchived: string): Promise<boolean> {
    const now = this.#config.clock();
    const today = dayInZone(now, site.zone);
    let lastMarkedDay = period.endDate;
    if (period.endDate >= today) {
      const freshUntil = parseUtcDateTime(tsArchived) + this.#config.todayArchiveTtlSeconds * 1000;
      if (freshUntil <= now.getTime()) return true;
      lastMarkedDay = addDays(today, -1);
      if (lastMarkedDay < period.startDate) return false;
    }
    return hasInvalidationSince(this.#config.db, site.siteId, { startDate: period.startDate, endDate: lastMarkedDay }, tsArchived);
  }

  async #archiveDay(site: ArchiveSite, period: Period, segment: ArchiveSegment): Promise<ArchiveRecords> {
    const query = new LogQuery(this.#config.db, site.siteId, period.utcBounds(site.zone), segment.condition, site.zone);
    if (!(await hasLogs(query))) return EMPTY_RECORDS;
    const records: ArchiveRecords = { numerics: {}, reports: {} };
    for (const archiver of this.#config.archivers) {
      const moduleRecords = await archiver.archiveDay(query);
      Object.assign(records.numerics, moduleRecords.numerics);
      Object.assign(records.reports, moduleRecords.reports);
    }
    return records;
  }

  async #archiveFromSubperiods(site: ArchiveSite, period: Period, segment: ArchiveSegment): Promise<ArchiveRecords> {
    const parts: ArchiveRecords[] = [];
    // Periods that start after today cannot have logs yet, so they are not archived.
    const today = dayInZone(this.#config.clock(), site.zone);
    for (const subperiod of period.subperiods()) {
      if (subperiod.startDate <= today) parts.push((await this.load(site, subperiod, segment)).records);
    }

    const numerics = sumNumerics(parts.map((part) => part.numerics));
    const reportNames = new Set(parts.flatMap((part) => Object.keys(part.reports)));
    const fromDays = period.subperiods().some((subperiod) => subperiod.kind === 'day');
    const reports = Object.fromEntries([...reportNames].map((name) => [name, sumReportTables(parts.map((part) => part.reports[name] ?? []), { fromDays })]));

    await this.#replaceNonAdditive(site, period, segment, numerics);
    return { numerics, reports };
  }

  async #replaceNonAdditive(site: ArchiveSite, period: Period, segment: ArchiveSegment, numerics: Record<string, number>): Promise<void> {
    for (const archiver of this.#config.archivers) {
      for (const name of archiver.nonAdditiveMetrics ?? []) delete numerics[name];
    }
    if (period.kind !== 'week' && period.kind !== 'month') return;

    // NOTE: with [Deletelogs] on, a week or month that starts before the site's horizon counts
    // these metrics (unique visitors) from the rows left. Archiving it again after a deletion,
    // because of a later day that tracking marked or a forced day, lowers them.
    const query = new LogQuery(this.#config.db, site.siteId, period.utcBounds(site.zone), segment.condition, site.zone);
    for (const archiver of this.#config.archivers) {
      if (archiver.archiveNonAdditive) Object.assign(numerics, await archiver.archiveNonAdditive(query));
    }
  }
}
