import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { acquireLock } from '../../src/archiving/archive-lock.js';
import { invalidateArchivesOfDays } from '../../src/archiving/archive-store.js';
import { MAX_VALUES_PER_IN_LIST, runCoreArchive, type CoreArchiveContext } from '../../src/archiving/core-archive.js';
import { addDays } from '../../src/archiving/period.js';
import type { ReportArchiver } from '../../src/archiving/report-archiver.js';
import { ARCHIVING_CACHE_SIZE_KIB, withArchivingPragmas } from '../../src/archiving/sqlite-archiving-pragmas.js';
import type { CommandContext } from '../../src/cli/command-definition.js';
import { coreArchiveCommand, parseForceDateRange, parseForcePeriods, parseForceSiteIds } from '../../src/cli/commands/core-archive.js';
import type { Database } from '../../src/db/schema.js';
import { isFootfallError } from '../../src/errors.js';
import { createSilentLogger } from '../../src/logging.js';
import { createSite } from '../../src/sites/site-store.js';
import type { Tenant } from '../../src/tenancy/tenant.js';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { createVisit } from '../support/log-factories.js';
import { useTestRoot } from '../support/suite-root.js';
import { createTestTenant } from '../support/test-root.js';

const CLOCK = () => new Date('2024-05-20T12:00:00Z');

/** The time core:archive starts at in these tests, in the form of `ts_invalidated`. */
const STARTED_AT = '2024-05-20 12:00:00';

/** Times of the visits every test starts with, on each site. */
const BASE_VISIT_TIMES = ['2024-05-01 10:00:00', '2024-05-02 10:00:00'];

/**
 * Returns a report module that counts the visits of a day as `nb_visits` and then runs
 * `afterRead` once, after the first day it counted, as a hit committed at that moment would.
 */
function countingArchiver(afterRead: () => Promise<void>): ReportArchiver {
  let done = false;
  return {
    module: 'VisitCount',
    async archiveDay(query) {
      const rows = await query.visits().select('log_visit.idvisit').execute();
      if (!done) {
        done = true;
        await afterRead();
      }
      return { numerics: { nb_visits: rows.length }, reports: {} };
    },
  };
}

// Every server is probed before the first suite runs, because SQLite archiving blocks the event
// loop for longer than a probe's connection timeout.
for (const adapter of ALL_ENGINES) await engineSkip(adapter);

