import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { ARCHIVE_STATUS, invalidateArchivesOfDays, saveArchive } from '../../src/archiving/archive-store.js';
import { Archiver, MAX_ARCHIVE_READ_ATTEMPTS, NO_SEGMENT } from '../../src/archiving/archiver.js';
import { runCoreArchive } from '../../src/archiving/core-archive.js';
import { Period } from '../../src/archiving/period.js';
import type { ReportArchiver } from '../../src/archiving/report-archiver.js';
import type { ArchiveRecords } from '../../src/archiving/report-table.js';
import { parseSiteTimezone } from '../../src/archiving/site-timezone.js';
import type { Settings } from '../../src/config/settings.js';
import { connectDatabase } from '../../src/db/connect.js';
import type { DatabaseConfig } from '../../src/db/database-config.js';
import type { Database } from '../../src/db/schema.js';
import { createSilentLogger } from '../../src/logging.js';
import { REPORT_ARCHIVERS } from '../../src/reports/report-archivers.js';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { createVisit } from '../support/log-factories.js';
import { useTestRoot } from '../support/suite-root.js';
import { createTestTenant } from '../support/test-root.js';

/**
 * Returns a report module that stores nothing and runs `afterRead` once, on the first day it
 * is called for. Placed after the other modules, it acts as a hit committed after they read the day.
 */
function afterReadArchiver(afterRead: () => Promise<void>): ReportArchiver {
  let done = false;
  return {
    module: 'AfterRead',
    async archiveDay() {
      if (!done) {
        done = true;
        await afterRead();
      }
      return { numerics: {}, reports: {} };
    },
  };
}

/**
 * Returns `db` with a plugin that runs `hook` with the SQL of each query that matches
 * `pattern`, after the query and before the caller gets its rows. The query's connection is
 * held until the hook ends, so the hook must write through another Kysely instance, as
 * another process would.
 */
function hookAfterQuery(db: Kysely<Database>, pattern: RegExp, hook: (sql: string) => Promise<void>): Kysely<Database> {
  const executor = db.getExecutor();
  const matched = new Map<string, string>();
  return db.withPlugin({
    transformQuery({ node, queryId }) {
      const { sql } = executor.compileQuery(node, queryId);
      if (pattern.test(sql)) matched.set(queryId.queryId, sql);
      return node;
    },
    async transformResult({ result, queryId }) {
      const sql = matched.get(queryId.queryId);
      if (sql !== undefined) {
        matched.delete(queryId.queryId);
        await hook(sql);
      }
      return result;
    },
  });
}

