/**
 * Deletion of old raw data, as Matomo's "Delete old raw data" setting does it. `core:archive`
 * runs it after archiving. It deletes the rows of the log tables of each site from before the
 * site's horizon: the start of its local day that contains midnight UTC
 * `[Deletelogs] delete_logs_older_than` days before the current day. It runs at most once per
 * `delete_logs_schedule_lowest_interval` days and deletes at most
 * `delete_logs_max_rows_per_query` rows per statement. Archives are kept.
 *
 * NOTE: `log_action` rows that no remaining row uses stay, because other sites and later hits
 * share them and finding the unused ones needs a scan of every table that refers to them.
 */
import { MysqlAdapter, PostgresAdapter, sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Settings } from '../config/settings.js';
import type { Database } from '../db/schema.js';
import { formatUtcDateTime, parseUtcDateTime, type Clock } from '../time.js';
import { acquireLock, releaseLock } from './archive-lock.js';
import {
  computeLogDeletionHorizon, computeSiteLogDeletionHorizon, readLogDeletionConfig, type LogDeletionConfig, type SiteLogDeletionHorizon,
} from './log-deletion-config.js';
import { parseSiteTimezone } from './site-timezone.js';

/** `option` row that stores when the last deletion started, as UTC 'YYYY-MM-DD HH:MM:SS'. */
export const LOG_DELETION_LAST_RUN_OPTION = 'delete_logs_last_run';

/** Seconds the deletion lock lasts, so a crashed run blocks deletion for at most this long. */
const LOG_DELETION_LOCK_SECONDS = 3600;

/**
 * Log tables with the column compared to the horizon. Actions, items and conversions come
 * before visits: a visit's last action time is at or after each of its rows' times, so a run
 * that stops halfway never leaves rows whose visit is deleted. A visit that lasts past the
 * horizon keeps all its rows, including those from before the horizon, as in Matomo, so that
 * no stored visit loses part of its actions.
 */
const LOG_TABLES = [
  ['log_link_visit_action', 'server_time'],
  ['log_conversion_item', 'server_time'],
  ['log_conversion', 'server_time'],
  ['log_visit', 'visit_last_action_time'],
] as const;

/** One of the log tables that deletion empties of old rows. */
export type LogTable = (typeof LOG_TABLES)[number][0];

/** Rows deleted from one table, and the DELETE statements that removed them. */
export interface TableDeletion {
  rows: number;
  statements: number;
}

/** The outcome of one deletion step of `core:archive`. */
export type LogDeletionResult =
  | { status: 'disabled' }
  /** Fewer than `delete_logs_schedule_lowest_interval` days passed since `lastRun`. */
  | { status: 'not_due'; lastRun: string }
  /** Another run holds the deletion lock. */
  | { status: 'locked' }
  /**
   * Rows from before each site's local day that contains `horizon` (UTC) were deleted, except
   * those of `skippedSites`, which have days before that day still to archive.
   */
  | { status: 'deleted'; horizon: string; tables: Record<LogTable, TableDeletion>; skippedSites: number[] };

/** The tenant resources a deletion uses. */
export interface LogDeletionContext {
  db: Kysely<Database>;
  settings: Settings;
  clock: Clock;
  logger: Logger;
  tenant: string;
}

/**
 * Deletes the rows of the log tables older than the horizon when deletion is on and its
 * interval has passed, then stores the start time of the run in the `option` table.
 * A run that fails or leaves a site out stores nothing, so the next `core:archive` tries again.
 */
export async function runLogDeletion(context: LogDeletionContext): Promise<LogDeletionResult> {
  const config = readLogDeletionConfig(context.settings);
  if (!config.enabled) return { status: 'disabled' };

  const started = context.clock();
  const runStarted = Date.now();
  const lastRun = await loadLastRun(context.db);
  if (lastRun !== null && !isDue(lastRun, started, config.intervalDays)) return { status: 'not_due', lastRun: formatUtcDateTime(lastRun) };

  const lock = await acquireLock(context.db, 'core:archive:log-deletion', LOG_DELETION_LOCK_SECONDS, context.clock);
  if (!lock) {
    context.logger.info({ tenant: context.tenant, job: 'core:archive' }, 'log deletion skipped: locked by another run');
    return { status: 'locked' };
  }
  try {
    const horizon = formatUtcDateTime(computeLogDeletionHorizon(started, config.olderThanDays));
    const { tables, skippedSites } = await deleteRowsOlderThan(context.db, started, config);
    // A run that left sites out is not recorded, so the next core:archive deletes their rows
    // once it has archived their days.
    if (skippedSites.length === 0) await saveLastRun(context.db, started);
    const rows = Object.fromEntries(Object.entries(tables).map(([table, deletion]) => [table, deletion.rows]));
    context.logger.info({ tenant: context.tenant, job: 'core:archive', horizon, rows, skippedSites, durationMs: Date.now() - runStarted }, 'old logs deleted');
    return { status: 'deleted', horizon, tables, skippedSites };
  } finally {
    await releaseLock(context.db, lock);
  }
}

/**
 * Returns whether `intervalDays` passed since `lastRun`. A last run in the future, left by a
 * clock that was wrong, counts as due, so that it cannot stop deletion until that time.
 */
function isDue(lastRun: Date, now: Date, intervalDays: number): boolean {
  const elapsedMs = now.getTime() - lastRun.getTime();
  return elapsedMs < 0 || elapsedMs >= intervalDays * 86_400_000;
}

