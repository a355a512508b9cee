import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startServerProcess } from '../support/console-process.js';

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
