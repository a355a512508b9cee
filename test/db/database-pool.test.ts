import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import pino from 'pino';
import { TenantRegistry } from '../../src/tenancy/tenant-registry.js';
import { engineSkip } from '../support/engines.js';
import { deleteAllTenants } from '../support/console-runner.js';
import { createTestRoot, createTestTenant, TEST_ADMIN } from '../support/test-root.js';

/** A pino logger that keeps its lines in memory. */
function createCapturingLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n')) if (text !== '') lines.push(JSON.parse(text) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, stream), lines };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('DatabasePool on postgresql', async () => {
  const skip = await engineSkip('pgsql');
  const root = createTestRoot();
  after(() => deleteAllTenants(root));

  it('logs an idle connection the server ends instead of crashing', { skip }, async () => {
    const created = await createTestTenant(root, { adapter: 'pgsql' });
    const { logger, lines } = createCapturingLogger();
    const registry = new TenantRegistry(root.rootPaths, { recheckMs: 0, logger });
    try {
      const tenant = registry.require(created.host);
      assert.equal((await tenant.db().selectFrom('site').select('idsite').execute()).length, 1);

      // Ends every session of the tenant database, as DROP DATABASE ... WITH (FORCE) or a server restart does.
      const { host, port, username, password } = TEST_ADMIN.pgsql;
      const admin = new pg.Client({ host, port, user: username, password, database: 'postgres' });
      await admin.connect();
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [tenant.databaseConfig.dbname]);
      await admin.end();

      await waitFor(() => lines.length > 0, 10_000);
      assert.deepEqual(lines.map((line) => [line.msg, line.tenant]), [['idle database connection lost', created.host]]);
      assert.equal((await tenant.db().selectFrom('site').select('idsite').execute()).length, 1);
    } finally {
      await registry.close();
    }
  });
});
