import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { DatabaseAdapter } from '../../src/db/database-config.js';
import { startServerProcess, type ServerProcess } from '../support/console-process.js';
import { deleteAllTenants, runConsoleJson } from '../support/console-runner.js';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { createTestRoot, uniqueHost } from '../support/test-root.js';

interface CreatedTenant {
  host: string;
  idSite: number;
  tokenAuth: string;
  dbAdapter: DatabaseAdapter;
}

interface SiteRow {
  idsite: string;
  name: string;
  main_url: string;
}

describe('one server:run serving tenants on all three engines', () => {
  const root = createTestRoot();
  const tenants: CreatedTenant[] = [];
  let server: ServerProcess;

  before(async () => {
    for (const adapter of ALL_ENGINES) {
      if (await engineSkip(adapter)) continue;
      const host = uniqueHost(adapter);
      tenants.push(await runConsoleJson<CreatedTenant>(root, [
        'tenant:create', host, `--db-adapter=${adapter}`, `--site-name=Site on ${adapter}`, `--site-url=https://www.${host}`,
      ]));
    }
    server = await startServerProcess(root.dir);
  });

  after(async () => {
    await server?.stop();
    await deleteAllTenants(root);
  });

  // fetch() drops a Host header, so the request goes through node:http, which sends it.
  function listSites(host: string, token: string): Promise<{ status: number; body: unknown }> {
    const form = new URLSearchParams({ module: 'API', method: 'SitesManager.getSitesWithAtLeastViewAccess', format: 'json', token_auth: token }).toString();
    return new Promise((resolvePromise, reject) => {
      const request = httpRequest({
        host: '127.0.0.1', port: server.port, path: '/index.php', method: 'POST',
        headers: { host, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(form) },
      }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
        response.on('end', () => resolvePromise({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
      });
      request.on('error', reject);
      request.end(form);
    });
  }

  it('shows each tenant only its own site', async () => {
    assert.equal(tenants.length, ALL_ENGINES.length);
    for (const tenant of tenants) {
      const { status, body } = await listSites(tenant.host, tenant.tokenAuth);
      assert.equal(status, 200);
      const sites = body as SiteRow[];
      assert.equal(sites.length, 1);
      assert.equal(sites[0]!.idsite, String(tenant.idSite));
      assert.equal(sites[0]!.name, `Site on ${tenant.dbAdapter}`);
      assert.equal(sites[0]!.main_url, `https://www.${tenant.host}`);
    }
  });

  it('rejects the token of one tenant on every other', async () => {
    for (const owner of tenants) {
      for (const other of tenants.filter((candidate) => candidate !== owner)) {
        const { status, body } = await listSites(other.host, owner.tokenAuth);
        assert.equal(status, 401, `${owner.dbAdapter} token on ${other.dbAdapter} tenant`);
        assert.equal((body as { code: string }).code, 'TOKEN_INVALID');
      }
    }
  });
});
