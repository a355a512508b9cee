import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readEnvironment } from '../../src/config/environment.js';
import { deriveTenantDatabaseName } from '../../src/db/database-identifiers.js';
import { deleteAllTenants, runConsole, runConsoleJson } from '../support/console-runner.js';
import { asMariadbRoot, asPostgresSuperuser, engineSkip, loadServerDatabaseState } from '../support/engines.js';
import { createTestRoot, TEST_ADMIN, uniqueHost, type TestRoot } from '../support/test-root.js';

const CODE_ROOT = readEnvironment({}).codeRoot;

/** Returns the comment lines of `[section]` in config/global.ini.php, without their leading `;`. */
function readGlobalIniComments(section: string): string[] {
  const text = readFileSync(resolve(CODE_ROOT, 'config', 'global.ini.php'), 'utf8');
  const start = text.indexOf(`[${section}]`);
  assert.ok(start >= 0, `global.ini.php has no [${section}]`);
  const end = text.indexOf('\n[', start + 1);
  return text.slice(start, end < 0 ? undefined : end).split('\n')
    .filter((line) => line.startsWith(';')).map((line) => line.slice(1).trim());
}

/** Returns the SQL statements that global.ini.php gives for the admin user, with its name and password replaced. */
function readAdminStatements(section: string, prefix: RegExp, login: string, password: string): string[] {
  return readGlobalIniComments(section).filter((line) => prefix.test(line))
    .map((line) => line.replaceAll('footfall_admin', login).replace("'...'", `'${password}'`));
}

/** Returns a common config whose admin connection of `section` logs in as `login`. */
function commonConfigFor(section: 'database_admin_mysql' | 'database_admin_pgsql', login: string, password: string): string {
  const server = section === 'database_admin_mysql' ? TEST_ADMIN.mysql : TEST_ADMIN.pgsql;
  return [
    '; <?php exit; ?> DO NOT REMOVE THIS LINE', `[${section}]`,
    `host = "${server.host}"`, `port = ${server.port}`, `username = "${login}"`, `password = "${password}"`,
    '[General]', 'password_hash_cost = 4', '',
  ].join('\n');
}

/** Creates a tenant with the console, deletes it again, and checks that its database and user are gone. */
async function createAndDeleteTenant(root: TestRoot, adapter: 'mysql' | 'pgsql'): Promise<void> {
  const host = uniqueHost(`adm${adapter}`);
  const created = await runConsoleJson<{ dbAdapter: string }>(root, ['tenant:create', host, `--db-adapter=${adapter}`]);
  assert.equal(created.dbAdapter, adapter);
  const sites = await runConsoleJson<unknown[]>(root, ['site:list', `--matomo-domain=${host}`]);
  assert.equal(sites.length, 1);

  const deleted = await runConsole(root, ['tenant:delete', host, '--force']);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.doesNotMatch(deleted.stderr, /was kept/);
  assert.deepEqual(await loadServerDatabaseState(adapter, deriveTenantDatabaseName(host)), { database: false, user: false });
}

describe('admin privileges in global.ini.php', () => {
  it('gives the MariaDB grants of operations.md', () => {
    const operations = readFileSync(resolve(CODE_ROOT, 'docs', 'operations.md'), 'utf8');
    const documented = [...operations.matchAll(/^GRANT .*?;?$/gm)].map((match) => match[0].replace(/;$/, ''));
    assert.equal(documented.length, 2, 'operations.md lists two GRANT statements');
    const comments = readGlobalIniComments('database_admin_mysql');
    for (const statement of documented) assert.ok(comments.includes(statement), `global.ini.php lacks: ${statement}`);
  });

  it('gives the PostgreSQL role of operations.md', () => {
    const operations = readFileSync(resolve(CODE_ROOT, 'docs', 'operations.md'), 'utf8');
    assert.match(operations, /CREATE ROLE footfall_admin LOGIN PASSWORD '\.\.\.' CREATEDB CREATEROLE/);
    assert.ok(readGlobalIniComments('database_admin_pgsql').includes("CREATE ROLE footfall_admin LOGIN PASSWORD '...' CREATEDB CREATEROLE"));
  });
});

describe('MariaDB admin with the documented grants', () => {
  const login = `ffadm_${process.pid.toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const password = 'admin-password';
  const root = createTestRoot({ commonConfig: commonConfigFor('database_admin_mysql', login, password) });
  let skip: false | string = false;

  before(async () => {
    skip = await engineSkip('mysql');
    if (skip !== false) return;
    const grants = readAdminStatements('database_admin_mysql', /^GRANT /, login, password);
    assert.equal(grants.length, 2, 'global.ini.php gives two GRANT statements');
    await asMariadbRoot([`CREATE USER '${login}'@'127.0.0.1' IDENTIFIED BY '${password}'`, ...grants]);
  });
  after(async () => {
    await deleteAllTenants(root);
    if (skip === false) await asMariadbRoot([`DROP USER IF EXISTS '${login}'@'127.0.0.1'`]);
  });

  it('creates and deletes a tenant', async (t) => {
    if (skip !== false) return t.skip(skip);
    await createAndDeleteTenant(root, 'mysql');
  });
});

describe('PostgreSQL admin with the documented role', () => {
  const login = `ffadm_${process.pid.toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const password = 'admin-password';
  const root = createTestRoot({ commonConfig: commonConfigFor('database_admin_pgsql', login, password) });
  let skip: false | string = false;

  before(async () => {
    skip = await engineSkip('pgsql');
    if (skip !== false) return;
    const statements = readAdminStatements('database_admin_pgsql', /^CREATE ROLE /, login, password);
    assert.equal(statements.length, 1, 'global.ini.php gives one CREATE ROLE statement');
    await asPostgresSuperuser(statements[0]!);
  });
  after(async () => {
    await deleteAllTenants(root);
    if (skip === false) await asPostgresSuperuser(`DROP ROLE IF EXISTS ${login}`);
  });

  it('creates and deletes a tenant', async (t) => {
    if (skip !== false) return t.skip(skip);
    await createAndDeleteTenant(root, 'pgsql');
  });
});

/** Returns a port on 127.0.0.1 that nothing listens on, by binding a free port and closing it again. */
async function findClosedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolvePromise) => server.listen(0, '127.0.0.1', resolvePromise));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
  return port;
}

