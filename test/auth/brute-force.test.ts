import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { createCapturedTenantServer, postLogin } from '../support/session-server.js';
import { useTestRoot } from '../support/suite-root.js';

for (const adapter of ALL_ENGINES) {
  describe(`sign-in brute-force guard on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    let now = new Date('2026-03-01T10:00:00Z');

    const suite = useTestRoot((root) => createCapturedTenantServer(root, { adapter, clock: () => now }), { deleteTenants: true });

    it('rejects and logs after five failures', async () => {
      const statuses: number[] = [];
      for (let attempt = 1; attempt <= 5; attempt += 1) {
        statuses.push((await postLogin(suite.server.app, suite.host, 'admin', `wrong-${attempt}`, '198.51.100.9')).statusCode);
      }
      assert.deepEqual(statuses, [401, 401, 401, 401, 401]);

      const blocked = await postLogin(suite.server.app, suite.host, 'admin', 'secret-password', '198.51.100.9');
      assert.equal(blocked.statusCode, 429);
      assert.equal(blocked.json().code, 'LOGIN_BLOCKED');
      assert.equal(blocked.headers['retry-after'], '900');
      assert.equal(blocked.headers['set-cookie'], undefined);

      const lines = suite.server.logLines();
      const blockLines = lines.filter((line) => line.msg === 'sign-in blocked');
      assert.equal(blockLines.length, 1);
      assert.equal(blockLines[0]!.login, 'admin');
      assert.equal(blockLines[0]!.loginFailures, 5);
      assert.equal(blockLines[0]!.ipFailures, 5);
      assert.equal(blockLines[0]!.level, 40);
      assert.equal(lines.filter((line) => line.msg === 'sign-in failed').length, 4);
    });

    it('never writes a password or the IP address to the log', () => {
      const text = suite.server.logLines().map((line) => JSON.stringify(line)).join('\n');
      assert.doesNotMatch(text, /wrong-\d/);
      assert.doesNotMatch(text, /secret-password/);
      assert.doesNotMatch(text, /198\.51\.100\.9/);
    });

    it('blocks the login from another address too', async () => {
      const response = await postLogin(suite.server.app, suite.host, 'admin', 'secret-password', '203.0.113.4');
      assert.equal(response.statusCode, 429);
    });

    it('blocks the address for another login too', async () => {
      const response = await postLogin(suite.server.app, suite.host, 'someone-else', 'anything', '198.51.100.9');
      assert.equal(response.statusCode, 429);
    });

    it('lets the user in again once the failures leave the window', async () => {
      now = new Date(now.getTime() + 901 * 1000);
      const response = await postLogin(suite.server.app, suite.host, 'admin', 'secret-password', '198.51.100.9');
      assert.equal(response.statusCode, 200);
    });
  });

  describe(`token creation brute-force guard on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    const now = new Date('2026-03-01T10:00:00Z');
    const suite = useTestRoot((root) => createCapturedTenantServer(root, { adapter, clock: () => now }), { deleteTenants: true });

    function createToken(password: string, remoteAddress: string, userLogin = 'admin') {
      return suite.server.app.inject({
        method: 'POST', url: '/index.php', remoteAddress, headers: { host: suite.host, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          module: 'API', method: 'UsersManager.createAppSpecificTokenAuth', format: 'json', userLogin, passwordConfirmation: password, description: 'guessing',
        }).toString(),
      });
    }

    it('blocks the password after five failures', async () => {
      const codes: string[] = [];
      for (let attempt = 1; attempt <= 5; attempt += 1) codes.push((await createToken(`wrong-${attempt}`, '198.51.100.50')).json().code);
      assert.deepEqual(codes, Array(5).fill('PASSWORD_INCORRECT'));

      const blocked = await createToken('secret-password', '198.51.100.50');
      assert.equal(blocked.statusCode, 429);
      assert.equal(blocked.json().code, 'LOGIN_BLOCKED');
      assert.equal(blocked.headers['retry-after'], '900');
      assert.match(blocked.json().message, /Try again in 15 minutes/);
      assert.doesNotMatch(blocked.body, /"value"/);
      assert.equal(suite.server.logLines().filter((line) => line.msg === 'token creation blocked').length, 1);
    });

    it('shares its count with sign-in', async () => {
      const response = await postLogin(suite.server.app, suite.host, 'admin', 'secret-password', '203.0.113.60');
      assert.equal(response.statusCode, 429);
    });

    it('counts an email address as its login', async () => {
      const response = await createToken('secret-password', '203.0.113.61', `admin@${suite.host}`);
      assert.equal(response.statusCode, 429);
    });
  });

  describe(`password confirmation brute-force guard on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    let now = new Date('2026-03-01T10:00:00Z');
    const suite = useTestRoot((root) => createCapturedTenantServer(root, { adapter, clock: () => now }), { deleteTenants: true });

    function grantSuperuser(password: string, format = 'json') {
      return suite.server.app.inject({
        method: 'POST', url: '/index.php', remoteAddress: '198.51.100.70', headers: { host: suite.host, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          module: 'API', method: 'UsersManager.setSuperUserAccess', format, userLogin: 'admin', hasSuperUserAccess: '1',
          passwordConfirmation: password, token_auth: suite.tokenAuth,
        }).toString(),
      });
    }

    it('blocks the caller after five failures', async () => {
      const codes: string[] = [];
      for (let attempt = 1; attempt <= 5; attempt += 1) codes.push((await grantSuperuser(`wrong-${attempt}`)).json().code);
      assert.deepEqual(codes, Array(5).fill('PASSWORD_INCORRECT'));

      const blocked = await grantSuperuser('secret-password');
      assert.equal(blocked.statusCode, 429);
      assert.equal(blocked.json().code, 'LOGIN_BLOCKED');
      assert.equal(blocked.headers['retry-after'], '900');
    });

    it('counts Retry-After down in XML', async () => {
      now = new Date(now.getTime() + 300 * 1000);
      const blocked = await grantSuperuser('secret-password', 'xml');
      assert.equal(blocked.statusCode, 429);
      assert.match(blocked.body, /code="LOGIN_BLOCKED"/);
      assert.equal(blocked.headers['retry-after'], '600');
    });

    it('omits Retry-After after the block', async () => {
      now = new Date(now.getTime() + 601 * 1000);
      const wrong = await grantSuperuser('wrong-again');
      assert.equal(wrong.statusCode, 401);
      assert.equal(wrong.json().code, 'PASSWORD_INCORRECT');
      assert.equal(wrong.headers['retry-after'], undefined);
    });
  });

  describe(`brute-force guard under concurrency on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    const suite = useTestRoot((root) => createCapturedTenantServer(root, { adapter }), { deleteTenants: true });

    function guessToken(password: string) {
      return suite.server.app.inject({
        method: 'POST', url: '/index.php', remoteAddress: '198.51.100.81', headers: { host: suite.host, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          module: 'API', method: 'UsersManager.createAppSpecificTokenAuth', format: 'json', userLogin: `admin@${suite.host}`, passwordConfirmation: password, description: 'race',
        }).toString(),
      });
    }

    it('checks concurrent sign-ins up to the limit', async () => {
      const attempts = Array.from({ length: 20 }, (_, index) => postLogin(suite.server.app, suite.host, 'someone', `wrong-${index}`, '198.51.100.80'));
      const statuses = (await Promise.all(attempts)).map((response) => response.statusCode);
      assert.ok(statuses.filter((status) => status === 401).length <= 5, statuses.join(','));
      assert.equal(statuses.filter((status) => status === 401).length + statuses.filter((status) => status === 429).length, 20, statuses.join(','));
    });

    it('checks concurrent token guesses up to the limit', async () => {
      const responses = await Promise.all(Array.from({ length: 19 }, (_, index) => guessToken(`wrong-${index}`)));
      const codes = responses.map((response) => (response.json() as { code?: string }).code);
      let checked = codes.filter((code) => code === 'PASSWORD_INCORRECT').length;
      assert.ok(checked <= 5, codes.join(','));

      // Attempts over the limit were not checked, so they do not count: five checks in all.
      while (checked < 10 && (await guessToken(`later-${checked}`)).json().code === 'PASSWORD_INCORRECT') checked += 1;
      assert.equal(checked, 5);
      const right = await guessToken('secret-password');
      assert.equal(right.statusCode, 429);
      assert.equal(right.json().code, 'LOGIN_BLOCKED');
    });
  });

  describe(`sign-in brute-force guard behind a proxy on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    const suite = useTestRoot((root) => {
      const commonConfig = '\n[General]\nproxy_ips[] = "127.0.0.1"\nproxy_client_headers[] = "X-Forwarded-For"\n';
      return createCapturedTenantServer(root, { adapter, commonConfig });
    }, { deleteTenants: true });

    function postViaProxy(login: string, forwardedFor: string) {
      return suite.server.app.inject({
        method: 'POST', url: '/login', remoteAddress: '127.0.0.1', headers: { host: suite.host, 'x-forwarded-for': forwardedFor },
        payload: { login, password: 'wrong-password' },
      });
    }

    it('counts failures per forwarded client address', async () => {
      for (let attempt = 1; attempt <= 5; attempt += 1) {
        assert.equal((await postViaProxy(`guess-${attempt}`, '198.51.100.20')).statusCode, 401);
      }
      assert.equal((await postViaProxy('guess-6', '198.51.100.20')).statusCode, 429);
      assert.equal((await postViaProxy('guess-7', '198.51.100.21')).statusCode, 401);
    });

    it('ignores addresses a client puts before its own', async () => {
      for (let attempt = 1; attempt <= 5; attempt += 1) {
        assert.equal((await postViaProxy(`spoof-${attempt}`, `203.0.113.${attempt}, 198.51.100.30`)).statusCode, 401);
      }
      assert.equal((await postViaProxy('spoof-6', '203.0.113.6, 198.51.100.30')).statusCode, 429);
    });

    it('skips trusted proxies at the end of the list', async () => {
      for (let attempt = 1; attempt <= 5; attempt += 1) {
        assert.equal((await postViaProxy(`chain-${attempt}`, '198.51.100.40, 127.0.0.1')).statusCode, 401);
      }
      assert.equal((await postViaProxy('chain-6', '198.51.100.40')).statusCode, 429);
    });
  });
}
