/**
 * Reading and writing archives: one `archive` row per (site, period, dates, segment) with its
 * metrics in `archive_numeric` and its reports gzip-compressed JSON in `archive_blob`.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { SqliteAdapter, type Kysely } from 'kysely';
import { insertReturningId } from '../db/insert-id.js';
import type { Database } from '../db/schema.js';
import { addDays, type Period } from './period.js';
import { assignSubtableIds, type ArchiveRecords, type ReportRow } from './report-table.js';

/** Archive states, numbered as Matomo's done flags. */
export const ARCHIVE_STATUS = { done: 1, inProgress: 2, invalidated: 4 } as const;

/** The identity of an archive: a site, a period and a segment hash (md5 of the definition, or '' for none). */
export interface ArchiveKey {
  siteId: number;
  period: Period;
  segmentHash: string;
}

/** A finished archive as found in the store. */
export interface StoredArchive {
  idarchive: number;
  tsArchived: string;
}

/**
 * Returns the newest finished archive of a key, or undefined when there is none.
 * `includeInvalidated` also accepts archives marked invalidated, for readers that may not recompute.
 */
export async function findDoneArchive(db: Kysely<Database>, key: ArchiveKey, options: { includeInvalidated?: boolean } = {}): Promise<StoredArchive | undefined> {
  const statuses: number[] = options.includeInvalidated ? [ARCHIVE_STATUS.done, ARCHIVE_STATUS.invalidated] : [ARCHIVE_STATUS.done];
  const row = await db.selectFrom('archive')
    .select(['idarchive', 'ts_archived'])
    .where('idsite', '=', key.siteId)
    .where('period', '=', key.period.id)
    .where('date1', '=', key.period.startDate)
    .where('date2', '=', key.period.endDate)
    .where('segment_hash', '=', key.segmentHash)
    .where('status', 'in', statuses)
    .orderBy('ts_archived', 'desc')
    .orderBy('idarchive', 'desc')
    .executeTakeFirst();
  return row ? { idarchive: Number(row.idarchive), tsArchived: row.ts_archived } : undefined;
}

/** Returns the metrics of an archive by name. */
async function loadNumerics(db: Kysely<Database>, idarchive: number): Promise<Record<string, number>> {
  const rows = await db.selectFrom('archive_numeric').select(['name', 'value']).where('idarchive', '=', idarchive).execute();
  return Object.fromEntries(rows.map((row) => [row.name, Number(row.value)]));
}

/**
 * Returns the report tables of an archive by name: every table, or only those in `names`
 * (absent ones are left out), so a reader of one report does not decompress the others.
 */
async function loadReports(db: Kysely<Database>, idarchive: number, names?: readonly string[]): Promise<Record<string, ReportRow[]>> {
  if (names?.length === 0) return {};
  let select = db.selectFrom('archive_blob').select(['name', 'value']).where('idarchive', '=', idarchive);
  if (names) select = select.where('name', 'in', [...names]);
  const rows = await select.execute();
  return Object.fromEntries(rows.map((row) => [row.name, JSON.parse(gunzipSync(Buffer.from(row.value)).toString('utf8')) as ReportRow[]]));
}

/**
 * Reads the metrics and report tables of an archive (every table, or only those in `names`),
 * or returns undefined when the archive was deleted before the reads ended.
 *
 * The reads are separate statements, and each reads the rows committed before it started
 * (READ COMMITTED on PostgreSQL, one snapshot per autocommit statement on MariaDB and SQLite).
 * A deletion can commit between them and leave the reader with no metrics or no tables. So the
 * archive row is read last. Every deletion removes that row in the same transaction as its
 * records or before them (`deleteOlderArchives`, and `deleteSite` in src/sites/site-store.ts),
 * so a row still present after the reads shows that no deletion of its records had committed
 * when they ran.
 */
export async function loadArchiveRecords(db: Kysely<Database>, idarchive: number, names?: readonly string[]): Promise<ArchiveRecords | undefined> {
  const numerics = await loadNumerics(db, idarchive);
  const reports = await loadReports(db, idarchive, names);
  const row = await db.selectFrom('archive').select('idarchive').where('idarchive', '=', idarchive).executeTakeFirst();
  return row === undefined ? undefined : { numerics, reports };
}

/**
 * Writes an archive in one transaction and returns its id. The archive row is inserted in
 * progress, its records follow, and then it is marked done. The other archives of the same key
 * whose computation started earlier are deleted with their records. When another writer's
 * archive of the key started later, this archive is the one deleted, and the id returned no
 * longer exists. Subtables get their ids here.
 */
export async function saveArchive(db: Kysely<Database>, key: ArchiveKey, records: ArchiveRecords, tsArchived: string): Promise<number> {
  for (const table of Object.values(records.reports)) assignSubtableIds([table]);

  const saved = await db.transaction().execute(async (trx) => {
    const idarchive = await insertReturningId<Database, 'archive'>(trx, trx.insertInto('archive').values({
      idsite: key.siteId, period: key.period.id, date1: key.period.startDate, date2: key.period.endDate,
      segment_hash: key.segmentHash, status: ARCHIVE_STATUS.inProgress, ts_archived: tsArchived,
    }), 'idarchive');

    const numerics = Object.entries(records.numerics).map(([name, value]) => ({ idarchive, name, value }));
    if (numerics.length > 0) await trx.insertInto('archive_numeric').values(numerics).execute();
    for (const [name, table] of Object.entries(records.reports)) {
      await trx.insertInto('archive_blob').values({ idarchive, name, value: gzipSync(JSON.stringify(table)) }).execute();
    }

    await trx.updateTable('archive').set({ status: ARCHIVE_STATUS.done }).where('idarchive', '=', idarchive).execute();
    await deleteOlderArchives(trx, key);
    return idarchive;
  });
  // On MariaDB and PostgreSQL two writers of one key that commit at about the same time both
  // keep their archive, because neither transaction reads the other's uncommitted row. Once
  // committed, each writer deletes every archive of the key older than the newest finished one,
  // so the last of them to get here leaves only that one. SQLite runs one writer at a time.
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) await deleteOlderArchives(db, key);
  return saved;
}

