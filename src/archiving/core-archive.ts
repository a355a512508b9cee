/**
 * The `core:archive` job of one tenant: archives the (site, day) pairs tracking marked dirty
 * and their weeks, months and years, plus whatever the force options ask for.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Settings } from '../config/settings.js';
import { splitIntoChunks } from '../db/chunks.js';
import type { Database } from '../db/schema.js';
import { REPORT_ARCHIVERS } from '../reports/report-archivers.js';
import { loadSites, type SiteRecord } from '../sites/site-store.js';
import type { Clock } from '../time.js';
import { acquireLock, releaseLock } from './archive-lock.js';
import { CLAIMED_MARK, invalidateArchivesOfDays } from './archive-store.js';
import { Archiver, NO_SEGMENT } from './archiver.js';
import { runLogDeletion, type LogDeletionResult } from './log-deletion.js';
import { computeSiteLogDeletionHorizon, readLogDeletionDays } from './log-deletion-config.js';
import { addDays, Period, type PeriodKind } from './period.js';
import type { ReportArchiver } from './report-archiver.js';
import { withArchivingPragmas } from './sqlite-archiving-pragmas.js';
import { dayInZone, parseSiteTimezone } from './site-timezone.js';

/** Seconds a site's archiving lock lasts; a crashed run blocks that site for at most this long. */
export const DEFAULT_ARCHIVE_LOCK_SECONDS = 3600;

/** The periods archived for each dirty day unless `--force-periods` narrows them. */
export const DEFAULT_ARCHIVE_PERIODS: readonly Exclude<PeriodKind, 'range'>[] = ['day', 'week', 'month', 'year'];

/**
 * Values per `IN (...)` list of the run's own statements. SQLite allows 32,766 bound
 * parameters per statement (since 3.32), and one site can have more dirty days than that,
 * so longer lists are split into statements of at most this many values.
 */
export const MAX_VALUES_PER_IN_LIST = 500;

/** Options of one run. */
export interface CoreArchiveOptions {
  /** Only these sites (`--force-idsites`); all sites when absent. */
  siteIds?: readonly number[];
  periods?: readonly Exclude<PeriodKind, 'range'>[];
  /** Archive every day of this range for the selected sites, dirty or not (`--force-date-range`). */
  dateRange?: readonly [string, string];
  /** Archive today and yesterday of every selected site, dirty or not (`--force-all-websites`). */
  allWebsites?: boolean;
  /** Called before each site is processed, for a progress bar. */
  onSite?(site: SiteRecord, index: number, total: number): void;
}

/** The outcome of one site in a run. */
export interface SiteArchiveResult {
  idSite: number;
  days: string[];
  archives: number;
  status: 'archived' | 'locked';
}

/**
 * Forced days of one site that a run left out because they are before the site's log deletion
 * horizon, where raw data may be deleted in part or in full. Their stored archives stay.
 */
export interface SkippedDays {
  idSite: number;
  /** The first and last day left out, in the site's time zone. */
  firstDay: string;
  lastDay: string;
  days: number;
  /** The site's first day whose raw data is kept. */
  horizonDay: string;
}

/** The result of one run. */
export interface CoreArchiveResult {
  sites: SiteArchiveResult[];
  archives: number;
  invalidationsCleared: number;
  /** Forced days before the log deletion horizon, left out of the run. */
  skippedBeforeHorizon: SkippedDays[];
  /** The deletion of old raw data that runs after archiving (`[Deletelogs]`). */
  logDeletion: LogDeletionResult;
  durationMs: number;
}

/** The tenant resources a run uses. */
export interface CoreArchiveContext {
  db: Kysely<Database>;
  settings: Settings;
  clock: Clock;
  logger: Logger;
  tenant: string;
  /** The report modules to archive, `REPORT_ARCHIVERS` when absent. */
  archivers?: readonly ReportArchiver[];
}

async function loadDirtyDays(db: Kysely<Database>, siteIds: readonly number[] | undefined): Promise<Map<number, Set<string>>> {
  const query = db.selectFrom('archive_invalidations').select(['idsite', 'date']);
  const rows = [];
  if (siteIds) {
    for (const chunk of splitIntoChunks(siteIds, MAX_VALUES_PER_IN_LIST)) rows.push(...await query.where('idsite', 'in', chunk).execute());
  } else {
    rows.push(...await query.execute());
  }
  const dirty = new Map<number, Set<string>>();
  for (const row of rows) {
    const days = dirty.get(Number(row.idsite)) ?? new Set<string>();
    days.add(row.date);
    dirty.set(Number(row.idsite), days);
  }
  return dirty;
}

