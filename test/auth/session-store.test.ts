import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeSessionToken, createSession, deleteUserSessions, loadSession } from '../../src/auth/session-store.js';
import type { TenantHost } from '../../src/tenancy/tenant-host.js';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { createTestTenant } from '../support/test-root.js';
import { useTestRoot } from '../support/suite-root.js';

const SALT = 'test-salt';

for (const adapter of ALL_ENGINES) {
  describe(`session store on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    const start = new Date('2026-03-01T10:00:00Z');

    const suite = useTestRoot(async (root) => {
      const { host } = await createTestTenant(root, { adapter });
      const db = root.registry.get(host as TenantHost)!.db();
      return { db };
    }, { deleteTenants: true });

    it('finds a live session with its token', async () => {
      const { sessionId, session } = await createSession(suite.db, { tenantKey: 'a.example', salt: SALT, login: 'admin', lifetimeSeconds: 600, clock: () => start });
      const found = await loadSession(suite.db, sessionId, { tenantKey: 'a.example', salt: SALT, clock: () => start });
      assert.deepEqual(found, { login: 'admin', token: session.token, expiresAt: start.getTime() / 1000 + 600, lifetimeSeconds: 600 });
      assert.equal(session.lifetimeSeconds, 600);
      assert.equal(session.token, computeSessionToken(sessionId, SALT));
    });

    it('expires a session at the end of its lifetime', async () => {
      const { sessionId } = await createSession(suite.db, { tenantKey: 'a.example', salt: SALT, login: 'admin', lifetimeSeconds: 600, clock: () => start });
      const justBefore = new Date(start.getTime() + 599_000);
      const atExpiry = new Date(start.getTime() + 600_000);
      assert.notEqual(await loadSession(suite.db, sessionId, { tenantKey: 'a.example', salt: SALT, clock: () => justBefore }), null);
      assert.equal(await loadSession(suite.db, sessionId, { tenantKey: 'a.example', salt: SALT, clock: () => atExpiry }), null);
    });

    it('rejects a session made for another tenant in a shared database', async () => {
      const { sessionId } = await createSession(suite.db, { tenantKey: 'a.example', salt: SALT, login: 'admin', lifetimeSeconds: 600, clock: () => start });
      assert.equal(await loadSession(suite.db, sessionId, { tenantKey: 'b.example', salt: SALT, clock: () => start }), null);
    });

    it('rejects malformed and unknown ids', async () => {
      for (const sessionId of [undefined, '', 'short', `${'x'.repeat(42)}!`, 'A'.repeat(43)]) {
        assert.equal(await loadSession(suite.db, sessionId, { tenantKey: 'a.example', salt: SALT, clock: () => start }), null, String(sessionId));
      }
    });

    it('derives different tokens for different salts', () => {
      const sessionId = 'A'.repeat(43);
      assert.notEqual(computeSessionToken(sessionId, 'salt-one'), computeSessionToken(sessionId, 'salt-two'));
      assert.match(computeSessionToken(sessionId, 'salt-one'), /^[0-9a-f]{32}$/);
    });

    it('deletes expired sessions when a new one is created', async () => {
      await suite.db.deleteFrom('session').execute();
      await createSession(suite.db, { tenantKey: 'a.example', salt: SALT, login: 'old', lifetimeSeconds: 60, clock: () => start });
      const later = new Date(start.getTime() + 61_000);
      await createSession(suite.db, { tenantKey: 'a.example', salt: SALT, login: 'new', lifetimeSeconds: 60, clock: () => later });
      const logins = (await suite.db.selectFrom('session').select('login').execute()).map((row) => row.login);
      assert.deepEqual(logins, ['new']);
    });

    it('deletes every session of one user', async () => {
      await suite.db.deleteFrom('session').execute();
      for (const login of ['admin', 'admin', 'other']) {
        await createSession(suite.db, { tenantKey: 'a.example', salt: SALT, login, lifetimeSeconds: 600, clock: () => start });
      }
      assert.equal(await deleteUserSessions(suite.db, 'admin'), 2);
      const logins = (await suite.db.selectFrom('session').select('login').execute()).map((row) => row.login);
      assert.deepEqual(logins, ['other']);
    });
  });
}
