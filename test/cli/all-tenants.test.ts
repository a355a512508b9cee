import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { deleteAllTenants, runConsole, runConsoleJson } from '../support/console-runner.js';
import { createSingleTenantInstall, createTestRoot, createTestTenant } from '../support/test-root.js';

describe('--all-tenants', () => {
  const root = createTestRoot();
  let host: string;

  before(async () => {
    await createSingleTenantInstall(root);
    host = (await createTestTenant(root)).host;
  });
  after(() => deleteAllTenants(root));

  it('includes the single-tenant install first', async () => {
    const run = await runConsole(root, ['core:update', '--all-tenants', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as { tenants: { host: string | null; ok: boolean }[]; succeeded: number; failed: number };
    assert.deepEqual(result.tenants.map((tenant) => [tenant.host, tenant.ok]), [[null, true], [host, true]]);
    assert.equal(result.succeeded, 2);
    assert.equal(result.failed, 0);
    assert.match(run.stderr, /core:update: 2 of 2 tenants succeeded\./);
  });

  it('runs on the tenants tenant:list shows', async () => {
    const listed = await runConsoleJson<{ host: string | null }[]>(root, ['tenant:list']);
    const run = await runConsoleJson<{ tenants: { host: string | null }[] }>(root, ['core:update', '--all-tenants']);
    assert.deepEqual(run.tenants.map((tenant) => tenant.host), listed.map((tenant) => tenant.host));
  });

  it('counts a broken single-tenant install failed', async () => {
    appendFileSync(root.rootPaths.singleTenantConfig, 'max_open_tenant_databases = abc\n');
    const run = await runConsole(root, ['core:update', '--all-tenants', '--json']);
    assert.equal(run.code, 1, run.stderr);
    const result = JSON.parse(run.stdout) as { tenants: { host: string | null; ok: boolean }[] };
    assert.deepEqual(result.tenants.map((tenant) => [tenant.host, tenant.ok]), [[null, false], [host, true]]);
    assert.match(run.stderr, /failed: single-tenant install: Invalid settings:/);
  });
});