for (const adapter of ALL_ENGINES) describe(`core:archive on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
  const suite = useTestRoot(async (root) => {
    const created = await createTestTenant(root, { adapter, timezone: 'UTC' });
    const tenant = root.registry.require(created.host);
    const db = tenant.db();
    const secondSite = await createSite(db, { name: 'Second', urls: ['https://second.example'] }, { timezone: 'UTC', currency: 'USD', creatorLogin: 'admin' });
    for (const siteId of [created.idSite, secondSite]) {
      for (const time of BASE_VISIT_TIMES) await createVisit(db, { idsite: siteId, visit_last_action_time: time });
    }
    return { tenant, db, firstSite: created.idSite, secondSite, context: { db, settings: tenant.settings, clock: CLOCK, logger: createSilentLogger(), tenant: tenant.key } };
  }, { deleteTenants: true });
  let tenant: Tenant;
  let db: Kysely<Database>;
  let firstSite: number;
  let secondSite: number;
  let context: CoreArchiveContext;

  async function archivesOf(siteId: number): Promise<string[]> {
    const rows = await db.selectFrom('archive').select(['period', 'date1']).where('idsite', '=', siteId).where('status', '=', 1).orderBy('period').orderBy('date1').execute();
    return rows.map((row) => `${row.period}:${row.date1}`);
  }

  async function markDirty(siteId: number, date: string, tsInvalidated = '2024-05-20 11:00:00'): Promise<void> {
    await db.insertInto('archive_invalidations').values({ idsite: siteId, date, ts_invalidated: tsInvalidated }).execute();
  }

  async function marksOf(siteId: number): Promise<string[]> {
    const rows = await db.selectFrom('archive_invalidations').select('date').where('idsite', '=', siteId).orderBy('date').execute();
    return rows.map((row) => row.date);
  }

  async function dayVisitsOf(siteId: number, date: string): Promise<number | undefined> {
    const row = await db.selectFrom('archive').innerJoin('archive_numeric', 'archive_numeric.idarchive', 'archive.idarchive')
      .select('archive_numeric.value')
      .where('archive.idsite', '=', siteId).where('archive.period', '=', 1).where('archive.date1', '=', date).where('archive.status', '=', 1)
      .where('archive_numeric.name', '=', 'nb_visits')
      .executeTakeFirst();
    return row === undefined ? undefined : Number(row.value);
  }

  beforeEach(async () => {
    ({ tenant, db, firstSite, secondSite, context } = suite);
    await db.deleteFrom('archive_numeric').execute();
    await db.deleteFrom('archive_blob').execute();
    await db.deleteFrom('archive').execute();
    await db.deleteFrom('archive_invalidations').execute();
    await db.deleteFrom('locks').execute();
    await db.deleteFrom('log_visit').where('visit_last_action_time', 'not in', BASE_VISIT_TIMES).execute();
  });

  it('archives only dirty days and their parent periods', async () => {
    await markDirty(firstSite, '2024-05-02');
    const result = await runCoreArchive(context);
    assert.deepEqual(result.sites, [{ idSite: firstSite, days: ['2024-05-02'], archives: 4, status: 'archived' }]);
    assert.equal(result.invalidationsCleared, 1);
    // The month and year sum 2024-05-01 too; days and months without visits are not stored.
    assert.deepEqual(await archivesOf(firstSite), ['1:2024-05-01', '1:2024-05-02', '2:2024-04-29', '3:2024-05-01', '4:2024-01-01']);
    assert.deepEqual(await archivesOf(secondSite), []);
    assert.deepEqual(await db.selectFrom('archive_invalidations').selectAll().execute(), []);
  });

  it('does nothing when no site has new data', async () => {
    const result = await runCoreArchive(context);
    assert.deepEqual(result.sites, []);
    assert.equal(result.archives, 0);
    assert.deepEqual(await archivesOf(firstSite), []);
  });

  it('drops dirty days of deleted sites', async () => {
    await markDirty(999, '2024-05-02');
    const result = await runCoreArchive(context);
    assert.deepEqual(result.sites, []);
    assert.deepEqual(await db.selectFrom('archive_invalidations').selectAll().execute(), []);
  });

  it('keeps mark of hit after read', async () => {
    await markDirty(firstSite, '2024-05-02');
    // A hit committed after the run read the day's visits, in the second the run started.
    const archivers = [countingArchiver(async () => {
      await createVisit(db, { idsite: firstSite, visit_last_action_time: '2024-05-02 11:00:00' });
      await db.updateTable('archive_invalidations').set({ ts_invalidated: STARTED_AT }).where('idsite', '=', firstSite).where('date', '=', '2024-05-02').execute();
    })];

    const first = await runCoreArchive({ ...context, archivers }, { periods: ['day'] });
    assert.equal(first.invalidationsCleared, 0);
    assert.equal(await dayVisitsOf(firstSite, '2024-05-02'), 1);
    assert.deepEqual(await marksOf(firstSite), ['2024-05-02']);

    // The next run archives the hit and deletes the mark, and the one after has nothing to do.
    const second = await runCoreArchive({ ...context, archivers }, { periods: ['day'] });
    assert.equal(second.invalidationsCleared, 1);
    assert.equal(await dayVisitsOf(firstSite, '2024-05-02'), 2);
    assert.deepEqual(await marksOf(firstSite), []);
    const third = await runCoreArchive({ ...context, archivers }, { periods: ['day'] });
    assert.deepEqual(third.sites, []);
  });

  it('deletes mark of hit before read', async () => {
    // A mark written after the run started, but before it claimed the day, is archived with its hit.
    await markDirty(firstSite, '2024-05-02', '2024-05-20 12:00:01');
    const result = await runCoreArchive(context, { periods: ['day'] });
    assert.equal(result.invalidationsCleared, 1);
    assert.deepEqual(await marksOf(firstSite), []);
  });

  it('keeps marks of failed run', async () => {
    await markDirty(firstSite, '2024-05-01');
    await markDirty(firstSite, '2024-05-02');
    const failing: ReportArchiver = {
      module: 'Failing',
      archiveDay: async () => {
        throw new Error('archiving failed');
      },
    };
    await assert.rejects(runCoreArchive({ ...context, archivers: [failing] }, { periods: ['day'] }), /archiving failed/);
    assert.deepEqual(await marksOf(firstSite), ['2024-05-01', '2024-05-02']);

    const result = await runCoreArchive(context, { periods: ['day'] });
    assert.deepEqual(result.sites, [{ idSite: firstSite, days: ['2024-05-01', '2024-05-02'], archives: 2, status: 'archived' }]);
    assert.equal(await dayVisitsOf(firstSite, '2024-05-02'), 1);
    assert.deepEqual(await marksOf(firstSite), []);
  });

  it('clears more dirty days than one IN list holds', async () => {
    const days: string[] = [];
    for (let index = 0; index < 2 * MAX_VALUES_PER_IN_LIST + 1; index += 1) days.push(addDays('2021-01-01', index));
    for (let start = 0; start < days.length; start += 100) {
      const rows = days.slice(start, start + 100).map((date) => ({ idsite: firstSite, date, ts_invalidated: '2024-05-20 11:00:00' }));
      await db.insertInto('archive_invalidations').values(rows).execute();
    }
    const result = await runCoreArchive(context, { periods: ['year'] });
    assert.equal(result.sites[0]!.days.length, days.length);
    assert.equal(result.invalidationsCleared, days.length);
    assert.deepEqual(await db.selectFrom('archive_invalidations').selectAll().execute(), []);
  });

  it('invalidates only archives that contain a dirty day', async () => {
    await runCoreArchive(context, { siteIds: [firstSite], dateRange: ['2024-05-01', '2024-05-02'], periods: ['day'] });
    // Two runs of one day each, with 2024-05-01 between them, so the first day's archive stays done.
    const marked = await invalidateArchivesOfDays(db, firstSite, ['2024-05-02', '2024-04-30']);
    assert.equal(marked, 1);
    assert.deepEqual(await archivesOf(firstSite), ['1:2024-05-01']);
  });

  // The archiving pragmas exist on SQLite only.
  if (adapter === 'sqlite') {
    it('raises the SQLite cache only while archiving', async () => {
      const cacheSize = async () => Number((await sql<{ cache_size: number }>`PRAGMA cache_size`.execute(db)).rows[0]!.cache_size);
      const before = await cacheSize();
      assert.notEqual(before, -ARCHIVING_CACHE_SIZE_KIB);

      let during = 0;
      await withArchivingPragmas(db, async () => { during = await cacheSize(); });
      assert.equal(during, -ARCHIVING_CACHE_SIZE_KIB);
      assert.equal(await cacheSize(), before);

      await assert.rejects(withArchivingPragmas(db, async () => { throw new Error('archiving failed'); }), /archiving failed/);
      assert.equal(await cacheSize(), before);
    });
  }

  it('skips a site another run has locked and leaves its dirty days', async () => {
    await markDirty(firstSite, '2024-05-02');
    await markDirty(secondSite, '2024-05-01');
    const lock = await acquireLock(db, `core:archive:site:${firstSite}`, 3600, CLOCK);
    assert.notEqual(lock, null);
    const result = await runCoreArchive(context);
    assert.deepEqual(result.sites.map((site) => [site.idSite, site.status]), [[firstSite, 'locked'], [secondSite, 'archived']]);
    assert.deepEqual(await archivesOf(firstSite), []);
    assert.equal((await db.selectFrom('archive_invalidations').select('idsite').execute()).length, 1);
  });

  it('takes over a lock that has expired', async () => {
    await markDirty(firstSite, '2024-05-02');
    await acquireLock(db, `core:archive:site:${firstSite}`, 60, () => new Date('2024-05-20T10:00:00Z'));
    const result = await runCoreArchive(context);
    assert.equal(result.sites[0]!.status, 'archived');
  });

  it('forces a date range for chosen sites and periods', async () => {
    const result = await runCoreArchive(context, { siteIds: [secondSite], dateRange: ['2024-05-01', '2024-05-02'], periods: ['day'] });
    assert.deepEqual(result.sites, [{ idSite: secondSite, days: ['2024-05-01', '2024-05-02'], archives: 2, status: 'archived' }]);
    assert.deepEqual(await archivesOf(secondSite), ['1:2024-05-01', '1:2024-05-02']);
    assert.deepEqual(await archivesOf(firstSite), []);
  });

  it('forces today and yesterday of every site', async () => {
    const result = await runCoreArchive(context, { allWebsites: true, periods: ['day'] });
    assert.deepEqual(result.sites.map((site) => [site.idSite, site.days]), [[firstSite, ['2024-05-19', '2024-05-20']], [secondSite, ['2024-05-19', '2024-05-20']]]);
  });

  it('prints a JSON result through the command', async () => {
    await markDirty(firstSite, '2024-05-01');
    const commandContext: CommandContext = {
      environment: suite.root.environment, rootPaths: suite.root.rootPaths, registry: suite.root.registry, logger: createSilentLogger(), clock: CLOCK,
      json: true, say: () => undefined, interactive: false,
    };
    const result = await coreArchiveCommand.run(commandContext, tenant, [], { forcePeriods: 'day,week' });
    const data = result.data as { sites: unknown[]; archives: number };
    assert.deepEqual(data.sites, [{ idSite: firstSite, days: ['2024-05-01'], archives: 2, status: 'archived' }]);
    assert.equal(data.archives, 2);
    assert.match(result.text!, /^Archived 1 site\(s\) of .+: 2 archive\(s\) in \d+\.\ds\.\n {2}idSite \d+: 1 day\(s\), 2 archive\(s\)$/);
  });

  it('rejects bad force options', () => {
    assert.throws(() => parseForceSiteIds('1,x'), (error) => isFootfallError(error, 'PARAMETER_INVALID'));
    assert.throws(() => parseForcePeriods('day,range'), (error) => isFootfallError(error, 'PARAMETER_INVALID'));
    assert.throws(() => parseForceDateRange('2024-05-02,2024-05-01'), (error) => isFootfallError(error, 'PARAMETER_INVALID'));
    assert.throws(() => parseForceDateRange('2024-02-30,2024-03-01'), (error) => isFootfallError(error, 'PARAMETER_INVALID'));
    assert.deepEqual(parseForceSiteIds('1, 2'), [1, 2]);
    assert.deepEqual(parseForceDateRange('2024-05-01,2024-05-02'), ['2024-05-01', '2024-05-02']);
  });
});