async function loadLastRun(db: Kysely<Database>): Promise<Date | null> {
  const row = await db.selectFrom('option').select('option_value').where('option_name', '=', LOG_DELETION_LAST_RUN_OPTION).executeTakeFirst();
  if (!row) return null;
  const time = parseUtcDateTime(row.option_value);
  return Number.isNaN(time) ? null : new Date(time);
}

async function saveLastRun(db: Kysely<Database>, time: Date): Promise<void> {
  const value = formatUtcDateTime(time);
  const insert = db.insertInto('option').values({ option_name: LOG_DELETION_LAST_RUN_OPTION, option_value: value, autoload: 0 });
  if (db.getExecutor().adapter instanceof MysqlAdapter) await insert.onDuplicateKeyUpdate({ option_value: value }).execute();
  else await insert.onConflict((conflict) => conflict.column('option_name').doUpdateSet({ option_value: value })).execute();
}

/** A site with the horizon its rows are deleted before. */
interface SiteToDelete {
  idsite: number;
  horizon: SiteLogDeletionHorizon;
}

/**
 * Returns the ids of sites with a dirty day before their horizon day. Their rows stay until
 * core:archive has archived those days, because archiving a day after its rows are deleted
 * replaces its report with one of the remaining rows. That happens when `--force-idsites`
 * leaves a site out, when another run holds the site's lock, or when a day was invalidated
 * after this run archived the site.
 */
async function loadSitesWithUnarchivedDays(db: Kysely<Database>, sites: readonly SiteToDelete[]): Promise<Set<number>> {
  const earliestDirty = await db.selectFrom('archive_invalidations')
    .select(['idsite', (eb) => eb.fn.min('date').as('date')])
    .groupBy('idsite')
    .execute();
  const earliestBySite = new Map(earliestDirty.map((row) => [Number(row.idsite), row.date]));
  const skipped = new Set<number>();
  for (const site of sites) {
    const earliest = earliestBySite.get(site.idsite);
    if (earliest !== undefined && earliest < site.horizon.day) skipped.add(site.idsite);
  }
  return skipped;
}

/**
 * Deletes, site by site, the rows of each log table whose time is before the site's horizon,
 * in statements of at most `maxRowsPerQuery` rows each, and returns the counts with the sites
 * left out. Filtering by site lets the (idsite, time) indexes find the rows. Sites deleted
 * earlier have no rows left, because deleting a site deletes its logs.
 *
 * NOTE: `log_conversion_item` has no (idsite, server_time) index, so each of its statements
 * scans the table. It contains one row per ordered item, usually far fewer rows than the actions.
 */
async function deleteRowsOlderThan(
  db: Kysely<Database>, now: Date, config: LogDeletionConfig,
): Promise<{ tables: Record<LogTable, TableDeletion>; skippedSites: number[] }> {
  const sites = (await db.selectFrom('site').select(['idsite', 'timezone']).orderBy('idsite').execute()).map((row) => ({
    idsite: Number(row.idsite),
    horizon: computeSiteLogDeletionHorizon(now, config.olderThanDays, parseSiteTimezone(row.timezone)),
  }));
  const skipped = await loadSitesWithUnarchivedDays(db, sites);
  const sitesToDelete = sites.filter((site) => !skipped.has(site.idsite));
  const tables = {} as Record<LogTable, TableDeletion>;
  for (const [table, timeColumn] of LOG_TABLES) {
    const deletion: TableDeletion = { rows: 0, statements: 0 };
    for (const site of sitesToDelete) {
      const horizon = formatUtcDateTime(site.horizon.start);
      let deleted: number;
      do {
        deleted = await deleteChunk(db, table, timeColumn, site.idsite, horizon, config.maxRowsPerQuery);
        deletion.rows += deleted;
        deletion.statements += 1;
      } while (deleted === config.maxRowsPerQuery);
    }
    tables[table] = deletion;
  }
  return { tables, skippedSites: [...skipped] };
}

/**
 * Deletes at most `maxRows` rows of one site older than `horizon` and returns how many.
 * A row of a visit whose last action is at or after the horizon stays. MariaDB takes LIMIT
 * on DELETE. SQLite (without its optional DELETE ... LIMIT) and PostgreSQL take none, so
 * there the rows are picked by their physical row id (`rowid`, `ctid`) in a subquery with
 * LIMIT, which needs no primary key of one column.
 */
async function deleteChunk(
  db: Kysely<Database>, table: LogTable, timeColumn: string, siteId: number, horizon: string, maxRows: number,
): Promise<number> {
  const adapter = db.getExecutor().adapter;
  // A row whose visit is missing is deleted by its own time.
  const visitEnded = table === 'log_visit' ? null : sql<boolean>`not exists (
    select 1 from ${sql.table('log_visit')} where ${sql.ref('log_visit.idvisit')} = ${sql.ref(`${table}.idvisit`)}
    and ${sql.ref('log_visit.visit_last_action_time')} >= ${horizon}
  )`;
  if (adapter instanceof MysqlAdapter) {
    let query = db.deleteFrom(table)
      .where('idsite', '=', siteId)
      .where(sql.ref(timeColumn), '<', horizon);
    if (visitEnded !== null) query = query.where(visitEnded);
    const result = await query.limit(maxRows).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
  const rowId = sql.ref(adapter instanceof PostgresAdapter ? 'ctid' : 'rowid');
  const visitCondition = visitEnded === null ? sql`` : sql`and ${visitEnded}`;
  const result = await sql`delete from ${sql.table(table)} where ${rowId} in (
    select ${rowId} from ${sql.table(table)} where ${sql.ref('idsite')} = ${siteId} and ${sql.ref(timeColumn)} < ${horizon} ${visitCondition} limit ${maxRows}
  )`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
