import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import pino from 'pino';
import { acquireLock, releaseLock } from '../../src/archiving/archive-lock.js';
import { runCoreArchive, type CoreArchiveContext } from '../../src/archiving/core-archive.js';
import { computeLogDeletionHorizon, computeSiteLogDeletionHorizon, readLogDeletionConfig } from '../../src/archiving/log-deletion-config.js';
import { LOG_DELETION_LAST_RUN_OPTION } from '../../src/archiving/log-deletion.js';
import { Period } from '../../src/archiving/period.js';
import { parseSiteTimezone } from '../../src/archiving/site-timezone.js';
import type { CommandContext } from '../../src/cli/command-definition.js';
import { coreArchiveCommand } from '../../src/cli/commands/core-archive.js';
import type { DatabaseAdapter } from '../../src/db/database-config.js';
import type { Database } from '../../src/db/schema.js';
import { createSilentLogger } from '../../src/logging.js';
import { createSite } from '../../src/sites/site-store.js';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { createAction, createConversion, createVisit } from '../support/log-factories.js';
import { useTestRoot } from '../support/suite-root.js';
import { editConfigFile, tenantConfigFile } from '../support/tenant-config.js';
import { buildTestServer, createTestTenant } from '../support/test-root.js';
import { countRows, tenantDb } from '../support/tracking.js';

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0';
/** The clock of the tracking tests and the first deletion: with `delete_logs_older_than = 30` the horizon is 2026-04-20 00:00:00 UTC. */
const NOW = new Date('2026-05-20T12:00:00Z');
/** Unix seconds of the horizon at NOW, midnight UTC 30 days before NOW's day. */
const HORIZON_SECONDS = Date.UTC(2026, 3, 20) / 1000;
/** Seconds from the horizon to NOW: 30 days and 12 hours. */
const NOW_MINUS_HORIZON_SECONDS = NOW.getTime() / 1000 - HORIZON_SECONDS;

describe('computeLogDeletionHorizon', () => {
  test('late in day gives midnight', () => {
    const horizon = computeLogDeletionHorizon(new Date('2026-05-20T23:59:59.999Z'), 30);
    assert.equal(horizon.toISOString(), '2026-04-20T00:00:00.000Z');
  });

  test('day changes at UTC midnight', () => {
    assert.equal(computeLogDeletionHorizon(new Date('2026-05-20T00:00:00.000Z'), 30).toISOString(), '2026-04-20T00:00:00.000Z');
    assert.equal(computeLogDeletionHorizon(new Date('2026-05-19T23:59:59.999Z'), 30).toISOString(), '2026-04-19T00:00:00.000Z');
  });

  test('counts calendar days across months', () => {
    assert.equal(computeLogDeletionHorizon(new Date('2024-03-01T06:30:00Z'), 1).toISOString(), '2024-02-29T00:00:00.000Z');
    assert.equal(computeLogDeletionHorizon(new Date('2027-01-01T18:00:00Z'), 365).toISOString(), '2026-01-01T00:00:00.000Z');
    assert.equal(computeLogDeletionHorizon(new Date('2026-05-20T18:00:00Z'), 36_500).toISOString(), '1926-06-14T00:00:00.000Z');
  });
});

describe('computeSiteLogDeletionHorizon', () => {
  /** Sites and their horizon at NOW with `delete_logs_older_than = 30`, when the tenant's horizon is 2026-04-20 00:00:00 UTC. */
  const cases = [
    { timezone: 'UTC', day: '2026-04-20', start: '2026-04-20T00:00:00.000Z' },
    // 10:00 on 2026-04-20 in Brisbane (UTC+10), so the site keeps that whole day.
    { timezone: 'Australia/Brisbane', day: '2026-04-20', start: '2026-04-19T14:00:00.000Z' },
    // 20:00 on 2026-04-19 in New York (UTC-4 in April), so the site keeps that whole day.
    { timezone: 'America/New_York', day: '2026-04-19', start: '2026-04-19T04:00:00.000Z' },
    { timezone: 'UTC+5.5', day: '2026-04-20', start: '2026-04-19T18:30:00.000Z' },
    { timezone: 'UTC-12', day: '2026-04-19', start: '2026-04-19T12:00:00.000Z' },
  ];

  test('rounds down to local midnight', () => {
    for (const { timezone, day, start } of cases) {
      const horizon = computeSiteLogDeletionHorizon(NOW, 30, parseSiteTimezone(timezone));
      assert.equal(horizon.day, day, timezone);
      assert.equal(horizon.start.toISOString(), start, timezone);
    }
  });

  test('matches day archive bounds', () => {
    // At this time the tenant's horizon falls on 2026-03-08 in New York, a day of 23 hours.
    const now = new Date('2026-04-09T12:00:00Z');
    for (const timezone of ['UTC', 'Australia/Brisbane', 'America/New_York', 'UTC+5.5', 'UTC-12', 'Asia/Kathmandu']) {
      const zone = parseSiteTimezone(timezone);
      const horizon = computeSiteLogDeletionHorizon(now, 31, zone);
      const bounds = Period.containing('day', horizon.day).utcBounds(zone);
      assert.equal(horizon.start.toISOString().slice(0, 19).replace('T', ' '), bounds.start, timezone);
      assert.ok(horizon.start <= computeLogDeletionHorizon(now, 31), timezone);
    }
  });
});

