import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createConnection } from 'mysql2/promise';
import pg from 'pg';
import { Settings } from '../../src/config/settings.js';
import { readDatabaseConfig, type DatabaseAdapter, type DatabaseConfig } from '../../src/db/database-config.js';
import { CODE_SCHEMA_VERSION } from '../../src/db/migrations/index.js';
import { buildTenantPaths } from '../../src/tenancy/root-paths.js';
import type { TenantHost } from '../../src/tenancy/tenant-host.js';
import { deleteAllTenants, runConsole, runConsoleJson } from '../support/console-runner.js';
import { engineSkip, loadServerDatabaseState } from '../support/engines.js';
import { buildTestServer, createSingleTenantInstall, createTestRoot, uniqueHost, type TestRoot } from '../support/test-root.js';

/** Reads the `[database]` settings tenant:create wrote for a host. */
function readTenantDatabase(root: TestRoot, host: string): DatabaseConfig {
  const paths = buildTenantPaths(root.rootPaths, host as TenantHost);
  const settings = Settings.load({ global: root.rootPaths.globalConfig, common: root.rootPaths.commonConfig, local: paths.preferredConfig });
  return readDatabaseConfig(settings, paths.filesDir);
}

/** Opens and closes a connection with `credentials` to database `dbname`; rejects when the server refuses. */
async function connectAs(credentials: DatabaseConfig, dbname: string): Promise<void> {
  if (credentials.adapter === 'mysql') {
    const connection = await createConnection({ host: credentials.host, port: credentials.port, user: credentials.username, password: credentials.password, database: dbname });
    await connection.query('SELECT 1');
    await connection.end();
    return;
  }
  const client = new pg.Client({ host: credentials.host, port: credentials.port, user: credentials.username, password: credentials.password, database: dbname });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

interface ListedTenant {
  host: string | null;
  adapter: DatabaseAdapter;
  schemaVersion: number | null;
  state: string;
}

describe('tenant:create on every engine', () => {
  const root = createTestRoot();
  const hosts: Partial<Record<DatabaseAdapter, string[]>> = {};
  let skipMysql: false | string = false;
  let skipPgsql: false | string = false;

  before(async () => {
    skipMysql = await engineSkip('mysql');
    skipPgsql = await engineSkip('pgsql');
    const adapters: DatabaseAdapter[] = ['sqlite', ...(skipMysql ? [] : ['mysql' as const]), ...(skipPgsql ? [] : ['pgsql' as const])];
    for (const adapter of adapters) {
      for (const label of ['a', 'b']) {
        const host = uniqueHost(`${label}${adapter}`);
        const created = await runConsoleJson<{ host: string; dbAdapter: string }>(root, ['tenant:create', host, `--db-adapter=${adapter}`]);
        assert.equal(created.dbAdapter, adapter);
        (hosts[adapter] ??= []).push(host);
      }
    }
  });
  after(() => deleteAllTenants(root));

  it('lists each tenant with its adapter, schema version and state', async () => {
    const listed = await runConsoleJson<ListedTenant[]>(root, ['tenant:list']);
    const expected = Object.entries(hosts).flatMap(([adapter, list]) => list.map((host) => ({ host, adapter, schemaVersion: CODE_SCHEMA_VERSION, state: 'enabled' })));
    assert.deepEqual(listed, expected.sort((a, b) => a.host.localeCompare(b.host)));
  });

  for (const adapter of ['mysql', 'pgsql'] as const) {
    it(`keeps ${adapter} tenants out of each other's databases`, async (t) => {
      if ((adapter === 'mysql' ? skipMysql : skipPgsql) !== false) return t.skip(`${adapter} not reachable`);
      const [hostA, hostB] = hosts[adapter]!;
      const credentialsA = readTenantDatabase(root, hostA!);
      const credentialsB = readTenantDatabase(root, hostB!);
      assert.notEqual(credentialsA.username, credentialsB.username);
      assert.notEqual(credentialsA.password, credentialsB.password);

      await connectAs(credentialsA, credentialsA.dbname);
      await assert.rejects(connectAs(credentialsA, credentialsB.dbname), /denied|permission/i);
      await assert.rejects(connectAs(credentialsB, credentialsA.dbname), /denied|permission/i);
    });
  }
});

describe('tenant:list with a broken config file', () => {
  const root = createTestRoot();
  const good = uniqueHost('good');
  const broken = uniqueHost('broken');
  const badValue = uniqueHost('badvalue');
  before(async () => {
    await runConsoleJson(root, ['tenant:create', good]);
    const brokenConfig = buildTenantPaths(root.rootPaths, broken as TenantHost).preferredConfig;
    mkdirSync(resolve(brokenConfig, '..'), { recursive: true });
    writeFileSync(brokenConfig, '; <?php exit; ?> DO NOT REMOVE THIS LINE\n[database]\nport = "not-a-port"\n');
    // A key appended at the end of a tenant file lands in its last section, [General].
    await runConsoleJson(root, ['tenant:create', badValue]);
    appendFileSync(buildTenantPaths(root.rootPaths, badValue as TenantHost).preferredConfig, 'max_open_tenant_databases = abc\n');
  });
  after(() => deleteAllTenants(root));

  it('lists bad values as config-invalid', async () => {
    const listed = await runConsoleJson<(ListedTenant & { error?: string })[]>(root, ['tenant:list']);
    const byHost = new Map(listed.map((tenant) => [tenant.host, tenant]));
    assert.deepEqual(byHost.get(good), { host: good, adapter: 'sqlite', schemaVersion: CODE_SCHEMA_VERSION, state: 'enabled' });
    assert.equal(byHost.get(broken)?.state, 'config-invalid');
    assert.equal(byHost.get(broken)?.adapter, null);
    assert.match(byHost.get(broken)?.error ?? '', /\[database\] port: got "not-a-port"/);
    assert.equal(byHost.get(badValue)?.state, 'config-invalid');
    assert.match(byHost.get(badValue)?.error ?? '', /config\.ini\.php \[General\] max_open_tenant_databases: got "abc"/);
  });

  it('prints config errors below the table', async () => {
    const run = await runConsole(root, ['tenant:list']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^${badValue.replaceAll('.', '\\.')} +- +- +config-invalid$`, 'm'));
    assert.match(run.stdout, new RegExp(`^${badValue.replaceAll('.', '\\.')}: Invalid settings:\n .*\\[General\\] max_open_tenant_databases: got "abc"`, 'm'));
  });
});

describe('tenant:list with a missing database file', () => {
  const root = createTestRoot();
  const host = uniqueHost('nofile');
  let sqliteFile: string;
  before(async () => {
    await runConsoleJson(root, ['tenant:create', host]);
    sqliteFile = root.registry.require(host).databaseConfig.sqliteFile;
    await root.registry.forget(host);
    rmSync(sqliteFile);
  });
  after(() => deleteAllTenants(root));

  it('reports it without creating it', async () => {
    const listed = await runConsoleJson<ListedTenant[]>(root, ['tenant:list']);
    const entry = listed.find((tenant) => tenant.host === host);
    assert.equal(entry?.state, 'maintenance');
    assert.equal(entry?.schemaVersion, 0);
    assert.equal(existsSync(sqliteFile), false);
  });
});

describe('tenant:list with the single-tenant install', () => {
  const root = createTestRoot();
  let host: string;
  before(async () => {
    await createSingleTenantInstall(root);
    host = (await runConsoleJson<{ host: string }>(root, ['tenant:create', uniqueHost('multi')])).host;
  });
  after(() => deleteAllTenants(root));

  it('lists the single-tenant install first', async () => {
    const listed = await runConsoleJson<ListedTenant[]>(root, ['tenant:list']);
    assert.deepEqual(listed, [
      { host: null, adapter: 'sqlite', schemaVersion: CODE_SCHEMA_VERSION, state: 'enabled' },
      { host, adapter: 'sqlite', schemaVersion: CODE_SCHEMA_VERSION, state: 'enabled' },
    ]);
  });

  it('marks the single-tenant install in text', async () => {
    const run = await runConsole(root, ['tenant:list']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^\\(single-tenant install\\) +sqlite +${CODE_SCHEMA_VERSION} +enabled$`, 'm'));
    assert.match(run.stdout, /serves every host that has no tenant file\.\n$/);
  });

  it('lists a broken single-tenant install', async () => {
    appendFileSync(root.rootPaths.singleTenantConfig, 'max_open_tenant_databases = abc\n');
    const listed = await runConsoleJson<(ListedTenant & { error?: string })[]>(root, ['tenant:list']);
    assert.equal(listed.length, 2);
    assert.equal(listed[0]?.host, null);
    assert.equal(listed[0]?.state, 'config-invalid');
    assert.match(listed[0]?.error ?? '', /config\.ini\.php \[General\] max_open_tenant_databases: got "abc"/);
  });
});

