import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { describeListenError } from '../../src/cli/commands/server-run.js';
import { startServerProcess } from '../support/console-process.js';
import { runConsole } from '../support/console-runner.js';
import { createSingleTenantInstall, createTestRoot } from '../support/test-root.js';

describe('server:run', () => {
  const root = mkdtempSync(join(tmpdir(), 'footfall-first-start-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('first start creates the install and prints a token', async () => {
    const server = await startServerProcess(root);
    try {
      const output = server.stdout();
      const token = /token_auth: ([0-9a-f]{32})/.exec(output)?.[1];
      assert.ok(token, `no token in: ${output}`);
      assert.match(output, /login: +admin\n/);
      assert.match(output, /password: +\S{12,}\n/);
      assert.equal(existsSync(join(root, 'config', 'config.ini.php')), true);
      assert.equal(existsSync(join(root, 'misc', 'user', '_default', 'footfall.sqlite')), true);

      const version = await fetch(`http://127.0.0.1:${server.port}/index.php?module=API&method=API.getMatomoVersion&format=json&token_auth=${token}`);
      assert.deepEqual(await version.json(), { value: '5.1.0' });
      const anonymous = await fetch(`http://127.0.0.1:${server.port}/index.php?module=API&method=API.getMatomoVersion&format=json`);
      assert.equal(anonymous.status, 401);
    } finally {
      await server.stop();
    }
  });

  it('second start creates nothing', async () => {
    const server = await startServerProcess(root);
    try {
      assert.doesNotMatch(server.stdout(), /token_auth/);
    } finally {
      await server.stop();
    }
  });
});

describe('server:run options', () => {
  const root = createTestRoot();
  after(() => root.cleanup());

  it('rejects an invalid --host before anything', async () => {
    const run = await runConsole(root, ['server:run', '--host', '999.1.1.1', '--port', '0']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /^Error: Invalid --host '999\.1\.1\.1': expected a dotted-quad IPv4 address in canonical form, such as 127\.0\.0\.1, an IPv6 address or a host name\./m);
    assert.doesNotMatch(run.stderr, /getaddrinfo|ENOTFOUND/);
    assert.equal(existsSync(root.rootPaths.singleTenantConfig), false, 'no single-tenant install was created');
  });

  it('names --port when the port is in use', async () => {
    await createSingleTenantInstall(root);
    const blocker = createServer();
    await new Promise<void>((resolvePromise) => blocker.listen(0, '127.0.0.1', resolvePromise));
    const { port } = blocker.address() as { port: number };
    try {
      const run = await runConsole(root, ['server:run', '--host', '127.0.0.1', '--port', String(port)]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, new RegExp(`^Error: Failed to listen on 127\\.0\\.0\\.1:${port} \\(listen EADDRINUSE[^)]*\\)\\. Another process listens on port ${port}\\. Stop it, or pass a free port with --port\\.$`, 'm'));
    } finally {
      await new Promise<void>((resolvePromise) => blocker.close(() => resolvePromise()));
    }
  });
});

describe('describeListenError', () => {
  const cases: [string, RegExp][] = [
    ['EACCES', /Ports below 1024 need root .* Pass a port of 1024 or more with --port\.$/],
    ['EADDRNOTAVAIL', /The address is not one of this machine\. Pass one of its addresses with --host/],
    ['ENOTFOUND', /The host name does not resolve to an address\. Pass an address of this machine with --host/],
    ['EOTHER', /Check --host and --port\.$/],
  ];
  for (const [code, advice] of cases) {
    it(`advises on ${code}`, () => {
      const error = describeListenError(Object.assign(new Error(`listen ${code}`), { code }), '192.0.2.1', 80);
      assert.equal(error.code, 'SERVER_LISTEN_FAILED');
      assert.match(error.message, new RegExp(`^Failed to listen on 192\\.0\\.2\\.1:80 \\(listen ${code}\\)\\. `));
      assert.match(error.message, advice);
    });
  }
});