/**
 * Registers a suite root with a tenant that deletes raw data older than 30 days, at most once
 * a day, and sites in UTC, in Australia/Brisbane (UTC+10) and in America/New_York (UTC-4 in
 * April), and returns it with helpers.
 */
function useZoneSites(adapter: DatabaseAdapter) {
  const suite = useTestRoot(async (root) => {
    const tenant = await createTestTenant(root, { adapter, clock: () => NOW, timezone: 'UTC' });
    const db = tenantDb(root, tenant.host);
    const defaults = { currency: 'USD', creatorLogin: 'admin' };
    const brisbaneSite = await createSite(db, { name: 'Brisbane', urls: ['https://brisbane.example'] }, { ...defaults, timezone: 'Australia/Brisbane' });
    const newYorkSite = await createSite(db, { name: 'New York', urls: ['https://new-york.example'] }, { ...defaults, timezone: 'America/New_York' });
    const file = tenantConfigFile(root, tenant.host);
    editConfigFile(file, 'Deletelogs', 'delete_logs_enable', '1');
    editConfigFile(file, 'Deletelogs', 'delete_logs_older_than', '30');
    editConfigFile(file, 'Deletelogs', 'delete_logs_schedule_lowest_interval', '1');
    return { host: tenant.host, utcSite: tenant.idSite, brisbaneSite, newYorkSite };
  }, { deleteTenants: true });

  function db(): Kysely<Database> {
    return tenantDb(suite.root, suite.host);
  }

  function archiveContext(now: Date): CoreArchiveContext {
    const tenant = suite.root.registry.require(suite.host);
    return { db: tenant.db(), settings: tenant.settings, clock: () => now, logger: createSilentLogger(), tenant: tenant.key };
  }

  async function addVisit(siteId: number, time: string): Promise<void> {
    const idvisit = await createVisit(db(), { idsite: siteId, visit_first_action_time: time, visit_last_action_time: time });
    await createAction(db(), { idvisit, idsite: siteId, server_time: time, url: 'https://example.org/page', title: 'Page' });
  }

  async function timesOf(table: 'log_visit' | 'log_link_visit_action', siteId: number): Promise<string[]> {
    const column = table === 'log_visit' ? 'visit_last_action_time' : 'server_time';
    const rows = await db().selectFrom(table).select(column).where('idsite', '=', siteId).execute();
    return rows.map((row) => (row as Record<string, string>)[column]!).sort();
  }

  return { suite, db, archiveContext, addVisit, timesOf };
}

