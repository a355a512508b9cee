import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createConnection } from 'mysql2/promise';
import pg from 'pg';
import type { DatabaseAdapter } from '../../src/db/database-config.js';
import type { DatabaseProvisioner } from '../../src/tenancy/tenant-provisioner.js';
import { createTenant } from '../../src/tenancy/tenant-provisioner.js';
import { parseTenantHostName } from '../../src/tenancy/tenant-host.js';
import { callApi } from '../support/api-client.js';
import { engineSkip } from '../support/engines.js';
import { buildTestServer, createTestRoot, TEST_ADMIN, uniqueHost, type TestRoot } from '../support/test-root.js';

/** Runs one statement on an engine's admin connection, outside any tenant database. */
async function runAdminStatement(adapter: 'mysql' | 'pgsql', statement: string): Promise<void> {
  if (adapter === 'mysql') {
    const connection = await createConnection({ ...TEST_ADMIN.mysql, user: TEST_ADMIN.mysql.username });
    try {
      await connection.query(statement);
    } finally {
      await connection.end();
    }
    return;
  }
  const client = new pg.Client({ ...TEST_ADMIN.pgsql, user: TEST_ADMIN.pgsql.username, database: 'postgres' });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Creates the tenant database with the admin account and connects the tenant as that account,
 * so these tests exercise the API's queries on each engine without depending on tenant:create's
 * per-tenant database users.
 */
const adminProvisioner: DatabaseProvisioner = async (adapter, host) => {
  if (adapter === 'sqlite' || host === null) throw new Error('The admin provisioner is for mysql and pgsql tenants only.');
  const dbname = `ff_api_${host.split('.')[0]!.replace(/[^a-z0-9]/g, '')}`;
  await runAdminStatement(adapter, `CREATE DATABASE ${dbname}`);
  const admin = TEST_ADMIN[adapter];
  return {
    settings: { adapter, host: admin.host, port: String(admin.port), username: admin.username, password: admin.password, dbname },
    drop: () => runAdminStatement(adapter, `DROP DATABASE IF EXISTS ${dbname}`),
  };
};

for (const adapter of ['mysql', 'pgsql'] as const satisfies readonly DatabaseAdapter[]) {
  describe(`sites and users API on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    let root: TestRoot;
    let app: FastifyInstance;
    let host: string;
    let token: string;
    let dropDatabase: () => Promise<void>;

    before(async () => {
      root = createTestRoot();
      host = uniqueHost(adapter);
      const created = await createTenant(root.registry, {
        host: parseTenantHostName(host), dbAdapter: adapter, superuserLogin: 'admin', superuserPassword: 'secret-password',
        superuserEmail: 'admin@example.org', siteName: 'First', siteUrl: 'https://example.org', clock: () => new Date('2024-01-01T00:00:00Z'),
      }, async (...args) => {
        const database = await adminProvisioner(...args);
        dropDatabase = database.drop;
        return database;
      });
      token = created.tokenAuth;
      app = await buildTestServer(root);
    });

    after(async () => {
      await app?.close();
      await root.cleanup();
      await dropDatabase?.();
    });

    test('adds, finds, updates and deletes a site', async () => {
      const added = await callApi(app, host, { method: 'SitesManager.addSite', siteName: 'Second', 'urls[0]': 'https://second.example', 'urls[1]': 'https://alias.example', currency: 'EUR', token_auth: token });
      assert.deepEqual(added.json(), { value: 2 });
      const found = await callApi(app, host, { method: 'SitesManager.getSitesIdFromSiteUrl', url: 'http://www.alias.example', token_auth: token });
      assert.deepEqual(found.json(), [{ idsite: '2' }]);
      await callApi(app, host, { method: 'SitesManager.updateSite', idSite: '2', siteName: 'Renamed', token_auth: token });
      const site = (await callApi(app, host, { method: 'SitesManager.getSiteFromId', idSite: '2', token_auth: token })).json() as Record<string, string>;
      assert.deepEqual([site.idsite, site.name, site.currency, site.ecommerce, site.currency_name], ['2', 'Renamed', 'EUR', '0', 'Euro']);
      const deleted = await callApi(app, host, { method: 'SitesManager.deleteSite', idSite: '2', token_auth: token });
      assert.deepEqual(deleted.json(), { result: 'success', message: 'ok' });
      const last = await callApi(app, host, { method: 'SitesManager.deleteSite', idSite: '1', token_auth: token });
      assert.equal((last.json() as { code: string }).code, 'SITE_LAST_REMAINING');
    });

    test('adds a user, grants a role and issues its token', async () => {
      await callApi(app, host, { method: 'UsersManager.addUser', userLogin: 'reader', password: 'reader-password', email: 'reader@example.org', initialIdSite: '1', token_auth: token });
      const roles = await callApi(app, host, { method: 'UsersManager.getSitesAccessFromUser', userLogin: 'reader', token_auth: token });
      assert.deepEqual(roles.json(), [{ site: '1', access: 'view' }]);
      const created = await callApi(app, host, { method: 'UsersManager.createAppSpecificTokenAuth', userLogin: 'reader', passwordConfirmation: 'reader-password', description: 'engine test' });
      const readerToken = (created.json() as { value: string }).value;
      const ids = await callApi(app, host, { method: 'SitesManager.getSitesIdWithAtLeastViewAccess', token_auth: readerToken });
      assert.deepEqual(ids.json(), ['1']);
      const lastSuperuser = await callApi(app, host, { method: 'UsersManager.deleteUser', userLogin: 'admin', token_auth: token });
      assert.equal((lastSuperuser.json() as { code: string }).code, 'SUPERUSER_LAST_REMAINING');
      const deleted = await callApi(app, host, { method: 'UsersManager.deleteUser', userLogin: 'reader', token_auth: token });
      assert.deepEqual(deleted.json(), { result: 'success', message: 'ok' });
    });
  });
}