/** Loads the sites of `siteIds` (all sites for null) with one query per chunk of ids, ordered by id. */
async function loadSitesInChunks(db: Kysely<Database>, siteIds: readonly number[] | null): Promise<SiteRecord[]> {
  if (siteIds === null) return loadSites(db, null);
  const sorted = [...siteIds].sort((a, b) => a - b);
  const sites: SiteRecord[] = [];
  for (const chunk of splitIntoChunks(sorted, MAX_VALUES_PER_IN_LIST)) sites.push(...await loadSites(db, chunk));
  return sites;
}

function daysOfRange(range: readonly [string, string]): string[] {
  const days: string[] = [];
  for (let day = range[0]; day <= range[1]; day = addDays(day, 1)) days.push(day);
  return days;
}

/** Deletes the dirty days of sites that no longer exist, which would otherwise be read on every run. */
async function dropDaysOfDeletedSites(db: Kysely<Database>, work: Map<number, Set<string>>, sites: readonly SiteRecord[]): Promise<void> {
  const existing = new Set(sites.map((site) => site.idsite));
  const deleted = [...work.keys()].filter((siteId) => !existing.has(siteId));
  if (deleted.length === 0) return;
  for (const chunk of splitIntoChunks(deleted, MAX_VALUES_PER_IN_LIST)) await db.deleteFrom('archive_invalidations').where('idsite', 'in', chunk).execute();
  for (const siteId of deleted) work.delete(siteId);
}

/**
 * Adds the days of the force options to each site's dirty days, and returns the days it left
 * out. With `[Deletelogs]` on, a forced day before the site's deletion horizon is left out
 * unless it is dirty, because its raw data may be deleted and archiving it would replace its
 * stored reports with those of the rows left. Matomo 5 likewise does not invalidate such days
 * (`removeDatesThatHaveBeenPurged` in core/Archive/ArchiveInvalidator.php). A dirty day keeps
 * all its rows until it is archived (see `runLogDeletion`), so it stays.
 */
function addForcedDays(work: Map<number, Set<string>>, sites: readonly SiteRecord[], options: CoreArchiveOptions, now: Date, deletionDays: number | null): SkippedDays[] {
  if (options.dateRange === undefined && options.allWebsites !== true) return [];
  const skipped: SkippedDays[] = [];
  for (const site of sites) {
    const zone = parseSiteTimezone(site.timezone);
    const today = dayInZone(now, zone);
    const days = options.dateRange ? daysOfRange(options.dateRange) : [addDays(today, -1), today];
    const horizonDay = deletionDays === null ? null : computeSiteLogDeletionHorizon(now, deletionDays, zone).day;
    const set = work.get(site.idsite) ?? new Set<string>();
    const left: string[] = [];
    for (const day of days) {
      if (horizonDay !== null && day < horizonDay && !set.has(day)) left.push(day);
      else set.add(day);
    }
    work.set(site.idsite, set);
    if (horizonDay !== null && left.length > 0) {
      skipped.push({ idSite: site.idsite, firstDay: left[0]!, lastDay: left[left.length - 1]!, days: left.length, horizonDay });
    }
  }
  return skipped;
}

/** Returns the periods to archive for some days, each once, days first so longer periods sum stored days. */
function periodsOfDays(days: readonly string[], kinds: readonly Exclude<PeriodKind, 'range'>[]): Period[] {
  const periods = new Map<string, Period>();
  for (const kind of DEFAULT_ARCHIVE_PERIODS) {
    if (!kinds.includes(kind)) continue;
    for (const day of days) {
      const period = Period.containing(kind, day);
      periods.set(`${kind}:${period.label}`, period);
    }
  }
  return [...periods.values()];
}

/**
 * Claims the marks of `days` by setting their `ts_invalidated` to `CLAIMED_MARK`, before the
 * run reads the days' logs. Tracking that marks a day again overwrites the value in the same
 * transaction as its hits. A claim waits for a tracking transaction that holds the mark's row
 * (a row lock on MariaDB and PostgreSQL, the write lock on SQLite), so every hit whose mark
 * it claims is committed before the logs are read.
 */
async function claimMarks(db: Kysely<Database>, siteId: number, days: readonly string[]): Promise<void> {
  for (const chunk of splitIntoChunks(days, MAX_VALUES_PER_IN_LIST)) {
    await db.updateTable('archive_invalidations').set({ ts_invalidated: CLAIMED_MARK })
      .where('idsite', '=', siteId)
      .where('date', 'in', chunk)
      .execute();
  }
}