for (const adapter of ALL_ENGINES) {
  describe(`log deletion horizon in tracking on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    const suite = useTestRoot(async (root) => {
      const tenant = await createTestTenant(root, { adapter, clock: () => NOW, timezone: 'UTC', siteUrl: 'https://example.org' });
      const brisbaneSite = await createSite(tenantDb(root, tenant.host), { name: 'Brisbane', urls: ['https://example.org'] }, {
        timezone: 'Australia/Brisbane', currency: 'USD', creatorLogin: 'admin',
      });
      const app = await buildTestServer(root, () => NOW);
      return { app, host: tenant.host, token: tenant.tokenAuth, brisbaneSite };
    }, { deleteTenants: true });
    let visitorSequence = 0;

    function newVisitorId(): string {
      visitorSequence += 1;
      return visitorSequence.toString(16).padStart(16, '0');
    }

    function setDeletion(enabled: boolean): void {
      const file = tenantConfigFile(suite.root, suite.host);
      editConfigFile(file, 'Deletelogs', 'delete_logs_enable', enabled ? '1' : '0');
      editConfigFile(file, 'Deletelogs', 'delete_logs_older_than', '30');
    }

    async function track(params: Record<string, string>): Promise<{ statusCode: number; error: string | undefined }> {
      const query = new URLSearchParams({ idsite: '1', rec: '1', url: 'https://example.org/page', ...params });
      const response = await suite.app.inject({ method: 'GET', url: `/matomo.php?${query}`, headers: { host: suite.host, 'user-agent': FIREFOX } });
      const error = response.headers['x-footfall-error'];
      return { statusCode: response.statusCode, error: error === undefined ? undefined : String(error) };
    }

    async function visitTimesOf(idvisitor: string): Promise<string[]> {
      const rows = await tenantDb(suite.root, suite.host).selectFrom('log_visit').select('visit_first_action_time').where('idvisitor', '=', idvisitor).execute();
      return rows.map((row) => row.visit_first_action_time);
    }

    async function actionCountOf(idvisitor: string): Promise<number> {
      const rows = await tenantDb(suite.root, suite.host).selectFrom('log_link_visit_action').select('idlink_va').where('idvisitor', '=', idvisitor).execute();
      return rows.length;
    }

    test('cdt before horizon is rejected', async () => {
      setDeletion(true);
      const id = newVisitorId();
      const { statusCode, error } = await track({ cid: id, cdt: '2026-04-19 23:59:59', token_auth: suite.token });
      assert.equal(statusCode, 400);
      assert.equal(error, "TRACKING_TIME_TOO_OLD: Invalid value '2026-04-19 23:59:59' for 'cdt': the hit is older than 30 days, "
        + "and this tenant deletes the site's raw data from before 2026-04-20 00:00:00 UTC ([Deletelogs] delete_logs_older_than). Send hits of the last 30 days only.");
      assert.deepEqual(await visitTimesOf(id), []);
      assert.equal(await actionCountOf(id), 0);
      const dirty = await tenantDb(suite.root, suite.host).selectFrom('archive_invalidations').select('date').where('date', '=', '2026-04-19').execute();
      assert.deepEqual(dirty, []);
    });

    test('cdt at horizon is stored', async () => {
      // Both times are more than 30 days before NOW, on the day that the horizon starts.
      const id = newVisitorId();
      assert.equal((await track({ cid: id, cdt: '2026-04-20 00:00:00', token_auth: suite.token })).statusCode, 200);
      assert.deepEqual(await visitTimesOf(id), ['2026-04-20 00:00:00']);
      assert.equal(await actionCountOf(id), 1);

      const after = newVisitorId();
      assert.equal((await track({ cid: after, cdt: '2026-04-20 00:00:01', token_auth: suite.token })).statusCode, 200);
      assert.deepEqual(await visitTimesOf(after), ['2026-04-20 00:00:01']);
    });

    test('Unix cdt before horizon is rejected', async () => {
      const id = newVisitorId();
      const seconds = String(HORIZON_SECONDS - 1);
      const { statusCode, error } = await track({ cid: id, cdt: seconds, token_auth: suite.token });
      assert.equal(statusCode, 400);
      assert.match(error ?? '', new RegExp(`^TRACKING_TIME_TOO_OLD: Invalid value '${seconds}' for 'cdt'`));
      assert.deepEqual(await visitTimesOf(id), []);

      const atHorizon = newVisitorId();
      assert.equal((await track({ cid: atHorizon, cdt: String(HORIZON_SECONDS), token_auth: suite.token })).statusCode, 200);
      assert.deepEqual(await visitTimesOf(atHorizon), ['2026-04-20 00:00:00']);
    });

    test('cdo before horizon is rejected', async () => {
      const id = newVisitorId();
      const offset = String(NOW_MINUS_HORIZON_SECONDS + 1);
      const { statusCode, error } = await track({ cid: id, cdo: offset });
      assert.equal(statusCode, 400);
      assert.match(error ?? '', new RegExp(`^TRACKING_TIME_TOO_OLD: Invalid value '${offset}' for 'cdo'`));
      assert.deepEqual(await visitTimesOf(id), []);

      const inside = newVisitorId();
      assert.equal((await track({ cid: inside, cdo: String(NOW_MINUS_HORIZON_SECONDS) })).statusCode, 200);
      assert.deepEqual(await visitTimesOf(inside), ['2026-04-20 00:00:00']);
    });

    test('cdo moving cdt past horizon', async () => {
      const id = newVisitorId();
      const { statusCode, error } = await track({ cid: id, cdt: '2026-04-20 00:00:00', cdo: '1', token_auth: suite.token });
      assert.equal(statusCode, 400);
      assert.match(error ?? '', /^TRACKING_TIME_TOO_OLD: Invalid value '1' for 'cdo'/);
      assert.deepEqual(await visitTimesOf(id), []);

      const oldCdt = newVisitorId();
      const both = await track({ cid: oldCdt, cdt: '2026-04-19 00:00:00', cdo: '60', token_auth: suite.token });
      assert.match(both.error ?? '', /^TRACKING_TIME_TOO_OLD: Invalid value '2026-04-19 00:00:00' for 'cdt'/);
    });

    test('old cdt without token needs auth', async () => {
      const { statusCode, error } = await track({ cid: newVisitorId(), cdt: '2026-04-01 00:00:00' });
      assert.equal(statusCode, 400);
      assert.match(error ?? '', /^TRACKING_AUTH_REQUIRED: /);
    });

    test('bulk counts old entry invalid', async () => {
      const old = newVisitorId();
      const recent = newVisitorId();
      const requests = [
        `?idsite=1&rec=1&cid=${old}&url=${encodeURIComponent('https://example.org/old')}&cdt=${encodeURIComponent('2026-04-01 00:00:00')}`,
        `?idsite=1&rec=1&cid=${recent}&url=${encodeURIComponent('https://example.org/recent')}&cdt=${encodeURIComponent('2026-05-01 00:00:00')}`,
      ];
      const response = await suite.app.inject({
        method: 'POST', url: '/matomo.php', headers: { host: suite.host, 'content-type': 'text/plain' }, payload: JSON.stringify({ requests, token_auth: suite.token }),
      });
      assert.equal(response.statusCode, 200);
      const body = response.json() as { tracked: number; invalid: number; invalid_indices: number[] };
      assert.equal(body.tracked, 1);
      assert.equal(body.invalid, 1);
      assert.deepEqual(body.invalid_indices, [0]);
      assert.deepEqual(await visitTimesOf(old), []);
      assert.deepEqual(await visitTimesOf(recent), ['2026-05-01 00:00:00']);
    });

    test('site zone moves horizon back', async () => {
      // The site's horizon is 2026-04-20 00:00 in Brisbane, 2026-04-19 14:00:00 UTC.
      const site = String(suite.brisbaneSite);
      const before = newVisitorId();
      const rejected = await track({ idsite: site, cid: before, cdt: '2026-04-19 13:59:59', token_auth: suite.token });
      assert.equal(rejected.statusCode, 400);
      assert.equal(rejected.error, "TRACKING_TIME_TOO_OLD: Invalid value '2026-04-19 13:59:59' for 'cdt': the hit is older than 30 days, "
        + "and this tenant deletes the site's raw data from before 2026-04-19 14:00:00 UTC ([Deletelogs] delete_logs_older_than). Send hits of the last 30 days only.");
      assert.deepEqual(await visitTimesOf(before), []);

      const atStart = newVisitorId();
      assert.equal((await track({ idsite: site, cid: atStart, cdt: '2026-04-19 14:00:00', token_auth: suite.token })).statusCode, 200);
      assert.deepEqual(await visitTimesOf(atStart), ['2026-04-19 14:00:00']);

      // Before the tenant's horizon, but on the site's first kept day.
      const sameDay = newVisitorId();
      assert.equal((await track({ idsite: site, cid: sameDay, cdt: '2026-04-19 23:59:59', token_auth: suite.token })).statusCode, 200);
      assert.deepEqual(await visitTimesOf(sameDay), ['2026-04-19 23:59:59']);
    });

    test('disabled deletion accepts old cdt', async () => {
      setDeletion(false);
      const id = newVisitorId();
      assert.equal((await track({ cid: id, cdt: '2026-01-01 00:00:00', token_auth: suite.token })).statusCode, 200);
      assert.deepEqual(await visitTimesOf(id), ['2026-01-01 00:00:00']);
    });
  });

  describe(`core:archive log deletion on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    let now = NOW;
    const suite = useTestRoot(async (root) => {
      const tenant = await createTestTenant(root, { adapter, clock: () => NOW, timezone: 'UTC' });
      const db = tenantDb(root, tenant.host);
      const secondSite = await createSite(db, { name: 'Second', urls: ['https://second.example'] }, { timezone: 'UTC', currency: 'USD', creatorLogin: 'admin' });
      return { host: tenant.host, firstSite: tenant.idSite, secondSite };
    }, { deleteTenants: true });
    let orderSequence = 0;

    function db(): Kysely<Database> {
      return tenantDb(suite.root, suite.host);
    }

    function configure(values: Record<string, string>): void {
      for (const [key, value] of Object.entries(values)) editConfigFile(tenantConfigFile(suite.root, suite.host), 'Deletelogs', key, value);
    }

    function archiveContext(): CoreArchiveContext {
      const tenant = suite.root.registry.require(suite.host);
      return { db: tenant.db(), settings: tenant.settings, clock: () => now, logger: createSilentLogger(), tenant: tenant.key };
    }

    /** Inserts a visit of one pageview at `time`, with an e-commerce order of one item when `withOrder` is set. */
    async function addVisit(siteId: number, time: string, withOrder = false): Promise<void> {
      const idvisit = await createVisit(db(), { idsite: siteId, visit_first_action_time: time, visit_last_action_time: time });
      await createAction(db(), { idvisit, idsite: siteId, server_time: time, url: 'https://example.org/page', title: 'Page' });
      if (!withOrder) return;
      orderSequence += 1;
      const idorder = `order-${orderSequence}`;
      await createConversion(db(), { idvisit, idsite: siteId, idgoal: 0, server_time: time, idorder, items: 1, revenue: 10 });
      await db().insertInto('log_conversion_item').values({
        idsite: siteId, idvisitor: '0123456789abcdef', server_time: time, idvisit, idorder, idaction_sku: 1, idaction_name: 2,
        idaction_category: 0, idaction_category2: 0, idaction_category3: 0, idaction_category4: 0, idaction_category5: 0, price: 10, quantity: 1, deleted: 0,
      }).execute();
    }

    async function timesOf(table: 'log_visit' | 'log_link_visit_action' | 'log_conversion' | 'log_conversion_item', siteId: number): Promise<string[]> {
      const column = table === 'log_visit' ? 'visit_last_action_time' : 'server_time';
      const rows = await db().selectFrom(table).select(column).where('idsite', '=', siteId).execute();
      return rows.map((row) => (row as Record<string, string>)[column]!).sort();
    }

    async function lastRunOption(): Promise<string | undefined> {
      const row = await db().selectFrom('option').select('option_value').where('option_name', '=', LOG_DELETION_LAST_RUN_OPTION).executeTakeFirst();
      return row?.option_value;
    }

    test('deletion is off by default', async () => {
      const site = suite.firstSite;
      for (const time of ['2026-04-01 10:00:00', '2026-04-02 10:00:00', '2026-04-03 10:00:00', '2026-04-04 10:00:00', '2026-04-19 23:59:59']) {
        await addVisit(site, time, time === '2026-04-01 10:00:00');
      }
      await addVisit(site, '2026-04-20 00:00:00', true);
      await addVisit(site, '2026-05-19 10:00:00');
      await addVisit(suite.secondSite, '2026-03-15 08:00:00');
      await addVisit(suite.secondSite, '2026-05-01 08:00:00');

      const context = archiveContext();
      assert.deepEqual(readLogDeletionConfig(context.settings), { enabled: false, olderThanDays: 180, intervalDays: 7, maxRowsPerQuery: 100_000 });
      const result = await runCoreArchive(context);
      assert.deepEqual(result.logDeletion, { status: 'disabled' });
      assert.equal(await countRows(db(), 'log_visit'), 9);
      assert.equal(await lastRunOption(), undefined);
    });

    test('deletes rows before horizon in chunks', async () => {
      configure({ delete_logs_enable: '1', delete_logs_older_than: '30', delete_logs_max_rows_per_query: '2' });
      // A dirty day before the horizon is archived from its rows before they are deleted.
      await db().insertInto('archive_invalidations').values({ idsite: suite.firstSite, date: '2026-04-02', ts_invalidated: '2026-05-20 11:00:00' }).execute();

      const result = await runCoreArchive(archiveContext(), { periods: ['day'] });
      assert.deepEqual(result.logDeletion, {
        status: 'deleted',
        horizon: '2026-04-20 00:00:00',
        tables: {
          // Site 1 has 5 rows to delete (statements of 2, 2 and 1), site 2 has 1.
          log_link_visit_action: { rows: 6, statements: 4 },
          log_visit: { rows: 6, statements: 4 },
          log_conversion: { rows: 1, statements: 2 },
          log_conversion_item: { rows: 1, statements: 2 },
        },
        skippedSites: [],
      });

      for (const table of ['log_visit', 'log_link_visit_action'] as const) {
        assert.deepEqual(await timesOf(table, suite.firstSite), ['2026-04-20 00:00:00', '2026-05-19 10:00:00'], table);
        assert.deepEqual(await timesOf(table, suite.secondSite), ['2026-05-01 08:00:00'], table);
      }
      for (const table of ['log_conversion', 'log_conversion_item'] as const) {
        assert.deepEqual(await timesOf(table, suite.firstSite), ['2026-04-20 00:00:00'], table);
      }
      assert.equal(await lastRunOption(), '2026-05-20 12:00:00');

      const archive = await db().selectFrom('archive').innerJoin('archive_numeric', 'archive_numeric.idarchive', 'archive.idarchive')
        .select(['archive.status', 'archive_numeric.value'])
        .where('archive.idsite', '=', suite.firstSite).where('archive.period', '=', 1).where('archive.date1', '=', '2026-04-02')
        .where('archive_numeric.name', '=', 'nb_visits').execute();
      assert.deepEqual(archive.map((row) => [Number(row.status), Number(row.value)]), [[1, 1]]);
    });

    test('waits for the schedule interval', async () => {
      now = new Date('2026-05-26T12:00:00Z');
      await addVisit(suite.secondSite, '2026-04-10 00:00:00');
      await addVisit(suite.secondSite, '2026-04-10 00:30:00');
      const early = await runCoreArchive(archiveContext());
      assert.deepEqual(early.logDeletion, { status: 'not_due', lastRun: '2026-05-20 12:00:00' });
      assert.deepEqual(await timesOf('log_visit', suite.secondSite), ['2026-04-10 00:00:00', '2026-04-10 00:30:00', '2026-05-01 08:00:00']);

      now = new Date('2026-05-27T12:00:00Z');
      const due = await runCoreArchive(archiveContext());
      assert.deepEqual(due.logDeletion, {
        status: 'deleted',
        horizon: '2026-04-27 00:00:00',
        tables: {
          // Site 2's two rows fill one statement, so a second one finds none.
          log_link_visit_action: { rows: 3, statements: 3 },
          log_visit: { rows: 3, statements: 3 },
          log_conversion: { rows: 1, statements: 2 },
          log_conversion_item: { rows: 1, statements: 2 },
        },
        skippedSites: [],
      });
      assert.deepEqual(await timesOf('log_visit', suite.firstSite), ['2026-05-19 10:00:00']);
      assert.deepEqual(await timesOf('log_visit', suite.secondSite), ['2026-05-01 08:00:00']);
      assert.deepEqual(await timesOf('log_conversion_item', suite.firstSite), []);
      assert.equal(await lastRunOption(), '2026-05-27 12:00:00');
    });

    test('skips deletion while locked', async () => {
      now = new Date('2026-06-10T12:00:00Z');
      const lock = await acquireLock(db(), 'core:archive:log-deletion', 60, () => now);
      assert.ok(lock);
      try {
        const result = await runCoreArchive(archiveContext());
        assert.deepEqual(result.logDeletion, { status: 'locked' });
        assert.deepEqual(await timesOf('log_visit', suite.firstSite), ['2026-05-19 10:00:00']);
        assert.equal(await lastRunOption(), '2026-05-27 12:00:00');
      } finally {
        await releaseLock(db(), lock);
      }
    });

    test('summary names deleted rows', async () => {
      const tenant = suite.root.registry.require(suite.host);
      const commandContext: CommandContext = {
        environment: suite.root.environment, rootPaths: suite.root.rootPaths, registry: suite.root.registry, logger: createSilentLogger(),
        clock: () => now, json: false, say: () => undefined, interactive: false,
      };
      const result = await coreArchiveCommand.run(commandContext, tenant, [], {});
      assert.match(result.text!, /\nDeleted raw data from before the local day of each site that contains 2026-05-11 00:00:00 UTC: 1 visit\(s\), 1 action\(s\), 0 conversion\(s\), 0 e-commerce item\(s\)\.$/);
      assert.deepEqual(await timesOf('log_visit', suite.firstSite), ['2026-05-19 10:00:00']);
      assert.deepEqual(await timesOf('log_visit', suite.secondSite), []);

      const again = await coreArchiveCommand.run(commandContext, tenant, [], {});
      assert.match(again.text!, /\nOld raw data not deleted: the last deletion ran at 2026-06-10 12:00:00 UTC, less than \[Deletelogs\] delete_logs_schedule_lowest_interval days ago\.$/);
    });

    test('keeps visit lasting past horizon', async () => {
      now = new Date('2026-07-01T12:00:00Z');
      const site = suite.firstSite;
      // The horizon is 2026-06-01 00:00:00, and the visit lasts from the day before past it.
      const idvisit = await createVisit(db(), { idsite: site, visit_first_action_time: '2026-05-31 23:00:00', visit_last_action_time: '2026-06-01 01:00:00' });
      await createAction(db(), { idvisit, idsite: site, server_time: '2026-05-31 23:00:00', url: 'https://example.org/before', title: 'Before' });
      await createAction(db(), { idvisit, idsite: site, server_time: '2026-06-01 01:00:00', url: 'https://example.org/after', title: 'After' });
      await createConversion(db(), { idvisit, idsite: site, idgoal: 1, server_time: '2026-05-31 23:30:00' });

      const result = await runCoreArchive(archiveContext());
      assert.equal(result.logDeletion.status === 'deleted' && result.logDeletion.horizon, '2026-06-01 00:00:00');
      assert.deepEqual(await timesOf('log_visit', site), ['2026-06-01 01:00:00']);
      assert.deepEqual(await timesOf('log_link_visit_action', site), ['2026-05-31 23:00:00', '2026-06-01 01:00:00']);
      assert.deepEqual(await timesOf('log_conversion', site), ['2026-05-31 23:30:00']);
    });

    test('keeps rows of unarchived days', async () => {
      now = new Date('2026-07-10T12:00:00Z');
      await addVisit(suite.firstSite, '2026-06-05 10:00:00');
      await addVisit(suite.secondSite, '2026-06-05 10:00:00');
      await db().insertInto('archive_invalidations').values({ idsite: suite.secondSite, date: '2026-06-05', ts_invalidated: '2026-07-10 11:00:00' }).execute();

      // Site 2 is not archived by this run, so its rows stay for the run that archives its day.
      const partial = await runCoreArchive(archiveContext(), { siteIds: [suite.firstSite] });
      assert.equal(partial.logDeletion.status, 'deleted');
      assert.deepEqual(partial.logDeletion.status === 'deleted' && partial.logDeletion.skippedSites, [suite.secondSite]);
      assert.deepEqual(await timesOf('log_visit', suite.firstSite), []);
      assert.deepEqual(await timesOf('log_visit', suite.secondSite), ['2026-06-05 10:00:00']);
      assert.deepEqual(await timesOf('log_link_visit_action', suite.secondSite), ['2026-06-05 10:00:00']);
      assert.equal(await lastRunOption(), '2026-07-01 12:00:00');

      const full = await runCoreArchive(archiveContext(), { periods: ['day'] });
      assert.deepEqual(full.logDeletion.status === 'deleted' && full.logDeletion.skippedSites, []);
      assert.deepEqual(await timesOf('log_visit', suite.secondSite), []);
      assert.equal(await lastRunOption(), '2026-07-10 12:00:00');
      const archive = await db().selectFrom('archive').innerJoin('archive_numeric', 'archive_numeric.idarchive', 'archive.idarchive')
        .select(['archive.status', 'archive_numeric.value'])
        .where('archive.idsite', '=', suite.secondSite).where('archive.period', '=', 1).where('archive.date1', '=', '2026-06-05')
        .where('archive_numeric.name', '=', 'nb_visits').execute();
      assert.deepEqual(archive.map((row) => [Number(row.status), Number(row.value)]), [[1, 1]]);
    });

    test('deletes up to UTC midnight', async () => {
      // At 23:59:59 the horizon is midnight UTC 30 days before the start of the day, not 30 days before now.
      now = new Date('2026-07-20T23:59:59Z');
      await addVisit(suite.firstSite, '2026-06-19 23:59:59', true);
      await addVisit(suite.firstSite, '2026-06-20 00:00:00', true);
      await addVisit(suite.firstSite, '2026-06-20 23:59:58', true);

      const result = await runCoreArchive(archiveContext());
      assert.equal(result.logDeletion.status === 'deleted' && result.logDeletion.horizon, '2026-06-20 00:00:00');
      for (const table of ['log_visit', 'log_link_visit_action', 'log_conversion', 'log_conversion_item'] as const) {
        assert.deepEqual(await timesOf(table, suite.firstSite), ['2026-06-20 00:00:00', '2026-06-20 23:59:58'], table);
      }
    });

    test('dirty horizon day keeps nothing', async () => {
      // No row of a UTC site's horizon day is before the horizon, so a dirty horizon day does not keep the site's older rows.
      now = new Date('2026-08-10T12:00:00Z');
      await addVisit(suite.secondSite, '2026-07-05 10:00:00');
      await addVisit(suite.secondSite, '2026-07-11 10:00:00');
      await db().insertInto('archive_invalidations').values({ idsite: suite.secondSite, date: '2026-07-11', ts_invalidated: '2026-08-10 11:00:00' }).execute();

      const result = await runCoreArchive(archiveContext(), { siteIds: [suite.firstSite] });
      assert.equal(result.logDeletion.status === 'deleted' && result.logDeletion.horizon, '2026-07-11 00:00:00');
      assert.deepEqual(result.logDeletion.status === 'deleted' && result.logDeletion.skippedSites, []);
      assert.deepEqual(await timesOf('log_visit', suite.secondSite), ['2026-07-11 10:00:00']);
    });
  });

  describe(`log deletion by site zone on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    const { suite, db, archiveContext, addVisit, timesOf } = useZoneSites(adapter);

    test('keeps whole local days', async () => {
      // At NOW the tenant's horizon is 2026-04-20 00:00:00 UTC. Each site keeps its local day that contains it.
      const rows = {
        [suite.utcSite]: { deleted: ['2026-04-19 23:59:59'], kept: ['2026-04-20 00:00:00'] },
        // 2026-04-20 starts at 2026-04-19 14:00:00 UTC in Brisbane.
        [suite.brisbaneSite]: { deleted: ['2026-04-19 13:59:59'], kept: ['2026-04-19 14:00:00', '2026-04-19 23:59:59'] },
        // 2026-04-19 starts at 2026-04-19 04:00:00 UTC in New York.
        [suite.newYorkSite]: { deleted: ['2026-04-19 03:59:59'], kept: ['2026-04-19 04:00:00', '2026-04-19 20:00:00'] },
      };
      for (const [siteId, times] of Object.entries(rows)) {
        for (const time of [...times.deleted, ...times.kept]) await addVisit(Number(siteId), time);
      }

      const result = await runCoreArchive(archiveContext(NOW));
      assert.equal(result.logDeletion.status === 'deleted' && result.logDeletion.horizon, '2026-04-20 00:00:00');
      for (const [siteId, times] of Object.entries(rows)) {
        for (const table of ['log_visit', 'log_link_visit_action'] as const) {
          assert.deepEqual(await timesOf(table, Number(siteId)), times.kept, `${table} of site ${siteId}`);
        }
      }
    });

    test('dirty days before local horizon', async () => {
      // A day later, Brisbane's horizon day is 2026-04-21 and New York's 2026-04-20.
      const now = new Date('2026-05-21T12:00:00Z');
      await db().insertInto('archive_invalidations').values([
        { idsite: suite.brisbaneSite, date: '2026-04-21', ts_invalidated: '2026-05-21 11:00:00' },
        { idsite: suite.newYorkSite, date: '2026-04-19', ts_invalidated: '2026-05-21 11:00:00' },
      ]).execute();

      // Neither site is archived, and only New York has a dirty day before its horizon day.
      const result = await runCoreArchive(archiveContext(now), { siteIds: [suite.utcSite] });
      assert.deepEqual(result.logDeletion.status === 'deleted' && result.logDeletion.skippedSites, [suite.newYorkSite]);
      assert.deepEqual(await timesOf('log_visit', suite.brisbaneSite), []);
      assert.deepEqual(await timesOf('log_visit', suite.newYorkSite), ['2026-04-19 04:00:00', '2026-04-19 20:00:00']);
    });
  });

  describe(`core:archive before the deletion horizon on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    const { suite, db, archiveContext, addVisit } = useZoneSites(adapter);

    test('force skips days before horizon', async () => {
      // A day later the horizon days are 2026-04-21 in UTC and in Brisbane, and 2026-04-20 in New York.
      const now = new Date('2026-05-21T12:00:00Z');
      const dayVisits = async (siteId: number, date: string) => {
        const rows = await db().selectFrom('archive').innerJoin('archive_numeric', 'archive_numeric.idarchive', 'archive.idarchive')
          .select(['archive.status', 'archive_numeric.value'])
          .where('archive.idsite', '=', siteId).where('archive.period', '=', 1).where('archive.date1', '=', date)
          .where('archive_numeric.name', '=', 'nb_visits').execute();
        return rows.map((row) => [Number(row.status), Number(row.value)]);
      };
      // The UTC site's 2026-04-20 has an archive of one visit and no raw data left.
      await addVisit(suite.utcSite, '2026-04-20 10:00:00');
      await db().insertInto('archive_invalidations').values({ idsite: suite.utcSite, date: '2026-04-20', ts_invalidated: '2026-05-20 11:00:00' }).execute();
      await runCoreArchive(archiveContext(NOW), { siteIds: [suite.utcSite], periods: ['day'] });
      await db().deleteFrom('log_visit').where('idsite', '=', suite.utcSite).execute();
      assert.deepEqual(await dayVisits(suite.utcSite, '2026-04-20'), [[1, 1]]);
      // A dirty day before the horizon still has its rows, so it is archived.
      await addVisit(suite.utcSite, '2026-04-18 10:00:00');
      await db().insertInto('archive_invalidations').values({ idsite: suite.utcSite, date: '2026-04-18', ts_invalidated: '2026-05-21 11:00:00' }).execute();

      const lines: { msg: string; idSite?: number; firstDay?: string; lastDay?: string; days?: number; horizonDay?: string }[] = [];
      const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) });
      const sites = [suite.utcSite, suite.brisbaneSite, suite.newYorkSite];
      const result = await runCoreArchive({ ...archiveContext(now), logger }, { siteIds: sites, dateRange: ['2026-04-17', '2026-04-21'], periods: ['day'] });

      assert.deepEqual(result.skippedBeforeHorizon, [
        { idSite: suite.utcSite, firstDay: '2026-04-17', lastDay: '2026-04-20', days: 3, horizonDay: '2026-04-21' },
        { idSite: suite.brisbaneSite, firstDay: '2026-04-17', lastDay: '2026-04-20', days: 4, horizonDay: '2026-04-21' },
        { idSite: suite.newYorkSite, firstDay: '2026-04-17', lastDay: '2026-04-19', days: 3, horizonDay: '2026-04-20' },
      ]);
      assert.deepEqual(result.sites.map((site) => [site.idSite, site.days]), [
        [suite.utcSite, ['2026-04-18', '2026-04-21']], [suite.brisbaneSite, ['2026-04-21']], [suite.newYorkSite, ['2026-04-20', '2026-04-21']],
      ]);
      assert.deepEqual(await dayVisits(suite.utcSite, '2026-04-20'), [[1, 1]]);
      assert.deepEqual(await dayVisits(suite.utcSite, '2026-04-18'), [[1, 1]]);
      assert.deepEqual(lines.map((line) => [line.msg, line.idSite, line.firstDay, line.lastDay, line.days, line.horizonDay]), [
        ['days before the log deletion horizon skipped', suite.utcSite, '2026-04-17', '2026-04-20', 3, '2026-04-21'],
        ['days before the log deletion horizon skipped', suite.brisbaneSite, '2026-04-17', '2026-04-20', 4, '2026-04-21'],
        ['days before the log deletion horizon skipped', suite.newYorkSite, '2026-04-17', '2026-04-19', 3, '2026-04-20'],
      ]);
    });

    test('summary names skipped days', async () => {
      const now = new Date('2026-05-21T12:00:00Z');
      const tenant = suite.root.registry.require(suite.host);
      const commandContext: CommandContext = {
        environment: suite.root.environment, rootPaths: suite.root.rootPaths, registry: suite.root.registry, logger: createSilentLogger(),
        clock: () => now, json: false, say: () => undefined, interactive: false,
      };
      const result = await coreArchiveCommand.run(commandContext, tenant, [], { forceIdsites: String(suite.newYorkSite), forceDateRange: '2026-04-19,2026-04-20', forcePeriods: 'day' });
      assert.match(result.text!, new RegExp('\\nSkipped days before the \\[Deletelogs\\] horizon, whose raw data may be deleted, so their stored reports stay as they are:\\n'
        + `  idSite ${suite.newYorkSite}: 1 day\\(s\\) from 2026-04-19 to 2026-04-19, before 2026-04-20\\n`
        + 'To archive them again from the raw data that is left, raise \\[Deletelogs\\] delete_logs_older_than or set delete_logs_enable = 0, and run core:archive again\\.'));
    });
  });
}
