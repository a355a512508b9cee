import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DatabaseAdapter } from '../../src/db/database-config.js';
import { deleteAllTenants, runConsole, runConsoleJson } from '../support/console-runner.js';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { createSingleTenantInstall, createTestRoot, uniqueHost, type TestRoot } from '../support/test-root.js';
import { tenantDb } from '../support/tracking.js';

/** One page view in the combined log format, which log:import would store as one visit. */
const ACCESS_LOG_LINE = '192.0.2.1 - - [01/May/2024:10:00:00 +0000] "GET /page.html HTTP/1.1" 200 512 "-" '
  + '"Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"\n';

/** Returns the row counts and the password hash that the rejected commands would change. */
async function snapshotTenant(root: TestRoot, host: string): Promise<Record<string, number | string>> {
  const db = tenantDb(root, host);
  const counts: Record<string, number | string> = {};
  for (const table of ['site', 'user', 'user_token_auth', 'log_visit', 'archive_numeric'] as const) {
    const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    counts[table] = Number(row.count);
  }
  const jane = await db.selectFrom('user').select('password').where('login', '=', 'jane').executeTakeFirstOrThrow();
  counts.janePassword = jane.password;
  return counts;
}

for (const engine of ALL_ENGINES) {
  describe(`disabled tenant on ${engine}`, () => {
    const root = createTestRoot();
    const host = uniqueHost(`off${engine}`);
    const domain = `--matomo-domain=${host}`;
    const logFile = resolve(root.dir, 'access.log');
    let skip: false | string = false;

    before(async () => {
      skip = await engineSkip(engine as DatabaseAdapter);
      if (skip !== false) return;
      await runConsoleJson(root, ['tenant:create', host, `--db-adapter=${engine}`]);
      await runConsoleJson(root, ['user:create', domain, '--login=jane', '--password=jane-password', '--email=jane@example.com']);
      writeFileSync(logFile, ACCESS_LOG_LINE);
      await runConsoleJson(root, ['tenant:disable', host]);
    });
    after(() => deleteAllTenants(root));

    it('rejects commands that write rows', async (t) => {
      if (skip !== false) return t.skip(skip);
      const rowsBefore = await snapshotTenant(root, host);
      const commands = [
        ['log:import', domain, '--idsite=1', logFile],
        ['site:add', domain, '--name=Shop', '--url=https://shop.example'],
        ['user:create', domain, '--login=joe', '--password=joe-password', '--email=joe@example.com'],
        ['user:token', domain, '--login=jane'],
        ['user:reset-password', domain, '--login=jane', '--password=new-password'],
        ['core:archive', domain, '--force-date-range=2024-05-01,2024-05-01'],
      ];
      for (const args of commands) {
        const run = await runConsole(root, args);
        assert.equal(run.code, 1, `${args[0]} exit code: ${run.stderr}`);
        assert.match(run.stderr, new RegExp(`Error: Tenant ${host.replaceAll('.', '\\.')} is disabled \\(\\[General\\] tenant_disabled = 1 in [^)]+\\), so ${args[0]} does not write to its database\\.`));
        assert.match(run.stderr, new RegExp(`Enable it with \\./console tenant:enable ${host.replaceAll('.', '\\.')}, then run ${args[0]} again\\.`));
      }
      assert.deepEqual(await snapshotTenant(root, host), rowsBefore);
    });

    it('runs read, schema and move commands', async (t) => {
      if (skip !== false) return t.skip(skip);
      const sites = await runConsoleJson<unknown[]>(root, ['site:list', domain]);
      assert.equal(sites.length, 1);
      const setting = await runConsoleJson<{ value: string }>(root, ['config:get', domain, 'General.tenant_disabled']);
      assert.equal(setting.value, '1');
      await runConsoleJson(root, ['core:update', domain]);
      const exported = await runConsoleJson<{ host: string }>(root, ['tenant:export', host, `--output=${resolve(root.dir, 'export.footfall')}`]);
      assert.equal(exported.host, host);
    });

    it('writes again after tenant:enable', async (t) => {
      if (skip !== false) return t.skip(skip);
      await runConsoleJson(root, ['tenant:enable', host]);
      const added = await runConsoleJson<{ idSite: number }>(root, ['site:add', domain, '--name=Shop', '--url=https://shop.example']);
      assert.equal(added.idSite, 2);
    });
  });
}

describe('disabled tenant under --all-tenants', () => {
  const root = createTestRoot();
  const enabledHost = uniqueHost('on');
  const disabledHost = uniqueHost('off');

  before(async () => {
    await runConsoleJson(root, ['tenant:create', enabledHost]);
    await runConsoleJson(root, ['tenant:create', disabledHost]);
    await runConsoleJson(root, ['tenant:disable', disabledHost]);
  });
  after(() => deleteAllTenants(root));

  it('skips a disabled tenant without failing', async () => {
    const run = await runConsole(root, ['core:archive', '--all-tenants', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as { tenants: { host: string; ok: boolean; skipped?: string }[]; succeeded: number; skipped: number; failed: number };
    const byHost = new Map(result.tenants.map((tenant) => [tenant.host, tenant]));
    assert.equal(byHost.get(enabledHost)?.ok, true);
    assert.equal(byHost.get(enabledHost)?.skipped, undefined);
    assert.deepEqual(byHost.get(disabledHost), { host: disabledHost, ok: true, skipped: 'disabled' });
    assert.equal(result.succeeded, 1);
    assert.equal(result.skipped, 1);
    assert.equal(result.failed, 0);
    assert.match(run.stderr, /core:archive: 1 of 2 tenants succeeded, 1 skipped\./);
    assert.match(run.stderr, new RegExp(`skipped: ${disabledHost.replaceAll('.', '\\.')}: disabled`));
  });

  it('still migrates a disabled tenant', async () => {
    const result = await runConsoleJson<{ tenants: { host: string; ok: boolean; skipped?: string }[] }>(root, ['core:update', '--all-tenants']);
    const disabled = result.tenants.find((tenant) => tenant.host === disabledHost);
    assert.equal(disabled?.ok, true);
    assert.equal(disabled?.skipped, undefined);
  });
});

describe('disabled single-tenant install', () => {
  const root = createTestRoot();

  before(async () => {
    await createSingleTenantInstall(root);
    await runConsoleJson(root, ['config:set', 'General.tenant_disabled', '1']);
  });
  after(() => deleteAllTenants(root));

  it('names config:set as the way back', async () => {
    const run = await runConsole(root, ['site:add', '--name=Shop', '--url=https://shop.example']);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /^Error: The single-tenant install is disabled \(\[General\] tenant_disabled = 1 in \S+config\.ini\.php\), so site:add does not write to its database\./m);
    assert.match(run.stderr, /Enable it with \.\/console config:set General\.tenant_disabled 0, then run site:add again\./);
  });
});