describe('tenant:disable and tenant:enable', () => {
  const root = createTestRoot();
  const host = uniqueHost('dis');
  before(async () => {
    await runConsoleJson(root, ['tenant:create', host]);
  });
  after(() => deleteAllTenants(root));

  it('turns the tenant off and on, keeping the other config lines', async () => {
    const configFile = buildTenantPaths(root.rootPaths, host as TenantHost).preferredConfig;
    const before = readFileSync(configFile, 'utf8');
    const app = await buildTestServer(root);
    try {
      assert.equal((await app.inject({ url: '/', headers: { host } })).statusCode, 200);

      const disabled = await runConsole(root, ['tenant:disable', host]);
      assert.equal(disabled.code, 0, disabled.stderr);
      assert.equal(readFileSync(configFile, 'utf8'), `${before}tenant_disabled = 1\n`);
      assert.equal((await app.inject({ url: '/', headers: { host } })).statusCode, 503);
      assert.deepEqual((await runConsoleJson<ListedTenant[]>(root, ['tenant:list'])).map((tenant) => tenant.state), ['disabled']);

      const enabled = await runConsole(root, ['tenant:enable', host]);
      assert.equal(enabled.code, 0, enabled.stderr);
      assert.equal(readFileSync(configFile, 'utf8'), `${before}tenant_disabled = 0\n`);
      assert.equal((await app.inject({ url: '/', headers: { host } })).statusCode, 200);
    } finally {
      await app.close();
    }
  });

  it('fails for an unknown host', async () => {
    const run = await runConsole(root, ['tenant:disable', 'missing.example']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Tenant 'missing.example' not found/);
  });
});

