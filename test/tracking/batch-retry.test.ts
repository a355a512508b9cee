import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import pino from 'pino';
import type { DatabaseAdapter } from '../../src/db/database-config.js';
import type { Database } from '../../src/db/schema.js';
import { createSilentLogger } from '../../src/logging.js';
import { parseTenantHost } from '../../src/tenancy/tenant-host.js';
import type { Tenant } from '../../src/tenancy/tenant.js';
import { DeviceDetection } from '../../src/tracking/device-detection.js';
import { TrackingParams } from '../../src/tracking/tracking-params.js';
import { TrackingPipeline } from '../../src/tracking/tracking-pipeline.js';
import { createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';
import { deleteAllTenants } from '../support/console-runner.js';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { countRows } from '../support/tracking.js';
import { buildCapturedServer, type CapturedServer } from '../support/session-server.js';

/** Path part of the page URL whose `log_link_visit_action` insert the test trigger rejects. */
const REJECTED_PATH = 'reject-this-hit';

/** Returns the query string of a pageview of a new visitor on `path`. */
function pageviewQuery(visitor: number, path: string): string {
  const visitorId = visitor.toString(16).padStart(16, '0');
  return `?idsite=1&rec=1&cid=${visitorId}&url=${encodeURIComponent(`https://example.org/${path}`)}`;
}

/** Returns the parameters of a pageview of a new visitor on `path`. */
function pageview(visitor: number, path: string): TrackingParams {
  return TrackingParams.fromQueryString(pageviewQuery(visitor, path));
}

/**
 * Creates a trigger that aborts the insert of an action row whose URL contains
 * `REJECTED_PATH`, so that one hit makes its batch fail with the engine's own error.
 */
async function createRejectingTrigger(db: Kysely<Database>, adapter: DatabaseAdapter): Promise<void> {
  const actions = sql.table('log_link_visit_action');
  const marked = sql`exists (select 1 from ${sql.table('log_action')} where idaction = new.idaction_url and name like ${sql.lit(`%${REJECTED_PATH}%`)})`;
  if (adapter === 'sqlite') {
    await sql`create trigger reject_marked_hits before insert on ${actions}
      when ${marked} begin select raise(abort, 'rejected by the test trigger'); end`.execute(db);
  } else if (adapter === 'mysql') {
    await sql`create trigger reject_marked_hits before insert on ${actions} for each row
      begin if ${marked} then signal sqlstate '45000' set message_text = 'rejected by the test trigger'; end if; end`.execute(db);
  } else {
    await sql`create function reject_marked_hits() returns trigger language plpgsql as $$
      begin if ${marked} then raise exception 'rejected by the test trigger'; end if; return new; end $$`.execute(db);
    await sql`create trigger reject_marked_hits before insert on ${actions} for each row execute function reject_marked_hits()`.execute(db);
  }
}

for (const adapter of ALL_ENGINES) {
  describe(`tracking writer batch failure on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    let root: TestRoot;
    let tenant: Tenant;
    let pipeline: TrackingPipeline;
    let server: CapturedServer;
    let host: string;
    let token: string;

    before(async () => {
      root = createTestRoot();
      ({ host, tokenAuth: token } = await createTestTenant(root, { adapter, siteUrl: 'https://example.org' }));
      tenant = root.registry.resolve(parseTenantHost(host))!;
      await createRejectingTrigger(tenant.db(), adapter);
      pipeline = new TrackingPipeline(createSilentLogger(), new DeviceDetection());
      server = await buildCapturedServer(root);
    });

    after(async () => {
      await server?.app.close();
      await pipeline?.close();
      // Deleting the tenants drops their MariaDB or PostgreSQL database and user.
      await deleteAllTenants(root);
      await root?.cleanup();
    });

    test('bulk hits are stored', async () => {
      const context = { ip: '192.0.2.1', userAgent: 'Mozilla/5.0', acceptLanguage: '', now: new Date(), doNotTrack: false };
      const outcomes = await pipeline.trackAll(tenant, [pageview(1, 'first'), pageview(2, 'second'), pageview(3, 'third')], context);
      assert.deepEqual(outcomes, [{ status: 'recorded' }, { status: 'recorded' }, { status: 'recorded' }]);
      assert.equal(await countRows(tenant.db(), 'log_visit'), 3);
      assert.equal(await countRows(tenant.db(), 'log_link_visit_action'), 3);
    });

    test('failed batch retries each hit', async () => {
      const context = { ip: '192.0.2.2', userAgent: 'Mozilla/5.0', acceptLanguage: '', now: new Date(), doNotTrack: false };
      const outcomes = await pipeline.trackAll(tenant, [pageview(11, 'kept-before'), pageview(12, REJECTED_PATH), pageview(13, 'kept-after')], context);
      assert.deepEqual(outcomes[0], { status: 'recorded' });
      assert.ok(outcomes[1] instanceof Error, `expected an error for the rejected hit, got ${JSON.stringify(outcomes[1])}`);
      assert.match(outcomes[1].message, /rejected by the test trigger/);
      assert.deepEqual(outcomes[2], { status: 'recorded' });
      // The rejected hit's visit was rolled back with its action row.
      assert.equal(await countRows(tenant.db(), 'log_visit'), 5);
      assert.equal(await countRows(tenant.db(), 'log_link_visit_action'), 5);
    });

    test('later hits continue visits', async () => {
      const context = { ip: '192.0.2.3', userAgent: 'Mozilla/5.0', acceptLanguage: '', now: new Date(), doNotTrack: false };
      const outcomes = await pipeline.trackAll(tenant, [pageview(11, 'second-page'), pageview(13, 'second-page')], context);
      assert.deepEqual(outcomes, [{ status: 'recorded' }, { status: 'recorded' }]);
      assert.equal(await countRows(tenant.db(), 'log_visit'), 5);
      const visits = await tenant.db().selectFrom('log_visit').select(['visit_total_actions']).where('visit_total_actions', '=', 2).execute();
      assert.equal(visits.length, 2);
    });

    async function postBulk(requests: string[], tokenAuth?: string) {
      return server.app.inject({
        method: 'POST', url: '/matomo.php', headers: { host, 'content-type': 'text/plain' },
        payload: JSON.stringify({ requests, token_auth: tokenAuth }),
      });
    }

    test('bulk response counts stored entries', async () => {
      const visitsBefore = await countRows(tenant.db(), 'log_visit');
      const response = await postBulk([pageviewQuery(21, 'kept-first'), pageviewQuery(22, REJECTED_PATH), '?idsite=99&rec=1', pageviewQuery(23, 'kept-last')], token);
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json(), { status: 'success', tracked: 2, invalid: 2, invalid_indices: [1, 2], failed_indices: [1] });
      assert.equal(await countRows(tenant.db(), 'log_visit'), visitsBefore + 2);
    });

    test('bulk failure log names the entry', async () => {
      const logged = server.logLines().filter((line) => line.msg === 'bulk tracking entries failed');
      assert.equal(logged.length, 1);
      const [line] = logged;
      assert.equal(line?.level, 50);
      assert.equal(line?.tenant, host);
      assert.equal(line?.tracked, 2);
      assert.equal(line?.invalid, 1);
      assert.equal(line?.failed, 1);
      const entries = line?.failedEntries as { index: number; code: string; errorCode?: string }[];
      assert.equal(entries.length, 1);
      assert.equal(entries[0]?.index, 1);
      assert.equal(entries[0]?.code, 'INTERNAL');
      assert.equal(typeof entries[0]?.errorCode, 'string');
      const text = JSON.stringify(line);
      assert.ok(!text.includes(REJECTED_PATH), text);
      assert.ok(!text.includes('example.org'), text);
      assert.ok(!text.includes('127.0.0.1'), text);
    });

    test('batch failure log omits values', () => {
      // The failed batch held the action row of visitor 21, whose id MySQL's error would quote.
      const text = server.logLines().map((line) => JSON.stringify(line)).join('\n');
      assert.ok(text.includes('tracking batch failed'), text);
      assert.ok(!text.includes((21).toString(16).padStart(16, '0')), text);
    });

    test('bulk failed entries without token', async () => {
      const response = await postBulk([pageviewQuery(24, 'kept-only'), pageviewQuery(25, REJECTED_PATH)]);
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json(), { status: 'success', tracked: 1, invalid: 1, failed_indices: [1] });
    });

    test('bulk with nothing stored gets 500', async () => {
      const visitsBefore = await countRows(tenant.db(), 'log_visit');
      const response = await postBulk([pageviewQuery(26, REJECTED_PATH), '?idsite=99&rec=1'], token);
      assert.equal(response.statusCode, 500, response.body);
      const body = response.json() as Record<string, unknown>;
      assert.equal(body.status, 'error');
      assert.equal(body.tracked, 0);
      assert.equal(body.invalid, 2);
      assert.deepEqual(body.failed_indices, [0]);
      assert.match(String(body.message), /^No entry was stored/);
      assert.equal(await countRows(tenant.db(), 'log_visit'), visitsBefore);
    });
  });
}

/** Creates a trigger that aborts every insert into `tracking_drop`, so that saving drop counts fails. */
async function createDropRejectingTrigger(db: Kysely<Database>, adapter: DatabaseAdapter): Promise<void> {
  const drops = sql.table('tracking_drop');
  if (adapter === 'sqlite') {
    await sql`create trigger reject_drop_counts before insert on ${drops} begin select raise(abort, 'rejected by the test trigger'); end`.execute(db);
  } else if (adapter === 'mysql') {
    await sql`create trigger reject_drop_counts before insert on ${drops} for each row
      signal sqlstate '45000' set message_text = 'rejected by the test trigger'`.execute(db);
  } else {
    await sql`create function reject_drop_counts() returns trigger language plpgsql as $$
      begin raise exception 'rejected by the test trigger'; end $$`.execute(db);
    await sql`create trigger reject_drop_counts before insert on ${drops} for each row execute function reject_drop_counts()`.execute(db);
  }
}

/** Resolves with `promise`, or rejects once `milliseconds` have passed. */
async function withinTime<T>(promise: Promise<T>, milliseconds: number, operation: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${operation} did not finish within ${milliseconds} ms`)), milliseconds);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

