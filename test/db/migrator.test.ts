import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CODE_SCHEMA_VERSION } from '../../src/db/migrations/index.js';
import { loadSchemaVersion, migrateToLatest } from '../../src/db/migrator.js';
import { TABLE_NAMES } from '../../src/db/schema.js';
import type { TenantHost } from '../../src/tenancy/tenant-host.js';
import { createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';

describe('migrateToLatest on SQLite', () => {
  let root: TestRoot;
  before(() => { root = createTestRoot(); });
  after(async () => { await root.cleanup(); });

  it('creates every table with the prefix and records the schema version', async () => {
    const { host } = await createTestTenant(root);
    const tenant = root.registry.get(host as TenantHost)!;
    const tables = (await tenant.db().introspection.getTables()).map((table) => table.name).sort();
    assert.deepEqual(tables, TABLE_NAMES.map((name) => `matomo_${name}`).sort());
    assert.equal(await loadSchemaVersion(tenant.db(), tenant.databaseConfig), CODE_SCHEMA_VERSION);
  });

  it('applies nothing on a current schema', async () => {
    const { host } = await createTestTenant(root);
    const tenant = root.registry.get(host as TenantHost)!;
    assert.deepEqual(await migrateToLatest(tenant.db(), tenant.databaseConfig), { fromVersion: CODE_SCHEMA_VERSION, toVersion: CODE_SCHEMA_VERSION, applied: [] });
  });

  it('reports version 0 for a database without a Footfall schema', async () => {
    const { host } = await createTestTenant(root);
    const tenant = root.registry.get(host as TenantHost)!;
    await tenant.db().schema.dropTable('migration').execute();
    assert.equal(await loadSchemaVersion(tenant.db(), tenant.databaseConfig), 0);
    assert.equal(await tenant.needsUpdate(), true);
  });
});