function selectArchivesOfKey(db: Kysely<Database>, key: ArchiveKey) {
  return db.selectFrom('archive').select('idarchive')
    .where('idsite', '=', key.siteId)
    .where('period', '=', key.period.id)
    .where('date1', '=', key.period.startDate)
    .where('date2', '=', key.period.endDate)
    .where('segment_hash', '=', key.segmentHash);
}

/**
 * Deletes the archives of `key` that come before its newest finished one, with their records,
 * in the order of `findDoneArchive`: by `ts_archived`, the time a computation started, then by
 * id. A writer that started first but saves last thus deletes its own archive, not the one
 * computed later from more hits, whose mark core:archive may already have deleted.
 */
async function deleteOlderArchives(db: Kysely<Database>, key: ArchiveKey): Promise<void> {
  const newest = await selectArchivesOfKey(db, key).select('ts_archived').where('status', '=', ARCHIVE_STATUS.done)
    .orderBy('ts_archived', 'desc').orderBy('idarchive', 'desc').limit(1).executeTakeFirst();
  if (newest === undefined) return;
  // Only archives before the newest seen: another writer may commit a newer one after the query
  // above, and a writer that deleted that one as well could leave the key with no archive.
  const older = await selectArchivesOfKey(db, key).where((eb) => eb.or([
    eb('ts_archived', '<', newest.ts_archived),
    eb.and([eb('ts_archived', '=', newest.ts_archived), eb('idarchive', '<', newest.idarchive)]),
  ])).execute();
  const ids = older.map((row) => Number(row.idarchive));
  if (ids.length === 0) return;
  // The archive rows go first. After the commit of `saveArchive` each statement here commits on
  // its own, and `loadArchiveRecords` trusts records it read only while their archive row exists.
  // NOTE: a failure between these statements leaves records that no archive row points to.
  // Nothing reads them, and nothing deletes them later either.
  await db.deleteFrom('archive').where('idarchive', 'in', ids).execute();
  await db.deleteFrom('archive_numeric').where('idarchive', 'in', ids).execute();
  await db.deleteFrom('archive_blob').where('idarchive', 'in', ids).execute();
}

/** Sorts `days`, drops duplicates and groups them into runs of consecutive days, each as its first and last day. */
function runsOfConsecutiveDays(days: readonly string[]): [string, string][] {
  const runs: [string, string][] = [];
  for (const day of [...new Set(days)].sort()) {
    const last = runs[runs.length - 1];
    if (last && addDays(last[1], 1) === day) last[1] = day;
    else runs.push([day, day]);
  }
  return runs;
}

/**
 * Marks as invalidated every finished archive of a site whose period contains one of `days`:
 * the days themselves and their weeks, months, years and ranges, for every segment.
 * Consecutive days share one UPDATE, because a period contains a day of the run
 * `[first, last]` exactly when it starts on or before `last` and ends on or after `first`.
 * Returns how many archives were marked.
 */
export async function invalidateArchivesOfDays(db: Kysely<Database>, siteId: number, days: readonly string[]): Promise<number> {
  let marked = 0;
  for (const [first, last] of runsOfConsecutiveDays(days)) {
    const result = await db.updateTable('archive').set({ status: ARCHIVE_STATUS.invalidated })
      .where('idsite', '=', siteId)
      .where('status', '=', ARCHIVE_STATUS.done)
      .where('date1', '<=', last)
      .where('date2', '>=', first)
      .executeTakeFirst();
    marked += Number(result.numUpdatedRows);
  }
  return marked;
}

/**
 * `ts_invalidated` of a mark that a running core:archive claimed, before it reads the day's
 * logs. Tracking writes real times only, so a claimed mark that tracking marks again gets a
 * real time back. It sorts before every time, so `hasInvalidationSince` ignores it.
 */
export const CLAIMED_MARK = '0000-00-00 00:00:00';

/**
 * Returns whether tracking marked a day from `days.startDate` to `days.endDate` dirty (in
 * `archive_invalidations`) at or after `tsArchived`, the second in which the archive's
 * computation started. Times are whole seconds, so a mark of that same second may come from
 * a hit the computation did not read, and it counts as newer. An archive computed in the
 * second of a mark is thus computed again by each request until that second has passed, and
 * then stays.
 *
 * NOTE: on MariaDB and PostgreSQL tracking stamps a mark with its own clock just before the
 * statement, and the hit commits a few milliseconds later. A hit stamped in the second before
 * the computation started and committed after it read the logs is missed here until
 * core:archive archives the day, which does not depend on these times.
 */
export async function hasInvalidationSince(
  db: Kysely<Database>, siteId: number, days: { startDate: string; endDate: string }, tsArchived: string,
): Promise<boolean> {
  const row = await db.selectFrom('archive_invalidations').select('date')
    .where('idsite', '=', siteId)
    .where('date', '>=', days.startDate)
    .where('date', '<=', days.endDate)
    .where('ts_invalidated', '>=', tsArchived)
    .executeTakeFirst();
  return row !== undefined;
}

/** Returns whether a day of a site has a mark in `archive_invalidations`, claimed or not. */
export async function isDayMarked(db: Kysely<Database>, siteId: number, day: string): Promise<boolean> {
  const row = await db.selectFrom('archive_invalidations').select('date')
    .where('idsite', '=', siteId)
    .where('date', '=', day)
    .executeTakeFirst();
  return row !== undefined;
}
