import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { deleteAllTenants, runConsole, runConsoleJson } from '../support/console-runner.js';
import { createTestRoot, uniqueHost } from '../support/test-root.js';

const IPV6_MESSAGE = /Invalid host name '(?:\[::1\]|::1)': an IPv6 address cannot name a tenant\. Pass the host name the tenant is served on, such as stats\.example\.com/;

describe('IPv6 address as tenant host', () => {
  const root = createTestRoot();
  after(() => root.cleanup());

  for (const raw of ['::1', '[::1]']) {
    it(`core:archive rejects ${raw}`, async () => {
      const run = await runConsole(root, ['core:archive', `--matomo-domain=${raw}`]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, IPV6_MESSAGE);
      assert.doesNotMatch(run.stderr, /tenant:create/);
    });

    it(`tenant:create rejects ${raw}`, async () => {
      const run = await runConsole(root, ['tenant:create', raw]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, IPV6_MESSAGE);
      assert.deepEqual(readdirSync(root.dir), ['config']);
    });
  }
});

describe('tenant host argument with a port', () => {
  const root = createTestRoot();
  const host = uniqueHost('port');
  after(() => deleteAllTenants(root));

  it('rejects the port in every tenant command', async () => {
    await runConsoleJson(root, ['tenant:create', host]);
    const withPort = `${host}:80`;
    const commands = [
      ['tenant:create', withPort],
      ['tenant:delete', withPort, '--force'],
      ['tenant:export', withPort, `--output=${root.dir}/export.footfall`],
      ['tenant:disable', withPort],
      ['tenant:enable', withPort],
      ['tenant:import', `${root.dir}/export.footfall`, `--as=${withPort}`],
    ];
    for (const args of commands) {
      const run = await runConsole(root, args);
      assert.equal(run.code, 1, `${args[0]}: ${run.stderr}`);
      assert.match(run.stderr, new RegExp(`^Error: Invalid host name '${withPort.replaceAll('.', '\\.')}': a tenant is named by its host name without a port, and it serves requests on every port\\. Pass ${host.replaceAll('.', '\\.')}\\.$`, 'm'), args[0]);
    }

    const listed = await runConsoleJson<{ host: string | null; state: string }[]>(root, ['tenant:list']);
    assert.deepEqual(listed.map((tenant) => [tenant.host, tenant.state]), [[host, 'enabled']]);
    assert.equal(existsSync(`${root.dir}/export.footfall`), false, 'tenant:export wrote no file');
  });
});