/** Deletes the marks of `days` that are still claimed and returns how many. Marks that tracking wrote since the claim stay. */
async function deleteClaimedMarks(db: Kysely<Database>, siteId: number, days: readonly string[]): Promise<number> {
  let deleted = 0;
  for (const chunk of splitIntoChunks(days, MAX_VALUES_PER_IN_LIST)) {
    const result = await db.deleteFrom('archive_invalidations')
      .where('idsite', '=', siteId)
      .where('date', 'in', chunk)
      .where('ts_invalidated', '=', CLAIMED_MARK)
      .executeTakeFirst();
    deleted += Number(result.numDeletedRows);
  }
  return deleted;
}

async function archiveSite(context: CoreArchiveContext, site: SiteRecord, days: string[], options: CoreArchiveOptions): Promise<{ archives: number; cleared: number }> {
  const settings = context.settings.forSite(site.idsite);
  const archiver = new Archiver({
    db: context.db, archivers: context.archivers ?? REPORT_ARCHIVERS, clock: context.clock, allowArchiving: true, logger: context.logger.child({ tenant: context.tenant }),
    todayArchiveTtlSeconds: settings.int('General', 'time_before_today_archive_considered_outdated'),
    logDeletionDays: readLogDeletionDays(settings),
  });
  const zone = parseSiteTimezone(site.timezone);

  // Segmented archives of these days become outdated too; they are recomputed when next requested.
  await invalidateArchivesOfDays(context.db, site.idsite, days);
  // A report request ignores claimed marks, and the archives were invalidated first, so it
  // does not take an archive from before the claim as current.
  await claimMarks(context.db, site.idsite, days);
  const periods = periodsOfDays(days, options.periods ?? DEFAULT_ARCHIVE_PERIODS);
  for (const period of periods) await archiver.archive({ siteId: site.idsite, zone }, period, NO_SEGMENT);

  // A run that fails before this line leaves its claimed marks, so the next run archives those days.
  const cleared = await deleteClaimedMarks(context.db, site.idsite, days);
  return { archives: periods.length, cleared };
}

/**
 * Runs one archiving pass over a tenant. Sites with no dirty day and no force option are
 * not touched at all. Forced days before a site's log deletion horizon are left out and
 * logged (see `addForcedDays`). Each site is archived under a lock, and a site locked by another
 * run is reported as `locked` and left for it. Then old raw data is deleted when
 * `[Deletelogs] delete_logs_enable` is on. The deletion comes after the archiving, so that
 * dirty days are archived from their rows before those rows are deleted.
 */
export async function runCoreArchive(context: CoreArchiveContext, options: CoreArchiveOptions = {}): Promise<CoreArchiveResult> {
  const runStarted = Date.now();
  const started = context.clock();
  const work = await loadDirtyDays(context.db, options.siteIds);
  const forced = options.dateRange !== undefined || options.allWebsites === true;
  // Without force options only sites with dirty days are loaded, so quiet sites cost nothing.
  const sites = await loadSitesInChunks(context.db, forced ? options.siteIds ?? null : [...work.keys()]);
  const skippedBeforeHorizon = addForcedDays(work, sites, options, started, readLogDeletionDays(context.settings));
  for (const skipped of skippedBeforeHorizon) {
    context.logger.warn({ tenant: context.tenant, job: 'core:archive', ...skipped }, 'days before the log deletion horizon skipped');
  }
  await dropDaysOfDeletedSites(context.db, work, sites);

  const selected = sites.filter((site) => (work.get(site.idsite)?.size ?? 0) > 0);
  const result: CoreArchiveResult = {
    sites: [], archives: 0, invalidationsCleared: 0, skippedBeforeHorizon, logDeletion: { status: 'disabled' }, durationMs: 0,
  };
  for (const [index, site] of selected.entries()) {
    options.onSite?.(site, index, selected.length);
    const days = [...work.get(site.idsite)!].sort();
    const lock = await acquireLock(context.db, `core:archive:site:${site.idsite}`, DEFAULT_ARCHIVE_LOCK_SECONDS, context.clock);
    if (!lock) {
      context.logger.info({ tenant: context.tenant, idSite: site.idsite }, 'site archiving skipped: locked by another run');
      result.sites.push({ idSite: site.idsite, days, archives: 0, status: 'locked' });
      continue;
    }
    try {
      const siteStarted = Date.now();
      const outcome = await withArchivingPragmas(context.db, () => archiveSite(context, site, days, options));
      context.logger.info({ tenant: context.tenant, idSite: site.idsite, days: days.length, archives: outcome.archives, durationMs: Date.now() - siteStarted }, 'site archived');
      result.sites.push({ idSite: site.idsite, days, archives: outcome.archives, status: 'archived' });
      result.archives += outcome.archives;
      result.invalidationsCleared += outcome.cleared;
    } finally {
      await releaseLock(context.db, lock);
    }
  }
  result.logDeletion = await runLogDeletion(context);
  result.durationMs = Date.now() - runStarted;
  return result;
}
