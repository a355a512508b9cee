import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { deleteAllTenants } from '../support/console-runner.js';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';
import { tenantDb } from '../support/tracking.js';
import { freePort, postBulk, startServer, stopServer } from '../support/tracking-server.js';

/**
 * Bulk requests each server receives, hits in each, and requests in flight per server: a
 * bounded load. Requests in flight together make batches of more than 256 hits, which SQLite
 * writes on its write thread.
 */
const REQUESTS_PER_SERVER = 12;
const HITS_PER_REQUEST = 100;
const IN_FLIGHT_PER_SERVER = 3;
/** Visitors of each server; every visitor gets hits in several requests. */
const VISITORS_PER_SERVER = 20;
/** Page URLs both servers track, so that both insert the same new `log_action` strings. */
const SHARED_URLS = 60;

/** Sends every bulk request of one server, `label` making its visitor ids distinct from the other server's. */
async function sendAll(port: number, host: string, label: string): Promise<number> {
  let next = 0;
  let tracked = 0;
  const worker = async (): Promise<void> => {
    while (next < REQUESTS_PER_SERVER) {
      const index = next++;
      const requests = Array.from({ length: HITS_PER_REQUEST }, (_, hit) => {
        const visitor = `${label}${((index * HITS_PER_REQUEST + hit) % VISITORS_PER_SERVER).toString(16).padStart(15, '0')}`;
        const url = `https://example.org/shared/${(index * 7 + hit) % SHARED_URLS}`;
        return `?idsite=1&rec=1&cid=${visitor}&url=${encodeURIComponent(url)}`;
      });
      const response = await postBulk(port, host, JSON.stringify({ requests }));
      assert.equal(response.status, 200);
      tracked += response.body.tracked ?? 0;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT_PER_SERVER }, worker));
  return tracked;
}

for (const adapter of ALL_ENGINES) {
  describe(`two servers writing one tenant on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    const root = createTestRoot();
    const servers: ChildProcess[] = [];

    after(async () => {
      await Promise.all(servers.map(stopServer));
      await deleteAllTenants(root);
    });

    test('rows and ids stay consistent', async () => {
      const { host } = await createTestTenant(root, { adapter, timezone: 'UTC', siteUrl: 'https://example.org' });
      const ports = [await freePort(), await freePort()];
      for (const port of ports) servers.push(await startServer(root, port));

      const tracked = await Promise.all([sendAll(ports[0]!, host, 'a'), sendAll(ports[1]!, host, 'b')]);
      assert.deepEqual(tracked, [REQUESTS_PER_SERVER * HITS_PER_REQUEST, REQUESTS_PER_SERVER * HITS_PER_REQUEST]);
      await Promise.all(servers.map(stopServer));

      const db = tenantDb(root, host);
      const visits = await db.selectFrom('log_visit').select(['idvisit', 'idvisitor', 'visit_total_actions']).execute();
      const actions = await db.selectFrom('log_link_visit_action').select(['idlink_va', 'idvisit', 'idvisitor', 'idaction_url']).execute();
      // A run across midnight UTC starts second visits, so only the visitors are counted exactly.
      assert.equal(new Set(visits.map((visit) => visit.idvisitor)).size, 2 * VISITORS_PER_SERVER);
      assert.equal(actions.length, 2 * REQUESTS_PER_SERVER * HITS_PER_REQUEST);

      const visitorOf = new Map(visits.map((visit) => [Number(visit.idvisit), visit.idvisitor]));
      const actionsPerVisit = new Map<number, number>();
      for (const action of actions) {
        assert.equal(visitorOf.get(Number(action.idvisit)), action.idvisitor, `action ${action.idlink_va} belongs to another visitor's visit`);
        actionsPerVisit.set(Number(action.idvisit), (actionsPerVisit.get(Number(action.idvisit)) ?? 0) + 1);
      }
      for (const visit of visits) {
        assert.equal(Number(visit.visit_total_actions), actionsPerVisit.get(Number(visit.idvisit)), `visit ${visit.idvisit} counts other actions than it has`);
      }

      const urls = await db.selectFrom('log_action').select(['idaction', 'name']).where('type', '=', 1).execute();
      assert.equal(urls.length, SHARED_URLS);
      assert.equal(new Set(urls.map((url) => url.name)).size, SHARED_URLS);
      const urlIds = new Set(urls.map((url) => Number(url.idaction)));
      assert.ok(actions.every((action) => urlIds.has(Number(action.idaction_url))), 'an action refers to a URL id that is not stored');
    });
  });
}