describe('tenant:delete', () => {
  const root = createTestRoot();
  after(() => deleteAllTenants(root));

  it('refuses without --force and deletes nothing', async () => {
    const host = uniqueHost('keep');
    await runConsoleJson(root, ['tenant:create', host]);
    const run = await runConsole(root, ['tenant:delete', host]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Missing --force/);
    assert.equal(existsSync(buildTenantPaths(root.rootPaths, host as TenantHost).preferredConfig), true);
    assert.equal(existsSync(resolve(buildTenantPaths(root.rootPaths, host as TenantHost).filesDir, 'footfall.sqlite')), true);
  });

  for (const adapter of ['sqlite', 'mysql', 'pgsql'] as const) {
    it(`removes config, files, caches, database and user on ${adapter}`, async (t) => {
      const skip = await engineSkip(adapter);
      if (skip) return t.skip(skip);
      const host = uniqueHost(`del${adapter}`);
      await runConsoleJson(root, ['tenant:create', host, `--db-adapter=${adapter}`]);
      const paths = buildTenantPaths(root.rootPaths, host as TenantHost);
      const database = readTenantDatabase(root, host);
      mkdirSync(resolve(paths.tmpDir, 'cache'), { recursive: true });
      writeFileSync(resolve(paths.tmpDir, 'cache', 'entry'), 'x');
      writeFileSync(resolve(paths.filesDir, 'logo.png'), 'x');

      const deleted = await runConsoleJson<{ databaseDropped: boolean }>(root, ['tenant:delete', host, '--force']);
      assert.equal(deleted.databaseDropped, true);
      for (const path of [paths.preferredConfig, paths.filesDir, paths.tmpDir]) assert.equal(existsSync(path), false, path);
      if (adapter !== 'sqlite') assert.deepEqual(await loadServerDatabaseState(adapter, database.dbname), { database: false, user: false });
      assert.equal((await runConsole(root, ['tenant:list'])).stdout.includes(host), false);
    });
  }
});
