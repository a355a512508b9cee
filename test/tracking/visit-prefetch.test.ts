import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { markSiteChanged } from '../../src/tracking/site-cache.js';
import { VisitCache } from '../../src/tracking/visit-identifier.js';
import type { VisitState } from '../../src/tracking/visit-state.js';
import { deleteAllTenants } from '../support/console-runner.js';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { buildTestServer, createTestRoot, createTestTenant } from '../support/test-root.js';
import { tenantDb } from '../support/tracking.js';

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0';
const SAFARI = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

const MINUTE = 60_000;
/** Start of the tracked hours: ten hours ago, on the hour, so every hit is in the past and within a day. */
const T0 = Math.floor((Date.now() - 10 * 60 * MINUTE) / (60 * MINUTE)) * 60 * MINUTE;

/** One tracking request of a bulk body: visitor parameters, minutes after T0, page path. */
interface BulkHit {
  visitor: Record<string, string>;
  minutes: number;
  page: string;
  ip?: string;
  userAgent?: string;
}

function entry(hit: BulkHit): string {
  const cdt = new Date(T0 + hit.minutes * MINUTE).toISOString().slice(0, 19).replace('T', ' ');
  const params = new URLSearchParams({
    idsite: '1', rec: '1', url: `https://example.org/${hit.page}`, cdt, ...hit.visitor,
    ...(hit.userAgent ? { ua: hit.userAgent } : {}), ...(hit.ip ? { cip: hit.ip } : {}),
  });
  return `?${params}`;
}

/**
 * Sends hits as one bulk request, so that they are recorded in one batch. Each group of hits
 * goes to a new server, whose visit cache is empty: visits of earlier groups are found
 * through the batch's read-ahead of `log_visit`, or its single-row fallback.
 */
