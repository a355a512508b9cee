import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { deleteAllTenants, runConsole } from '../support/console-runner.js';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { createCapturedTenantServer, postLogin, signInForTest } from '../support/session-server.js';
import { createTestRoot, type TestRoot } from '../support/test-root.js';

for (const adapter of ALL_ENGINES) {
  describe(`user:reset-password on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    let root: TestRoot;
    let app: FastifyInstance;
    let host: string;

    before(async () => {
      root = createTestRoot();
      ({ host, server: { app } } = await createCapturedTenantServer(root, { adapter }));
    });
    after(async () => {
      await app.close();
      await deleteAllTenants(root);
    });

    it('prints a generated password once, which then signs in', async () => {
      const run = await runConsole(root, ['user:reset-password', '--login=admin', `--matomo-domain=${host}`]);
      assert.equal(run.code, 0, run.stderr);
      const password = /^ {2}password: (\S+)$/m.exec(run.stdout)?.[1];
      assert.ok(password, `no password in: ${run.stdout}`);
      assert.equal(password.length, 18);
      assert.match(run.stdout, /shown this once only/);

      assert.equal((await postLogin(app, host, 'admin', 'secret-password')).statusCode, 401);
      assert.equal((await postLogin(app, host, 'admin', password)).statusCode, 200);
    });

    it('sets the given password, ends sessions and prints no password', async () => {
      const { cookie } = await signInForTest(app, host, 'admin', await currentPassword(root, host));
      const run = await runConsole(root, ['user:reset-password', '--login=admin', '--password=chosen-password', `--matomo-domain=${host}`]);
      assert.equal(run.code, 0, run.stderr);
      assert.doesNotMatch(run.stdout, /password:/);
      assert.match(run.stdout, /1 session\(s\) ended/);

      const session = await app.inject({ method: 'GET', url: '/session', headers: { host }, cookies: { footfall_session: cookie } });
      assert.deepEqual(session.json(), { signedIn: false });
      assert.equal((await postLogin(app, host, 'admin', 'chosen-password')).statusCode, 200);
    });

    it('fails with exit code 1 for an unknown login', async () => {
      const run = await runConsole(root, ['user:reset-password', '--login=nobody', `--matomo-domain=${host}`]);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /User 'nobody' not found/);
    });

    it('fails with exit code 2 without --login', async () => {
      const run = await runConsole(root, ['user:reset-password', `--matomo-domain=${host}`]);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /Missing --login/);
    });
  });
}

/** Sets a known password through the CLI, so the test does not depend on the order of cases. */
async function currentPassword(root: TestRoot, host: string): Promise<string> {
  const run = await runConsole(root, ['user:reset-password', '--login=admin', '--password=interim-password', `--matomo-domain=${host}`]);
  assert.equal(run.code, 0, run.stderr);
  return 'interim-password';
}
