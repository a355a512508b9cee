import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Settings } from '../../src/config/settings.js';
import type { DatabaseAdapter } from '../../src/db/database-config.js';
import { provisionDatabase } from '../../src/db/database-provisioner.js';
import { CODE_SCHEMA_VERSION, MIGRATIONS } from '../../src/db/migrations/index.js';
import { buildTenantPaths } from '../../src/tenancy/root-paths.js';
import { parseTenantHostName } from '../../src/tenancy/tenant-host.js';
import { buildTenantConfig, writeFileAtomically } from '../../src/tenancy/tenant-provisioner.js';
import { deleteAllTenants, runConsole, runConsoleJson } from '../support/console-runner.js';
import { engineSkip } from '../support/engines.js';
import { createTestRoot, uniqueHost, type TestRoot } from '../support/test-root.js';

interface ListedTenant {
  host: string;
  adapter: DatabaseAdapter;
  schemaVersion: number | null;
  state: string;
}

/** Makes a tenant whose database exists but has no schema yet (version 0), as if created by older code. */
async function createTenantAtVersionZero(root: TestRoot, adapter: DatabaseAdapter): Promise<string> {
  const host = parseTenantHostName(uniqueHost(`old${adapter}`));
  const paths = buildTenantPaths(root.rootPaths, host);
  const defaults = Settings.load({ global: root.rootPaths.globalConfig, common: root.rootPaths.commonConfig, local: null });
  const database = await provisionDatabase(adapter, host, paths, defaults);
  writeFileAtomically(paths.preferredConfig, buildTenantConfig(host, database.settings).toString());
  return host;
}

/** Makes a tenant whose MariaDB server cannot be reached: its port is one nothing listens on. */
function createUnreachableTenant(root: TestRoot): string {
  const host = parseTenantHostName(uniqueHost('down'));
  const settings = { adapter: 'mysql', host: '127.0.0.1', port: '1', username: 'ff_down', password: 'x', dbname: 'ff_down' };
  writeFileAtomically(buildTenantPaths(root.rootPaths, host).preferredConfig, buildTenantConfig(host, settings).toString());
  return host;
}

describe('core:update', () => {
  const root = createTestRoot();
  let current: string;
  let behind: string[];
  let unreachable: string;

  before(async () => {
    current = (await runConsoleJson<{ host: string }>(root, ['tenant:create', uniqueHost('cur')])).host;
    const serverEngines: DatabaseAdapter[] = [];
    for (const adapter of ['mysql', 'pgsql'] as const) if (!(await engineSkip(adapter))) serverEngines.push(adapter);
    behind = [];
    for (const adapter of ['sqlite', ...serverEngines] as DatabaseAdapter[]) behind.push(await createTenantAtVersionZero(root, adapter));
    unreachable = createUnreachableTenant(root);
  });
  after(() => deleteAllTenants(root));

  it('lists tenants behind the code as maintenance and the broken one as unreachable', async () => {
    const listed = await runConsoleJson<ListedTenant[]>(root, ['tenant:list']);
    const states = Object.fromEntries(listed.map((tenant) => [tenant.host, [tenant.schemaVersion, tenant.state]]));
    assert.deepEqual(states[current], [CODE_SCHEMA_VERSION, 'enabled']);
    for (const host of behind) assert.deepEqual(states[host], [0, 'maintenance']);
    assert.deepEqual(states[unreachable], [null, 'unreachable']);
  });

  it('migrates every reachable tenant, names the failed one and exits 1', async () => {
    const run = await runConsole(root, ['core:update', '--all-tenants', '--json']);
    assert.equal(run.code, 1);
    const hostCount = behind.length + 2;
    assert.match(run.stderr, new RegExp(`core:update: ${hostCount - 1} of ${hostCount} tenants succeeded\\.`));
    assert.match(run.stderr, new RegExp(`failed: ${unreachable.replace(/\./g, '\\.')}: .*ECONNREFUSED`));

    const outcome = JSON.parse(run.stdout) as { tenants: { host: string; ok: boolean }[]; succeeded: number; failed: number };
    assert.equal(outcome.failed, 1);
    assert.equal(outcome.succeeded, hostCount - 1);
    assert.deepEqual(outcome.tenants.filter((tenant) => !tenant.ok).map((tenant) => tenant.host), [unreachable]);

    const listed = await runConsoleJson<ListedTenant[]>(root, ['tenant:list']);
    for (const tenant of listed) {
      if (tenant.host === unreachable) continue;
      assert.deepEqual([tenant.host, tenant.schemaVersion, tenant.state], [tenant.host, CODE_SCHEMA_VERSION, 'enabled']);
    }
  });

  it('reports a current tenant as already up to date', async () => {
    const run = await runConsole(root, ['core:update', `--matomo-domain=${current}`]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${current}: schema already at version ${CODE_SCHEMA_VERSION}.\n`);
  });
});

describe('core:update on one tenant', () => {
  const root = createTestRoot();
  after(() => deleteAllTenants(root));

  it('brings a tenant at version 0 to the code version', async () => {
    const host = await createTenantAtVersionZero(root, 'sqlite');
    const run = await runConsole(root, ['core:update', `--matomo-domain=${host}`]);
    assert.equal(run.code, 0, run.stderr);
    const applied = MIGRATIONS.map((migration) => `${migration.version} ${migration.name}`).join(', ');
    assert.equal(run.stdout, `${host}: schema updated from version 0 to ${CODE_SCHEMA_VERSION} (${applied}).\n`);
  });
});