for (const adapter of ALL_ENGINES) {
  describe(`tracking writer single-hit failure on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    let root: TestRoot;
    let tenant: Tenant;
    let pipeline: TrackingPipeline;
    const logLines: { msg: string; level: number; drops?: Record<string, number> }[] = [];

    before(async () => {
      root = createTestRoot();
      const { host } = await createTestTenant(root, { adapter, siteUrl: 'https://example.org' });
      // The writer's first batch then waits a second, so the drop and the hit queued below share it.
      appendFileSync(root.registry.resolve(parseTenantHost(host))!.configFile, '\n[Tracker]\nwrite_batch_ms = 1000\n');
      tenant = root.registry.resolve(parseTenantHost(host))!;
      await createRejectingTrigger(tenant.db(), adapter);
      const logger = pino({ level: 'warn' }, { write: (line: string) => logLines.push(JSON.parse(line) as (typeof logLines)[number]) });
      pipeline = new TrackingPipeline(logger, new DeviceDetection(), { sqliteWriteThread: false });
    });

    after(async () => {
      await pipeline?.close();
      // Deleting the tenants drops their MariaDB or PostgreSQL database and user.
      await deleteAllTenants(root);
      await root?.cleanup();
    });

    test('failed hit keeps drop counts', async () => {
      const context = { ip: '192.0.2.4', userAgent: 'Mozilla/5.0', acceptLanguage: '', now: new Date(), doNotTrack: false };
      const withoutRec = TrackingParams.fromQueryString('?idsite=1&url=https%3A%2F%2Fexample.org%2Fnot-recorded');
      const outcomes = await pipeline.queueAll(tenant, [withoutRec, pageview(31, REJECTED_PATH)], context);
      // One batch contains the drop count and the one hit, and fails. The count waits for the next batch.
      await pipeline.flush();
      const [dropped, failed] = await outcomes();

      assert.deepEqual(dropped, { status: 'dropped', reason: 'no_rec' });
      assert.ok(failed instanceof Error, `expected an error for the rejected hit, got ${JSON.stringify(failed)}`);
      assert.match(failed.message, /rejected by the test trigger/);
      assert.equal(await countRows(tenant.db(), 'log_visit'), 0);
      const drops = await tenant.db().selectFrom('tracking_drop').select(['reason', 'count']).execute();
      assert.deepEqual(drops.map((row) => [row.reason, Number(row.count)]), [['no_rec', 1]]);
    });

    test('unsaved drop counts are logged', async () => {
      await createDropRejectingTrigger(tenant.db(), adapter);
      const context = { ip: '192.0.2.5', userAgent: 'Mozilla/5.0', acceptLanguage: '', now: new Date(), doNotTrack: false };
      const withoutRec = TrackingParams.fromQueryString('?idsite=1&url=https%3A%2F%2Fexample.org%2Fnot-recorded');
      const outcomes = await pipeline.queueAll(tenant, [withoutRec, pageview(32, REJECTED_PATH)], context);
      // The batch with the hit fails, then the batch with only the drop count fails and ends the retries.
      await withinTime(pipeline.flush(), 10_000, 'flush');
      const [dropped, failed] = await outcomes();

      assert.deepEqual(dropped, { status: 'dropped', reason: 'no_rec' });
      assert.ok(failed instanceof Error, `expected an error for the rejected hit, got ${JSON.stringify(failed)}`);
      const lost = logLines.filter((line) => line.msg === 'tracking drop counts not saved');
      assert.equal(lost.length, 1);
      assert.equal(lost[0]?.level, 50);
      const counts = Object.entries(lost[0]?.drops ?? {});
      assert.equal(counts.length, 1);
      assert.match(counts[0]![0], /^1\|\d{4}-\d{2}-\d{2}\|no_rec$/);
      assert.equal(counts[0]![1], 1);
      const drops = await tenant.db().selectFrom('tracking_drop').select(['reason', 'count']).execute();
      assert.deepEqual(drops.map((row) => [row.reason, Number(row.count)]), [['no_rec', 1]]);
    });
  });
}