describe('admin connection that cannot connect', () => {
  for (const adapter of ['mysql', 'pgsql'] as const) {
    it(`names [database_admin_${adapter}] and the file`, async () => {
      const port = await findClosedPort();
      const root = createTestRoot({
        commonConfig: [
          '; <?php exit; ?> DO NOT REMOVE THIS LINE', `[database_admin_${adapter}]`,
          'host = "127.0.0.1"', `port = ${port}`, 'username = "footfall_admin"', 'password = "admin-password"', '',
        ].join('\n'),
      });
      try {
        const run = await runConsole(root, ['tenant:create', uniqueHost('noconn'), `--db-adapter=${adapter}`]);
        assert.equal(run.code, 1, run.stderr);
        const engine = adapter === 'mysql' ? 'MariaDB/MySQL' : 'PostgreSQL';
        assert.match(run.stderr, new RegExp(`^Error: Failed to connect to ${engine.replace('/', '\\/')} as the admin user of \\[database_admin_${adapter}\\] \\(footfall_admin at 127\\.0\\.0\\.1:${port}\\): `, 'm'));
        assert.match(run.stderr, new RegExp(`ECONNREFUSED 127\\.0\\.0\\.1:${port}`));
        assert.match(run.stderr, new RegExp(`host, port, username and password of \\[database_admin_${adapter}\\] in config/common\\.config\\.ini\\.php`));
        assert.deepEqual(root.registry.listHosts(), []);
      } finally {
        await deleteAllTenants(root);
      }
    });
  }
});

describe('MariaDB admin without privileges on ff%', () => {
  const login = `ffold_${process.pid.toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const password = 'admin-password';
  const root = createTestRoot({ commonConfig: commonConfigFor('database_admin_mysql', login, password) });
  let skip: false | string = false;

  before(async () => {
    skip = await engineSkip('mysql');
    if (skip !== false) return;
    await asMariadbRoot([
      `CREATE USER '${login}'@'127.0.0.1' IDENTIFIED BY '${password}'`,
      `GRANT CREATE, DROP, CREATE USER ON *.* TO '${login}'@'127.0.0.1' WITH GRANT OPTION`,
    ]);
  });
  after(async () => {
    await deleteAllTenants(root);
    if (skip === false) await asMariadbRoot([`DROP USER IF EXISTS '${login}'@'127.0.0.1'`]);
  });

  it('lists the grants it needs', async (t) => {
    if (skip !== false) return t.skip(skip);
    const host = uniqueHost('nogrant');
    const run = await runConsole(root, ['tenant:create', host, '--db-adapter=mysql']);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, new RegExp(`^Error: The admin user ${login} of \\[database_admin_mysql\\] lacks a privilege on MariaDB/MySQL: Access denied for user`, 'm'));
    assert.match(run.stderr, /It needs CREATE USER on \*\.\* and ALL PRIVILEGES on `ff%`\.\* WITH GRANT OPTION/);
    assert.match(run.stderr, /docs\/operations\.md gives the GRANT statements\./);
    assert.deepEqual(await loadServerDatabaseState('mysql', deriveTenantDatabaseName(host)), { database: false, user: false });
  });
});

describe('PostgreSQL admin without CREATEROLE', () => {
  const login = `ffold_${process.pid.toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const password = 'admin-password';
  const root = createTestRoot({ commonConfig: commonConfigFor('database_admin_pgsql', login, password) });
  let skip: false | string = false;

  before(async () => {
    skip = await engineSkip('pgsql');
    if (skip !== false) return;
    await asPostgresSuperuser(`CREATE ROLE ${login} LOGIN PASSWORD '${password}' CREATEDB`);
  });
  after(async () => {
    await deleteAllTenants(root);
    if (skip === false) await asPostgresSuperuser(`DROP ROLE IF EXISTS ${login}`);
  });

  it('lists the attributes it needs', async (t) => {
    if (skip !== false) return t.skip(skip);
    const host = uniqueHost('norole');
    const run = await runConsole(root, ['tenant:create', host, '--db-adapter=pgsql']);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, new RegExp(`^Error: The admin user ${login} of \\[database_admin_pgsql\\] lacks a privilege on PostgreSQL: permission denied to create role`, 'm'));
    assert.match(run.stderr, new RegExp(`It needs CREATEDB and CREATEROLE: run ALTER ROLE ${login} CREATEDB CREATEROLE as a superuser\\.`));
    assert.deepEqual(await loadServerDatabaseState('pgsql', deriveTenantDatabaseName(host)), { database: false, user: false });
  });
});
