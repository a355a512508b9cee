import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deleteAllTenants, runConsole, runConsoleJson } from '../support/console-runner.js';
import { buildTestServer, createTestRoot, uniqueHost } from '../support/test-root.js';

const DATE_TIME_PATTERN = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

describe('site:add and site:list', () => {
  const root = createTestRoot();
  const host = uniqueHost('site');
  const domain = `--matomo-domain=${host}`;
  before(async () => {
    await runConsoleJson(root, ['tenant:create', host, '--site-name=First', `--site-url=https://${host}`]);
  });
  after(() => deleteAllTenants(root));

  it('adds a site and prints it as JSON', async () => {
    const added = await runConsoleJson<Record<string, unknown>>(root, ['site:add', domain, '--name=Shop', '--url=https://shop.example/', '--timezone=Europe/Paris']);
    assert.match(String(added.created), DATE_TIME_PATTERN);
    assert.deepEqual({ ...added, created: undefined }, {
      idSite: 2, name: 'Shop', mainUrl: 'https://shop.example', urls: ['https://shop.example'], timezone: 'Europe/Paris', currency: 'USD', created: undefined,
    });
  });

  it('lists every site as JSON and as text', async () => {
    const listed = await runConsoleJson<Record<string, unknown>[]>(root, ['site:list', domain]);
    assert.deepEqual(listed.map(({ created, ...site }) => site), [
      { idSite: 1, name: 'First', mainUrl: `https://${host}`, urls: [`https://${host}`], timezone: 'UTC', currency: 'USD' },
      { idSite: 2, name: 'Shop', mainUrl: 'https://shop.example', urls: ['https://shop.example'], timezone: 'Europe/Paris', currency: 'USD' },
    ]);
    const text = await runConsole(root, ['site:list', domain]);
    assert.equal(text.stdout, `1\tFirst\thttps://${host}\tUTC\n2\tShop\thttps://shop.example\tEurope/Paris\n`);
  });

  it('rejects an unknown time zone', async () => {
    const run = await runConsole(root, ['site:add', domain, '--name=Bad', '--url=https://bad.example', '--timezone=Mars/Olympus']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Invalid time zone 'Mars\/Olympus'/);
  });

  it('rejects a missing --url as a usage error', async () => {
    const run = await runConsole(root, ['site:add', domain, '--name=NoUrl']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Missing --url/);
  });

  for (const flag of ['--matomo-domain', '--domain']) {
    it(`rejects empty ${flag} as usage error`, async () => {
      const run = await runConsole(root, ['site:list', `${flag}=`]);
      assert.equal(run.code, 2);
      assert.match(run.stderr, new RegExp(`^Error: Missing value of ${flag}\\. Pass ${flag}=HOST`, 'm'));
      assert.doesNotMatch(run.stderr, /Host header/);
    });
  }
});

describe('user:create and user:token', () => {
  const root = createTestRoot();
  const host = uniqueHost('user');
  const domain = `--matomo-domain=${host}`;
  before(async () => {
    await runConsoleJson(root, ['tenant:create', host]);
  });
  after(() => deleteAllTenants(root));

  it('creates a superuser and prints it as JSON', async () => {
    const created = await runConsoleJson<Record<string, unknown>>(root, ['user:create', domain, '--login=ops', '--password=ops-password', '--email=ops@example.com', '--superuser']);
    assert.match(String(created.dateRegistered), DATE_TIME_PATTERN);
    assert.deepEqual({ ...created, dateRegistered: undefined }, { login: 'ops', email: 'ops@example.com', superuser: true, dateRegistered: undefined });
  });

  it('prints a new token once that authenticates the user', async () => {
    const json = await runConsoleJson<{ login: string; tokenAuth: string }>(root, ['user:token', domain, '--login=ops']);
    assert.equal(json.login, 'ops');
    assert.match(json.tokenAuth, /^[0-9a-f]{32}$/);
    const text = await runConsole(root, ['user:token', domain, '--login=ops']);
    assert.match(text.stdout, /^[0-9a-f]{32}\n$/);
    assert.notEqual(text.stdout.trim(), json.tokenAuth);

    const app = await buildTestServer(root);
    try {
      for (const token of [json.tokenAuth, text.stdout.trim()]) {
        const response = await app.inject({ url: `/index.php?module=API&method=API.getMatomoVersion&format=json&token_auth=${token}`, headers: { host } });
        assert.equal(response.statusCode, 200);
      }
    } finally {
      await app.close();
    }
  });

  it('rejects a login that is taken', async () => {
    const run = await runConsole(root, ['user:create', domain, '--login=ops', '--password=other-password', '--email=other@example.com']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /A user with login 'ops' or email 'other@example.com' already exists/);
  });

  it('rejects a token for an unknown user', async () => {
    const run = await runConsole(root, ['user:token', domain, '--login=ghost']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /User 'ghost' not found/);
  });

  it('rejects a missing --email as a usage error', async () => {
    const run = await runConsole(root, ['user:create', domain, '--login=noemail', '--password=secret-password']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Missing --email/);
  });
});
