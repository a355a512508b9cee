import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Settings } from '../../src/config/settings.js';
import { readDatabaseConfig } from '../../src/db/database-config.js';
import { deriveTenantDatabaseName, ensureSafeIdentifier, MAX_TENANT_DATABASE_NAME_LENGTH } from '../../src/db/database-identifiers.js';
import { dropTenantDatabase, provisionDatabase } from '../../src/db/database-provisioner.js';
import { CODE_SCHEMA_VERSION } from '../../src/db/migrations/index.js';
import { isFootfallError } from '../../src/errors.js';
import { buildTenantPaths } from '../../src/tenancy/root-paths.js';
import { parseTenantHostName } from '../../src/tenancy/tenant-host.js';
import { asPostgresSuperuser, engineSkip, loadServerDatabaseState } from '../support/engines.js';
import { createTestRoot, createTestTenant, TEST_ADMIN, uniqueHost } from '../support/test-root.js';

describe('deriveTenantDatabaseName', () => {
  it('derives ff_, the sanitised host and a hash', () => {
    assert.match(deriveTenantDatabaseName('stats.example.com'), /^ff_stats_example_com_[0-9a-f]{8}$/);
  });

  it('returns the same name for the same host', () => {
    assert.equal(deriveTenantDatabaseName('a-b.example.org'), deriveTenantDatabaseName('a-b.example.org'));
  });

  it('keeps long hosts within the user-name limit and apart', () => {
    const long = `${'x'.repeat(60)}.${'y'.repeat(60)}.example.com`;
    const first = deriveTenantDatabaseName(`a${long}`);
    const second = deriveTenantDatabaseName(`b${long}`);
    assert.ok(first.length <= MAX_TENANT_DATABASE_NAME_LENGTH, first);
    assert.ok(second.length <= MAX_TENANT_DATABASE_NAME_LENGTH, second);
    assert.notEqual(first, second);
  });

  it('passes its own names through ensureSafeIdentifier', () => {
    for (const host of ['stats.example.com', '10.0.0.1', 'xn--bcher-kva.example', 'a'.repeat(63) + '.example']) {
      const name = deriveTenantDatabaseName(host);
      assert.equal(ensureSafeIdentifier(name, 'database name'), name);
    }
  });
});

describe('ensureSafeIdentifier', () => {
  for (const bad of ['', 'Upper', '1starts_with_digit', 'quote`d', 'semi;colon', 'space d', 'a'.repeat(64)]) {
    it(`rejects ${JSON.stringify(bad.slice(0, 20))}`, () => {
      assert.throws(() => ensureSafeIdentifier(bad, 'database name'), (error) => isFootfallError(error, 'CONFIG_INVALID'));
    });
  }
});

describe('provisionDatabase', () => {
  const root = createTestRoot();
  const defaults = Settings.load({ global: root.rootPaths.globalConfig, common: root.rootPaths.commonConfig, local: null });
  after(() => root.cleanup());

  for (const adapter of ['mysql', 'pgsql'] as const) {
    describe(adapter, async () => {
      const skip = await engineSkip(adapter);

      it('creates a database and user, and drop removes both', { skip }, async () => {
        const host = parseTenantHostName(uniqueHost('prov'));
        const name = deriveTenantDatabaseName(host);
        const database = await provisionDatabase(adapter, host, buildTenantPaths(root.rootPaths, host), defaults);
        try {
          assert.deepEqual(Object.keys(database.settings), ['adapter', 'host', 'port', 'username', 'password', 'dbname', 'tables_prefix']);
          assert.equal(database.settings.adapter, adapter);
          assert.equal(database.settings.username, name);
          assert.equal(database.settings.dbname, name);
          assert.match(database.settings.password!, /^[0-9a-f]{48}$/);
          assert.deepEqual(await loadServerDatabaseState(adapter, name), { database: true, user: true });
        } finally {
          await database.drop();
        }
        assert.deepEqual(await loadServerDatabaseState(adapter, name), { database: false, user: false });
      });

      it('fails when the database already exists, leaving it in place', { skip }, async () => {
        const host = parseTenantHostName(uniqueHost('dup'));
        const paths = buildTenantPaths(root.rootPaths, host);
        const first = await provisionDatabase(adapter, host, paths, defaults);
        try {
          await assert.rejects(provisionDatabase(adapter, host, paths, defaults));
          assert.deepEqual(await loadServerDatabaseState(adapter, deriveTenantDatabaseName(host)), { database: true, user: true });
        } finally {
          await first.drop();
        }
      });
    });
  }

  it('rejects a server engine without an admin user', async () => {
    const bare = createTestRoot({ commonConfig: '; <?php exit; ?> DO NOT REMOVE THIS LINE\n' });
    try {
      const bareDefaults = Settings.load({ global: bare.rootPaths.globalConfig, common: bare.rootPaths.commonConfig, local: null });
      const host = parseTenantHostName(uniqueHost('noadmin'));
      await assert.rejects(provisionDatabase('mysql', host, buildTenantPaths(bare.rootPaths, host), bareDefaults),
        (error) => isFootfallError(error, 'DATABASE_ADMIN_MISSING'));
    } finally {
      await bare.cleanup();
    }
  });
});

describe('provisionDatabase with a postgresql admin that is not a superuser', async () => {
  const skip = await engineSkip('pgsql');
  const adminRole = `ff_admin_${process.pid.toString(36)}${Math.random().toString(36).slice(2, 8)}`;

  it('creates a tenant that migrates as its own role, and drops it', { skip }, async () => {
    await asPostgresSuperuser(`CREATE ROLE ${adminRole} LOGIN CREATEDB CREATEROLE PASSWORD 'admin-password'`);
    const root = createTestRoot({
      commonConfig: [
        '; <?php exit; ?> DO NOT REMOVE THIS LINE', '[database_admin_pgsql]',
        `host = "${TEST_ADMIN.pgsql.host}"`, `port = ${TEST_ADMIN.pgsql.port}`, `username = "${adminRole}"`, 'password = "admin-password"',
        '[General]', 'password_hash_cost = 4', '',
      ].join('\n'),
    });
    try {
      const created = await createTestTenant(root, { adapter: 'pgsql' });
      const tenant = root.registry.require(created.host);
      assert.equal(await tenant.schemaVersion(), CODE_SCHEMA_VERSION);
      const defaults = Settings.load({ global: root.rootPaths.globalConfig, common: root.rootPaths.commonConfig, local: null });
      await root.registry.forget(created.host);
      assert.deepEqual(await dropTenantDatabase(tenant.databaseConfig, created.host, defaults), { dropped: true });
      assert.deepEqual(await loadServerDatabaseState('pgsql', tenant.databaseConfig.dbname), { database: false, user: false });
    } finally {
      await root.cleanup();
      await asPostgresSuperuser(`DROP ROLE IF EXISTS ${adminRole}`);
    }
  });
});

describe('dropTenantDatabase', () => {
  it('keeps a database whose name Footfall did not derive for the host', async () => {
    const root = createTestRoot();
    try {
      const settings = new Settings({ file: 'global', data: { database: { adapter: 'mysql', dbname: 'shared_matomo', username: 'root', tables_prefix: 'matomo_' } } }, null, null);
      const defaults = Settings.load({ global: root.rootPaths.globalConfig, common: root.rootPaths.commonConfig, local: null });
      const result = await dropTenantDatabase(readDatabaseConfig(settings, root.dir), 'stats.example.com', defaults);
      assert.equal(result.dropped, false);
      assert.match(result.keptBecause ?? '', /database shared_matomo and user root were not created by Footfall/);
    } finally {
      await root.cleanup();
    }
  });
});
