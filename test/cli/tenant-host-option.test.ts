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

describe('shorthand IPv4 as tenant host', () => {
  const root = createTestRoot();
  after(() => root.cleanup());
  const expected = (raw: string) => `Error: Invalid host name '${raw}': expected a dotted-quad IPv4 address in canonical form, such as 192.0.2.10, or a DNS name. `
    + 'A name that ends in a number is read as an IPv4 address, and a shorthand, octal or hexadecimal form of one is ambiguous.';

  for (const raw of ['0x7f.1', '127.1', '2130706433', '0177.0.0.1']) {
    it(`tenant:create rejects ${raw}`, async () => {
      const run = await runConsole(root, ['tenant:create', raw]);
      assert.equal(run.code, 1, run.stderr);
      assert.ok(run.stderr.includes(expected(raw)), run.stderr);
      assert.deepEqual(readdirSync(root.dir), ['config']);
    });
  }

  it('every tenant option rejects 127.1', async () => {
    const commands = [
      ['core:archive', '--matomo-domain=127.1'],
      ['cache:clear', '--domain=127.1'],
      ['tenant:delete', '127.1', '--force'],
      ['tenant:export', '127.1', `--output=${root.dir}/export.footfall`],
      ['tenant:disable', '127.1'],
      ['tenant:enable', '127.1'],
      ['tenant:import', `${root.dir}/export.footfall`, '--as=127.1'],
    ];
    for (const args of commands) {
      const run = await runConsole(root, args);
      assert.equal(run.code, 1, `${args[0]}: ${run.stderr}`);
      assert.ok(run.stderr.includes(expected('127.1')), `${args[0]}: ${run.stderr}`);
    }
    assert.deepEqual(readdirSync(root.dir), ['config']);
  });
});
