import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';
import { tenantDb } from '../support/tracking.js';
import { freePort, postBulk, startServer } from '../support/tracking-server.js';

/**
 * Bulk requests sent, and hits in each: a bounded load. Requests in flight together make
 * batches of more than 256 hits, which SQLite writes on its write thread.
 */
const REQUESTS = 60;
const HITS_PER_REQUEST = 100;
/** Requests in flight at once. */
const CONCURRENCY = 6;
/** Success responses after which the server is killed, while other requests are in flight. */
const KILL_AFTER_ANSWERS = 12;

describe('tracking durability', () => {
  let root: TestRoot;
  let host: string;
  let child: ChildProcess | undefined;

  before(async () => {
    root = createTestRoot();
    host = (await createTestTenant(root)).host;
  });

  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await root.cleanup();
  });

  test('keeps every acknowledged hit when the server is killed', async () => {
    const port = await freePort();
    child = await startServer(root, port);
    const exited = new Promise((settle) => child!.once('exit', settle));

    const acknowledged: string[] = [];
    let answers = 0;
    let next = 0;
    const send = async (index: number): Promise<void> => {
      const urls = Array.from({ length: HITS_PER_REQUEST }, (_, hit) => `https://example.org/r${index}/h${hit}`);
      const body = JSON.stringify({ requests: urls.map((url, hit) => `?idsite=1&rec=1&cid=${(index * 100 + hit).toString(16).padStart(16, '0')}&url=${encodeURIComponent(url)}`) });
      try {
        const { status, body: answer } = await postBulk(port, host, body);
        if (status !== 200 || answer.status !== 'success' || answer.tracked !== HITS_PER_REQUEST) return;
        acknowledged.push(...urls);
        answers += 1;
        if (answers === KILL_AFTER_ANSWERS) child!.kill('SIGKILL');
      } catch {
        // A request cut off by the kill gets no response, so nothing is promised about its hits.
      }
    };
    const workers = Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) await send(next++);
    });
    await Promise.all(workers);
    const killedInFlight = answers >= KILL_AFTER_ANSWERS;
    if (!killedInFlight) child.kill('SIGKILL');
    await exited;

    assert.equal(killedInFlight, true);
    assert.ok(acknowledged.length < REQUESTS * HITS_PER_REQUEST);
    const db = tenantDb(root, host);
    const stored = new Set((await db.selectFrom('log_action').select('name').where('type', '=', 1).execute()).map((row) => `https://${row.name}`));
    const missing = acknowledged.filter((url) => !stored.has(url));
    assert.deepEqual(missing, []);
    const actions = await db.selectFrom('log_link_visit_action').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    assert.ok(Number(actions.count) >= acknowledged.length);
  });
});