async function sendInNewServer(host: string, token: string, hits: BulkHit[]): Promise<void> {
  const app: FastifyInstance = await buildTestServer(ROOT);
  try {
    const response = await app.inject({
      method: 'POST', url: '/matomo.php', headers: { host, 'user-agent': FIREFOX, 'content-type': 'application/json' },
      payload: JSON.stringify({ requests: hits.map(entry), token_auth: token }),
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal((response.json() as { tracked: number }).tracked, hits.length, response.body);
  } finally {
    await app.close();
  }
}

const ROOT = createTestRoot();

after(async () => {
  await deleteAllTenants(ROOT);
  await ROOT.cleanup();
});

for (const adapter of ALL_ENGINES) {
  describe(`visit read-ahead on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    let host: string;
    let token: string;
    let db: Kysely<Database>;

    async function visitsOf(column: 'idvisitor' | 'config_browser_name', value: string) {
      return db.selectFrom('log_visit').selectAll().where(column, '=', value).orderBy('visit_first_action_time').execute();
    }

    async function actionsOf(idvisit: number) {
      return db.selectFrom('log_link_visit_action').selectAll().where('idvisit', '=', idvisit).orderBy('idlink_va').execute();
    }

    before(async () => {
      const tenant = await createTestTenant(ROOT, { adapter, timezone: 'UTC', siteUrl: 'https://example.org' });
      host = tenant.host;
      token = tenant.tokenAuth;
      db = tenantDb(ROOT, host);
      await db.insertInto('goal').values({
        idsite: 1, idgoal: 1, name: 'Offer page', description: '', match_attribute: 'url', pattern: '/offer', pattern_type: 'contains',
        case_sensitive: 0, allow_multiple: 0, revenue: 0, deleted: 0, event_value_as_revenue: 0,
      }).execute();
      markSiteChanged(host, 1);

      // Two visits each, two hours apart, for visitors found by visitor id and by config id.
      await sendInNewServer(host, token, [
        { visitor: { cid: 'a000000000000001' }, minutes: 0, page: 'one-first' },
        { visitor: { cid: 'a000000000000001' }, minutes: 120, page: 'offer' },
        { visitor: {}, minutes: 0, page: 'anonymous-first', userAgent: CHROME, ip: '192.0.2.7' },
        { visitor: {}, minutes: 120, page: 'anonymous-second', userAgent: CHROME, ip: '192.0.2.7' },
        { visitor: { cid: 'a000000000000004' }, minutes: 0, page: 'four-first' },
        { visitor: { cid: 'a000000000000004' }, minutes: 180, page: 'four-second' },
        { visitor: { cid: 'a000000000000006' }, minutes: 0, page: 'six-first' },
        { visitor: { cid: 'a000000000000006' }, minutes: 120, page: 'six-second' },
        { visitor: { cid: 'b000000000000001' }, minutes: 120, page: 'shared-device', userAgent: SAFARI, ip: '192.0.2.9' },
      ]);
    });

    test('hits find their visits', async () => {
      await sendInNewServer(host, token, [
        { visitor: { cid: 'a000000000000001' }, minutes: 130, page: 'offer' },
        { visitor: {}, minutes: 130, page: 'anonymous-third', userAgent: CHROME, ip: '192.0.2.7' },
        // The hit at 5:00 makes the read-ahead return the visit at 3:00 for a000000000000004,
        // which is after the window of this visitor's hit at 0:10, so that hit needs the fallback.
        { visitor: { cid: 'a000000000000006' }, minutes: 300, page: 'six-third' },
        { visitor: { cid: 'a000000000000004' }, minutes: 10, page: 'four-late' },
        // Another visitor id on the device of b000000000000001: `_id` may match by config id, `cid` may not.
        { visitor: { _id: 'b000000000000002' }, minutes: 125, page: 'shared-device-id', userAgent: SAFARI, ip: '192.0.2.9' },
        { visitor: { cid: 'b000000000000003' }, minutes: 126, page: 'shared-device-cid', userAgent: SAFARI, ip: '192.0.2.9' },
      ]);

      const one = await visitsOf('idvisitor', 'a000000000000001');
      assert.deepEqual(one.map((visit) => Number(visit.visit_total_actions)), [1, 2], 'the hit continues the later visit of the same visitor');
      const oneActions = await actionsOf(Number(one[1]!.idvisit));
      assert.equal(Number(oneActions[0]!.time_spent), 600, 'the time spent on the last action of the continued visit');
      assert.equal(Number(oneActions[1]!.idaction_url_ref), Number(oneActions[0]!.idaction_url), 'the previous page of the continued visit');
      const conversions = await db.selectFrom('log_conversion').select('idvisit').where('idgoal', '=', 1).execute();
      assert.deepEqual(conversions.map((row) => Number(row.idvisit)), [Number(one[1]!.idvisit)], 'a goal converts once per visit');

      const anonymous = await visitsOf('config_browser_name', 'CH');
      assert.deepEqual(anonymous.map((visit) => Number(visit.visit_total_actions)), [1, 2], 'the hit continues the later visit of the config id');

      const four = await visitsOf('idvisitor', 'a000000000000004');
      assert.deepEqual(four.map((visit) => Number(visit.visit_total_actions)), [2, 1], 'the older hit continues the earlier visit');

      const six = await visitsOf('idvisitor', 'a000000000000006');
      assert.equal(six.length, 3);
      assert.equal(Number(six[2]!.visitor_count_visits), 3, 'the new visit counts the visitor\'s earlier visits');
      assert.equal(Number(six[2]!.visitor_returning), 1);

      const shared = await visitsOf('config_browser_name', 'SF');
      assert.deepEqual(shared.map((visit) => [visit.idvisitor, Number(visit.visit_total_actions)]), [
        ['b000000000000002', 2], ['b000000000000003', 1],
      ], 'the visitor id of `_id` continues the visit of its config id and takes it over, and `cid` starts its own');
    });
  });
}

/** Returns the state of a visit of site 1 with one action, for tests of the visit cache alone. */
function visitState(idvisit: number, idvisitor: string): VisitState {
  return {
    idvisit, siteId: 1, idvisitor, configId: 'c0ffee0000000000', userId: null, firstActionTime: T0, lastActionTime: T0,
    totalActions: 1, totalInteractions: 1, totalSearches: 0, totalEvents: 0, pageviews: 1, goalConverted: false, goalBuyer: 0,
    entryIdactionUrl: null, lastAction: null, lastPageUrlId: null, lastPageNameId: null, campaignName: null, refererType: null,
    refererName: null, visitorCountVisits: 1, visitorSecondsSinceFirst: 0, convertedGoals: new Set(),
  };
}

describe('visit cache', () => {
  test('taken visit keeps visitor unwritten', () => {
    // Batch 1 wrote the visit under visitor a. Batch 2 gives it visitor b, and until batch 2 is
    // written the row still has a, so the read-ahead of batch 3 must not read visitor a.
    const cache = new VisitCache(100);
    const visit = visitState(7, 'a000000000000000');
    cache.beginBatch();
    cache.touch(visit);
    cache.endBatch();
    const taking = cache.beginBatch();
    cache.forgetVisitorId(visit);
    visit.idvisitor = 'b000000000000000';
    // The lookup of visitor b found it has no visit yet.
    cache.setLatestOfVisitor(1, 'b000000000000000', null);
    cache.touch(visit);

    assert.equal(cache.getByVisitor(1, 'a000000000000000'), undefined);
    assert.equal(cache.isVisitorUnwritten(1, 'a000000000000000'), true);
    assert.equal(cache.isVisitorUnwritten(1, 'b000000000000000'), true);

    cache.endBatch(taking);
    assert.equal(cache.isVisitorUnwritten(1, 'a000000000000000'), false);
    assert.equal(cache.getByVisitor(1, 'b000000000000000'), visit);
  });
});