/** The SQL of `findDoneArchive`, the only archive query that filters on a list of statuses. */
const FIND_ARCHIVE_SQL = /[`"]status[`"] in \(/;
/** The SQL of the read of an archive's metrics. */
const READ_NUMERICS_SQL = /from [`"]\w*archive_numeric[`"]/;
/** The SQL of the query of `deleteOlderArchives` that lists the archives to delete. */
const LIST_OLDER_ARCHIVES_SQL = /[`"]ts_archived[`"] < /;
/** The SQL of any DELETE statement. */
const DELETE_SQL = /^delete /;

/** Returns the records of a stored archive with `visits` visits, in its metrics and in one report table. */
function visitRecords(visits: number): ArchiveRecords {
  return { numerics: { nb_visits: visits }, reports: { UserLanguage_getLanguage: [{ label: 'en', metrics: { nb_visits: visits } }] } };
}

// Every server is probed before the first suite runs, because SQLite archiving blocks the event
// loop for longer than a probe's connection timeout.
for (const adapter of ALL_ENGINES) await engineSkip(adapter);

for (const adapter of ALL_ENGINES) describe(`Archiver on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
  const suite = useTestRoot(async (root) => {
    const tenant = await createTestTenant(root, { adapter, timezone: 'UTC' });
    const resolved = root.registry.require(tenant.host);
    return { db: resolved.db(), settings: resolved.settings, siteId: tenant.idSite, databaseConfig: resolved.databaseConfig };
  }, { deleteTenants: true });
  let db: Kysely<Database>;
  let settings: Settings;
  let siteId: number;
  let databaseConfig: DatabaseConfig;
  let now = new Date('2024-05-10T12:00:00Z');
  const clock = () => now;
  const site = () => ({ siteId, zone: parseSiteTimezone('UTC') });
  const archiver = (allowArchiving = true, archivers: readonly ReportArchiver[] = REPORT_ARCHIVERS) => new Archiver({ db, archivers, clock, todayArchiveTtlSeconds: 900, allowArchiving });
  const visitsOf = async (period: Period, allowArchiving = true) => (await archiver(allowArchiving).load(site(), period, NO_SEGMENT)).records.numerics.nb_visits ?? 0;

  before(() => {
    ({ db, settings, siteId, databaseConfig } = suite);
  });

  /**
   * Runs `callback` with a second Kysely instance on the tenant database, with its own
   * connections as another process has, and destroys that instance afterwards.
   */
  async function withOtherConnection<T>(callback: (other: Kysely<Database>) => Promise<T>): Promise<T> {
    const other = connectDatabase(databaseConfig);
    try {
      return await callback(other);
    } finally {
      await other.destroy();
    }
  }

  it('reuses an archive of today until the TTL passes', async () => {
    now = new Date('2024-05-10T12:00:00Z');
    const today = Period.containing('day', '2024-05-10');
    await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-05-10 11:00:00' });
    assert.equal(await visitsOf(today), 1);

    await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-05-10 11:30:00' });
    now = new Date('2024-05-10T12:14:59Z');
    assert.equal(await visitsOf(today), 1);
    now = new Date('2024-05-10T12:15:00Z');
    assert.equal(await visitsOf(today), 2);
  });

  it('stores no archive for a day without logs', async () => {
    assert.equal((await archiver().load(site(), Period.containing('day', '2024-04-01'), NO_SEGMENT)).idarchive, null);
  });

  it('keeps one archive per key after recomputing', async () => {
    const rows = await db.selectFrom('archive').select('idarchive').where('idsite', '=', siteId).where('period', '=', 1).where('date1', '=', '2024-05-10').execute();
    assert.equal(rows.length, 1);
  });

  it('keeps the newest archive when two requests archive at once', async () => {
    const day = Period.containing('day', '2024-05-10');
    const [first, second] = await Promise.all([archiver().archive(site(), day, NO_SEGMENT), archiver().archive(site(), day, NO_SEGMENT)]);
    const rows = await db.selectFrom('archive').select('idarchive').where('idsite', '=', siteId).where('period', '=', 1).where('date1', '=', '2024-05-10').execute();
    assert.deepEqual(rows.map((row) => Number(row.idarchive)), [Math.max(first.idarchive!, second.idarchive!)]);
  });

  it('recomputes a past day that tracking marked dirty', async () => {
    now = new Date('2024-05-20T12:00:00Z');
    const past = Period.containing('day', '2024-05-02');
    await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-05-02 08:00:00' });
    assert.equal(await visitsOf(past), 1);

    await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-05-02 09:00:00' });
    assert.equal(await visitsOf(past), 1);
    await db.insertInto('archive_invalidations').values({ idsite: siteId, date: '2024-05-02', ts_invalidated: '2024-05-20 12:00:01' }).execute();
    now = new Date('2024-05-20T12:00:02Z');
    assert.equal(await visitsOf(past), 2);
  });

  it('recomputes day marked mid-archive', async () => {
    now = new Date('2024-05-20T12:00:00Z');
    const day = Period.containing('day', '2024-05-06');
    await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-05-06 08:00:00' });
    // A hit committed while the day was archived, one second after the computation started,
    // with the archive saved one second later still.
    const archivers = [...REPORT_ARCHIVERS, afterReadArchiver(async () => {
      await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-05-06 09:00:00' });
      await db.insertInto('archive_invalidations').values({ idsite: siteId, date: '2024-05-06', ts_invalidated: '2024-05-20 12:00:01' }).execute();
      now = new Date('2024-05-20T12:00:02Z');
    })];
    assert.equal((await archiver(true, archivers).load(site(), day, NO_SEGMENT)).records.numerics.nb_visits, 1);
    assert.equal(await visitsOf(day), 2);
  });

  it('recomputes day marked same second', async () => {
    now = new Date('2024-05-20T12:00:10Z');
    const day = Period.containing('day', '2024-05-07');
    await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-05-07 08:00:00' });
    const archivers = [...REPORT_ARCHIVERS, afterReadArchiver(async () => {
      await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-05-07 09:00:00' });
      await db.insertInto('archive_invalidations').values({ idsite: siteId, date: '2024-05-07', ts_invalidated: '2024-05-20 12:00:10' }).execute();
    })];
    assert.equal((await archiver(true, archivers).load(site(), day, NO_SEGMENT)).records.numerics.nb_visits, 1);
    assert.equal(await visitsOf(day), 2);

    // Once the mark's second has passed, the archive computed last is reused.
    now = new Date('2024-05-20T12:00:11Z');
    const first = await archiver().load(site(), day, NO_SEGMENT);
    const second = await archiver().load(site(), day, NO_SEGMENT);
    assert.equal(first.records.numerics.nb_visits, 2);
    assert.notEqual(first.idarchive, null);
    assert.equal(second.idarchive, first.idarchive);
  });

  it('keeps later of two day computations', async () => {
    now = new Date('2024-05-20T12:00:20Z');
    const day = Period.containing('day', '2024-05-08');
    await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-05-08 08:00:00' });
    // While a report request computes the day from one visit, a hit adds a second visit and
    // core:archive archives the day from both and deletes the mark. The request saves last.
    const archivers = [...REPORT_ARCHIVERS, afterReadArchiver(async () => {
      await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-05-08 09:00:00' });
      await db.insertInto('archive_invalidations').values({ idsite: siteId, date: '2024-05-08', ts_invalidated: '2024-05-20 12:00:21' }).execute();
      now = new Date('2024-05-20T12:00:22Z');
      await runCoreArchive({ db, settings, clock, logger: createSilentLogger(), tenant: 'test' }, { siteIds: [siteId], periods: ['day'] });
      now = new Date('2024-05-20T12:00:23Z');
    })];
    assert.equal((await archiver(true, archivers).load(site(), day, NO_SEGMENT)).records.numerics.nb_visits, 1);

    assert.equal(await visitsOf(day), 2);
    const rows = await db.selectFrom('archive').select('ts_archived').where('idsite', '=', siteId).where('period', '=', 1).where('date1', '=', '2024-05-08').execute();
    assert.deepEqual(rows.map((row) => row.ts_archived), ['2024-05-20 12:00:22']);
  });

  it('serves only stored archives when archiving is not allowed, but still archives ranges', async () => {
    now = new Date('2024-05-20T12:00:00Z');
    await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-05-03 08:00:00' });
    assert.equal(await visitsOf(Period.containing('day', '2024-05-03'), false), 0);
    assert.equal(await visitsOf(Period.range('2024-05-03', '2024-05-03'), false), 0);
    assert.equal(await visitsOf(Period.containing('day', '2024-05-03'), true), 1);
    assert.equal(await visitsOf(Period.range('2024-05-02', '2024-05-03'), false), 3);
  });

  it('invalidates a day with its week, month, year and ranges', async () => {
    await archiver().load(site(), Period.containing('year', '2024-05-03'), NO_SEGMENT);
    await archiver().load(site(), Period.containing('week', '2024-05-03'), NO_SEGMENT);
    const marked = await invalidateArchivesOfDays(db, siteId, ['2024-05-03']);
    const invalidated = await db.selectFrom('archive').select(['period', 'date1', 'date2']).where('idsite', '=', siteId).where('status', '=', ARCHIVE_STATUS.invalidated).orderBy('period').orderBy('date1').execute();
    assert.deepEqual(invalidated.map((row) => `${row.period}:${row.date1},${row.date2}`), [
      '1:2024-05-03,2024-05-03', '2:2024-04-29,2024-05-05', '3:2024-05-01,2024-05-31', '4:2024-01-01,2024-12-31', '5:2024-05-02,2024-05-03',
    ]);
    assert.equal(marked, 5);
    assert.equal(await visitsOf(Period.containing('week', '2024-05-03'), false), 3);
  });

  it('reads only the named tables of a stored archive', async () => {
    const day = Period.containing('day', '2024-04-20');
    await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-04-20 09:00:00' });
    const computed = await archiver().load(site(), day, NO_SEGMENT, ['DevicesDetection_getBrowsers']);
    assert.ok(Object.keys(computed.records.reports).length > 1, 'a computed archive has every table');

    const browsersOnly = await archiver().load(site(), day, NO_SEGMENT, ['DevicesDetection_getBrowsers']);
    assert.equal(browsersOnly.idarchive, computed.idarchive);
    assert.deepEqual(Object.keys(browsersOnly.records.reports), ['DevicesDetection_getBrowsers']);
    assert.equal(browsersOnly.records.reports.DevicesDetection_getBrowsers?.[0]?.label, 'Firefox');
    assert.equal(browsersOnly.records.numerics.nb_visits, 1);

    const noTables = await archiver().load(site(), day, NO_SEGMENT, []);
    assert.deepEqual(noTables.records.reports, {});
    assert.equal(noTables.records.numerics.nb_visits, 1);

    const allTables = await archiver().load(site(), day, NO_SEGMENT);
    assert.deepEqual(Object.keys(allTables.records.reports).sort(), Object.keys(computed.records.reports).sort());
  });

  it('keeps invalidated day before horizon', async () => {
    // With delete_logs_older_than = 30 the horizon day is 2024-04-20.
    now = new Date('2024-05-20T12:00:00Z');
    const day = Period.containing('day', '2024-03-01');
    const withDeletion = () => new Archiver({ db, archivers: REPORT_ARCHIVERS, clock, todayArchiveTtlSeconds: 900, allowArchiving: true, logDeletionDays: 30 });
    await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-03-01 08:00:00' });
    assert.equal(await visitsOf(day), 1);

    // The raw data is deleted, and an earlier run invalidated the day with its month.
    await db.deleteFrom('log_visit').where('idsite', '=', siteId).where('visit_last_action_time', '=', '2024-03-01 08:00:00').execute();
    await invalidateArchivesOfDays(db, siteId, ['2024-03-01']);
    assert.equal((await withDeletion().load(site(), day, NO_SEGMENT)).records.numerics.nb_visits, 1);
    assert.equal((await withDeletion().load(site(), Period.containing('month', '2024-03-01'), NO_SEGMENT)).records.numerics.nb_visits, 1);
    // Without log deletion the day is computed again from the rows left.
    assert.equal(await visitsOf(day), 0);
  });

  it('recomputes marked day before horizon', async () => {
    now = new Date('2024-05-20T12:00:00Z');
    const day = Period.containing('day', '2024-03-02');
    const withDeletion = () => new Archiver({ db, archivers: REPORT_ARCHIVERS, clock, todayArchiveTtlSeconds: 900, allowArchiving: true, logDeletionDays: 30 });
    await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-03-02 08:00:00' });
    assert.equal(await visitsOf(day), 1);

    // Tracking marked the day, so all its rows are kept until it is archived.
    await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-03-02 09:00:00' });
    await invalidateArchivesOfDays(db, siteId, ['2024-03-02']);
    await db.insertInto('archive_invalidations').values({ idsite: siteId, date: '2024-03-02', ts_invalidated: '2024-05-20 11:00:00' }).execute();
    assert.equal((await withDeletion().load(site(), day, NO_SEGMENT)).records.numerics.nb_visits, 2);
  });

  it('keeps today despite marks within TTL', async () => {
    now = new Date('2024-06-12T10:00:00Z');
    const today = Period.containing('day', '2024-06-12');
    await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-06-12 09:00:00' });
    assert.equal(await visitsOf(today), 1);

    // A hit of today marks the day, as tracking does, and the archive still serves until the TTL passes.
    await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-06-12 09:30:00' });
    await db.insertInto('archive_invalidations').values({ idsite: siteId, date: '2024-06-12', ts_invalidated: '2024-06-12 10:00:05' }).execute();
    now = new Date('2024-06-12T10:05:00Z');
    assert.equal(await visitsOf(today), 1);
    now = new Date('2024-06-12T10:15:00Z');
    assert.equal(await visitsOf(today), 2);
  });

  it('recomputes current week on past-day mark', async () => {
    now = new Date('2024-06-12T11:00:00Z');
    const week = Period.containing('week', '2024-06-12');
    const before = await visitsOf(week);
    assert.equal(before, 2);

    await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-06-11 08:00:00' });
    await db.insertInto('archive_invalidations').values({ idsite: siteId, date: '2024-06-11', ts_invalidated: '2024-06-12 11:00:01' }).execute();
    now = new Date('2024-06-12T11:00:02Z');
    assert.equal(await visitsOf(week), 3);
  });

  it('reads newer archive after deletion', async () => {
    now = new Date('2024-05-20T12:00:00Z');
    const day = Period.containing('day', '2024-04-23');
    await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-04-23 09:00:00' });
    const first = await archiver().load(site(), day, NO_SEGMENT);
    assert.equal(first.records.numerics.nb_visits, 1);
    await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-04-23 10:00:00' });
    now = new Date('2024-05-20T12:00:05Z');

    // After the reader found the first archive, another process archives the day again, and
    // its save deletes the first archive before the reader reads the records.
    const loaded = await withOtherConnection(async (other) => {
      let newer: number | null = null;
      const reader = hookAfterQuery(db, FIND_ARCHIVE_SQL, async () => {
        newer ??= (await new Archiver({ db: other, archivers: REPORT_ARCHIVERS, clock, todayArchiveTtlSeconds: 900, allowArchiving: true }).archive(site(), day, NO_SEGMENT)).idarchive;
      });
      const result = await new Archiver({ db: reader, archivers: REPORT_ARCHIVERS, clock, todayArchiveTtlSeconds: 900, allowArchiving: false }).load(site(), day, NO_SEGMENT);
      return { result, newer };
    });

    assert.equal(loaded.result.records.numerics.nb_visits, 2);
    assert.equal(loaded.result.records.reports.DevicesDetection_getBrowsers?.[0]?.metrics.nb_visits, 2);
    assert.notEqual(loaded.newer, null);
    assert.notEqual(loaded.newer, first.idarchive);
    assert.equal(loaded.result.idarchive, loaded.newer);
  });

  it('rereads tables deleted after metrics', async () => {
    now = new Date('2024-05-20T12:00:00Z');
    const day = Period.containing('day', '2024-04-24');
    await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-04-24 09:00:00' });
    const first = await archiver().load(site(), day, NO_SEGMENT);
    assert.equal(first.records.numerics.nb_visits, 1);
    await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-04-24 10:00:00' });
    now = new Date('2024-05-20T12:00:05Z');

    // The deletion commits between the read of the metrics and the read of the tables.
    const loaded = await withOtherConnection(async (other) => {
      let newer: number | null = null;
      const reader = hookAfterQuery(db, READ_NUMERICS_SQL, async () => {
        newer ??= (await new Archiver({ db: other, archivers: REPORT_ARCHIVERS, clock, todayArchiveTtlSeconds: 900, allowArchiving: true }).archive(site(), day, NO_SEGMENT)).idarchive;
      });
      const result = await new Archiver({ db: reader, archivers: REPORT_ARCHIVERS, clock, todayArchiveTtlSeconds: 900, allowArchiving: false })
        .load(site(), day, NO_SEGMENT, ['DevicesDetection_getBrowsers']);
      return { result, newer };
    });

    assert.equal(loaded.result.records.numerics.nb_visits, 2);
    assert.deepEqual(Object.keys(loaded.result.records.reports), ['DevicesDetection_getBrowsers']);
    assert.equal(loaded.result.records.reports.DevicesDetection_getBrowsers?.[0]?.metrics.nb_visits, 2);
    assert.notEqual(loaded.newer, null);
    assert.equal(loaded.result.idarchive, loaded.newer);
  });

  it('computes after repeated deletions', async () => {
    now = new Date('2024-05-20T12:00:00Z');
    const day = Period.containing('day', '2024-04-25');
    await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-04-25 09:00:00' });
    await archiver().load(site(), day, NO_SEGMENT);
    await createVisit(db, { idsite: siteId, visit_last_action_time: '2024-04-25 10:00:00' });

    // Every archive the reader finds is replaced before it reads it, so it stops trying and
    // computes the day itself.
    let replaced = 0;
    const loaded = await withOtherConnection(async (other) => {
      const reader = hookAfterQuery(db, FIND_ARCHIVE_SQL, async () => {
        replaced += 1;
        await new Archiver({ db: other, archivers: REPORT_ARCHIVERS, clock, todayArchiveTtlSeconds: 900, allowArchiving: true }).archive(site(), day, NO_SEGMENT);
      });
      return new Archiver({ db: reader, archivers: REPORT_ARCHIVERS, clock, todayArchiveTtlSeconds: 900, allowArchiving: true }).load(site(), day, NO_SEGMENT);
    });

    assert.equal(replaced, MAX_ARCHIVE_READ_ATTEMPTS);
    assert.equal(loaded.records.numerics.nb_visits, 2);
    const rows = await db.selectFrom('archive').select('idarchive').where('idsite', '=', siteId).where('period', '=', 1).where('date1', '=', '2024-04-25').execute();
    assert.deepEqual(rows.map((row) => Number(row.idarchive)), [loaded.idarchive]);
  });

  // On MariaDB and PostgreSQL, saveArchive deletes the older archives of its key once more
  // after its commit, one statement at a time. SQLite runs one writer at a time, so there the
  // deletion happens only inside the transaction, which the tests above cover.
  if (adapter !== 'sqlite') it('rereads archive deleted after commit', { timeout: 30_000 }, async () => {
    const day = Period.containing('day', '2024-04-26');
    const key = { siteId, period: day, segmentHash: '' };
    let releaseReader!: () => void;
    const readerReleased = new Promise<void>((resolve) => { releaseReader = resolve; });
    let markFound!: () => void;
    const olderFound = new Promise<void>((resolve) => { markFound = resolve; });

    // The reader finds the older archive, then waits until the newer one's writer has run the
    // first statement of the deletion after its commit.
    const reader = hookAfterQuery(db, FIND_ARCHIVE_SQL, async () => {
      markFound();
      await readerReleased;
    });
    let reading: ReturnType<Archiver['load']> | undefined;

    await withOtherConnection(async (other) => {
      let listed = false;
      let deleting = false;
      const writer = hookAfterQuery(other, /./, async (sql) => {
        if (!listed && LIST_OLDER_ARCHIVES_SQL.test(sql)) {
          // Another writer commits the older archive while the newer one's transaction is open,
          // after that transaction listed the archives to delete, so only the deletion after
          // the commit removes it. The newer archive commits once the reader found the older one.
          listed = true;
          await saveArchive(db, key, visitRecords(1), '2024-05-20 12:00:00');
          reading = new Archiver({ db: reader, archivers: REPORT_ARCHIVERS, clock, todayArchiveTtlSeconds: 900, allowArchiving: false })
            .load(site(), day, NO_SEGMENT, ['UserLanguage_getLanguage']);
          await olderFound;
        } else if (!deleting && DELETE_SQL.test(sql)) {
          deleting = true;
          releaseReader();
          await reading;
        }
      });
      await saveArchive(writer, key, visitRecords(2), '2024-05-20 12:00:05');
    });

    assert.ok(reading);
    const result = await reading;
    assert.equal(result.records.numerics.nb_visits, 2);
    assert.deepEqual(result.records.reports, visitRecords(2).reports);
    const rows = await db.selectFrom('archive').select('ts_archived').where('idsite', '=', siteId).where('period', '=', 1).where('date1', '=', '2024-04-26').execute();
    assert.deepEqual(rows.map((row) => row.ts_archived), ['2024-05-20 12:00:05']);
  });
});
