import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Kysely } from 'kysely';
import { CODE_SCHEMA_VERSION } from '../../src/db/migrations/index.js';
import { TABLE_NAMES, type Database } from '../../src/db/schema.js';
import { DEFAULT_ROW_BATCH_SIZE } from '../../src/db/table-rows.js';
import { buildTenantPaths } from '../../src/tenancy/root-paths.js';
import type { TenantHost } from '../../src/tenancy/tenant-host.js';
import { deleteAllTenants, runConsole, runConsoleJson } from '../support/console-runner.js';
import { deriveTenantDatabaseName } from '../../src/db/database-identifiers.js';
import type { DatabaseAdapter } from '../../src/db/database-config.js';
import { ALL_ENGINES, engineSkip, loadServerDatabaseState } from '../support/engines.js';
import { buildTestServer, createTestRoot, uniqueHost, type TestRoot } from '../support/test-root.js';

interface CreatedTenant {
  host: string;
  idSite: number;
  tokenAuth: string;
}

/** Adds rows of several column types (text, integers, doubles, NULL, binary) to tables beyond sites and users. */
async function addSampleRows(db: Kysely<Database>): Promise<void> {
  await db.insertInto('site_url').values({ idsite: 1, url: 'https://www.alias.example' }).execute();
  await db.insertInto('option').values({ option_name: 'version_core', option_value: 'é ünïcode "quoted" \\ back', autoload: 1 }).execute();
  await db.insertInto('log_action').values([
    { name: 'example.com/home', hash: 3_141_592_653, type: 1, url_prefix: 2 },
    { name: 'Home page', hash: 12_345, type: 4, url_prefix: null },
  ]).execute();
  await db.insertInto('goal').values({
    idsite: 1, idgoal: 1, name: 'Signup', description: '', match_attribute: 'url', pattern: '/thanks', pattern_type: 'contains',
    case_sensitive: 0, allow_multiple: 0, revenue: 12.75, deleted: 0, event_value_as_revenue: 0,
  }).execute();
  await db.insertInto('archive').values({ idsite: 1, period: 1, date1: '2026-01-01', date2: '2026-01-01', segment_hash: '', status: 1, ts_archived: '2026-01-02 00:00:00' }).execute();
  await db.insertInto('archive_numeric').values({ idarchive: 1, name: 'nb_visits', value: 0.1 + 0.2 }).execute();
  await db.insertInto('archive_blob').values({ idarchive: 1, name: 'Actions_actions', value: Buffer.from([...Array(256).keys()]) }).execute();
  // More rows than one read or insert batch (DEFAULT_ROW_BATCH_SIZE), so batching is exercised on every engine.
  const manyActions = Array.from({ length: DEFAULT_ROW_BATCH_SIZE * 2 + 7 }, (_, index) => ({ name: `example.com/page-${index}`, hash: index, type: 1, url_prefix: 0 }));
  await db.insertInto('log_action').values(manyActions).execute();
}

/** Returns every row of every table but `migration`, sorted, so two databases can be compared whole. */
async function loadAllRows(db: Kysely<Database>): Promise<Record<string, unknown[]>> {
  const tables: Record<string, unknown[]> = {};
  for (const table of TABLE_NAMES) {
    if (table === 'migration') continue;
    const rows = await db.selectFrom(table).selectAll().execute();
    tables[table] = rows.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return tables;
}

function tenantDb(root: TestRoot, host: string): Kysely<Database> {
  return root.registry.require(host).db();
}

describe('tenant:export and tenant:import', () => {
  const root = createTestRoot();
  let source: CreatedTenant;
  let archive: string;
  let sourceAdapter: 'mysql' | 'sqlite' = 'mysql';

  before(async () => {
    // The round trip starts on MariaDB; without a MariaDB server it starts on SQLite instead.
    if (await engineSkip('mysql')) sourceAdapter = 'sqlite';
    source = await runConsoleJson<CreatedTenant>(root, ['tenant:create', uniqueHost('exp'), `--db-adapter=${sourceAdapter}`, '--superuser-password=secret-password']);
    await runConsoleJson(root, ['site:add', `--matomo-domain=${source.host}`, '--name=Shop', '--url=https://shop.example', '--timezone=Europe/Paris']);
    await runConsoleJson(root, ['user:create', `--matomo-domain=${source.host}`, '--login=viewer', '--password=viewer-password', '--email=viewer@example.com']);
    await addSampleRows(tenantDb(root, source.host));
    writeFileSync(resolve(buildTenantPaths(root.rootPaths, source.host as TenantHost).filesDir, 'logo.svg'), '<svg/>');
    archive = resolve(root.dir, 'source.footfall.gz');
    const exported = await runConsoleJson<{ schemaVersion: number; files: number }>(root, ['tenant:export', source.host, `--output=${archive}`]);
    assert.equal(exported.schemaVersion, CODE_SCHEMA_VERSION);
    assert.equal(exported.files, 1);
  });
  after(() => deleteAllTenants(root));

  it('leaves the database password out of the archive', () => {
    const password = root.registry.require(source.host).databaseConfig.password;
    const text = gunzipSync(readFileSync(archive)).toString('utf8');
    if (password !== '') assert.equal(text.includes(password), false);
    assert.equal(/^password\s*=/m.test(JSON.parse(text.split('\n')[1]!).text), false);
  });

  it('restores the same sites, users and rows on sqlite', async () => {
    const host = uniqueHost('imp');
    const imported = await runConsoleJson<{ host: string; dbAdapter: string; schemaVersion: number; files: number }>(
      root, ['tenant:import', archive, `--as=${host}`, '--db-adapter=sqlite']);
    assert.deepEqual(imported.host, host);
    assert.equal(imported.dbAdapter, 'sqlite');
    assert.equal(imported.schemaVersion, CODE_SCHEMA_VERSION);

    assert.deepEqual(await loadAllRows(tenantDb(root, host)), await loadAllRows(tenantDb(root, source.host)));
    const siteList = await runConsoleJson<{ idSite: number; name: string }[]>(root, ['site:list', `--matomo-domain=${host}`]);
    assert.deepEqual(siteList.map((site) => [site.idSite, site.name]), [[1, `${source.host}`], [2, 'Shop']]);
    assert.equal(readFileSync(resolve(buildTenantPaths(root.rootPaths, host as TenantHost).filesDir, 'logo.svg'), 'utf8'), '<svg/>');
  });

  it('keeps tokens working under the new host', async () => {
    const host = uniqueHost('tok');
    await runConsoleJson(root, ['tenant:import', archive, `--as=${host}`, '--db-adapter=sqlite']);
    const app = await buildTestServer(root);
    try {
      const response = await app.inject({ url: `/index.php?module=API&method=API.getMatomoVersion&format=json&token_auth=${source.tokenAuth}`, headers: { host } });
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.json(), { value: '5.1.0' });
    } finally {
      await app.close();
    }
  });

  it('restores on postgresql, moving sequences past the imported ids', async (t) => {
    const skip = await engineSkip('pgsql');
    if (skip) return t.skip(skip);
    const host = uniqueHost('seq');
    await runConsoleJson(root, ['tenant:import', archive, `--as=${host}`, '--db-adapter=pgsql']);
    assert.deepEqual(await loadAllRows(tenantDb(root, host)), await loadAllRows(tenantDb(root, source.host)));
    const added = await runConsoleJson<{ idSite: number }>(root, ['site:add', `--matomo-domain=${host}`, '--name=Next', '--url=https://next.example']);
    assert.equal(added.idSite, 3);

    const pgsqlArchive = resolve(root.dir, 'pgsql.footfall.gz');
    await runConsoleJson(root, ['tenant:export', host, `--output=${pgsqlArchive}`]);
    const copy = uniqueHost('copy');
    await runConsoleJson(root, ['tenant:import', pgsqlArchive, `--as=${copy}`, '--db-adapter=sqlite']);
    assert.deepEqual(await loadAllRows(tenantDb(root, copy)), await loadAllRows(tenantDb(root, host)));
  });

  it('refuses a host that exists', async () => {
    const run = await runConsole(root, ['tenant:import', archive]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /already exists/);
  });

  it('rejects an output in a missing folder', async () => {
    const output = resolve(root.dir, 'no-such-folder', 'copy.footfall.gz');
    const run = await runConsole(root, ['tenant:export', source.host, `--output=${output}`]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Invalid --output .*no-such-folder/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'the message comes without a stack trace');
    assert.equal(existsSync(resolve(root.dir, 'no-such-folder')), false);
  });
});

describe('tenant:import of multi-byte text', () => {
  const root = createTestRoot();
  let sourceHost: string;
  let archive: string;
  after(() => deleteAllTenants(root));

  // Each title is 1.1 to 1.3 KB of 1-, 2- and 3-byte UTF-8 characters, and the archive is many
  // times the 16 KiB that gunzip emits per chunk, so some characters are cut at chunk boundaries.
  const titles = Array.from({ length: 200 }, (_, index) => `é漢字${index}`.repeat(120));

  before(async () => {
    sourceHost = uniqueHost('utf');
    await runConsoleJson(root, ['tenant:create', sourceHost, '--db-adapter=sqlite']);
    const rows = titles.map((name, index) => ({ name, hash: index, type: 4, url_prefix: null }));
    await tenantDb(root, sourceHost).insertInto('log_action').values(rows).execute();
    archive = resolve(root.dir, 'multibyte.footfall.gz');
    await runConsoleJson(root, ['tenant:export', sourceHost, `--output=${archive}`]);
  });

  for (const engine of ALL_ENGINES) {
    it(`keeps titles intact on ${engine}`, async (t) => {
      const skip = await engineSkip(engine);
      if (skip !== false) return t.skip(skip);
      const host = uniqueHost(`utf${engine}`);
      await runConsoleJson(root, ['tenant:import', archive, `--as=${host}`, `--db-adapter=${engine}`]);

      const imported = await tenantDb(root, host).selectFrom('log_action').select(['hash', 'name']).orderBy('hash').execute();
      const names = imported.map((row) => row.name);
      assert.equal(names.filter((name) => name.includes('\uFFFD')).length, 0, 'no title contains U+FFFD');
      assert.deepEqual(names, titles);
    });
  }
});

describe('tenant:import of a bad archive', () => {
  const root = createTestRoot();
  after(() => deleteAllTenants(root));

  function writeArchive(records: unknown[]): string {
    const file = resolve(root.dir, `bad-${Math.random().toString(36).slice(2)}.gz`);
    writeFileSync(file, gzipSync(records.map((record) => JSON.stringify(record)).join('\n') + '\n'));
    return file;
  }

  const header = { kind: 'header', format: 'footfall-tenant-export', formatVersion: 1, host: 'bad.example', schemaVersion: CODE_SCHEMA_VERSION, sourceAdapter: 'sqlite', footfallVersion: '0.1.0', exportedAt: '2026-01-01T00:00:00.000Z' };
  const config = { kind: 'config', text: '; <?php exit; ?> DO NOT REMOVE THIS LINE\n[General]\nsalt = "abc"\n' };
  const cases: [name: string, records: unknown[], message: RegExp][] = [
    ['a file path that climbs out', [header, config, { kind: 'file', path: '../../escaped.txt', base64: 'eA==' }, { kind: 'end', files: 1, rows: {} }], /must not contain empty, \. or \.\. segments/],
    ['a file that replaces the database', [header, config, { kind: 'file', path: 'footfall.sqlite', base64: 'eA==' }, { kind: 'end', files: 1, rows: {} }], /not replace its config file or database/],
    ['an unknown table', [header, config, { kind: 'table', name: 'sqlite_master', columns: ['name'] }, { kind: 'end', files: 0, rows: {} }], /unknown table 'sqlite_master'/],
    ['an unknown column', [header, config, { kind: 'table', name: 'site', columns: ['idsite', 'evil'] }, { kind: 'end', files: 0, rows: {} }], /the columns of table site must be among/],
    ['a cut archive', [header, config, { kind: 'table', name: 'option', columns: ['option_name', 'option_value', 'autoload'] }, { kind: 'row', values: ['a', 'b', 1] }], /^Error: Archive '[^']+' is truncated: it ends at line 4, before its end record\. Copy the whole file again, or run tenant:export again\.$/m],
    ['a newer format', [{ ...header, formatVersion: 99 }], /format version '99' is newer/],
  ];

  for (const [name, records, message] of cases) {
    it(`rejects ${name} and leaves nothing behind`, async () => {
      const host = uniqueHost('bad');
      const run = await runConsole(root, ['tenant:import', writeArchive(records), `--as=${host}`]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, message);
      assert.equal(existsSync(buildTenantPaths(root.rootPaths, host as TenantHost).filesDir), false);
      assert.equal(existsSync(resolve(root.dir, 'escaped.txt')), false);
      assert.equal(existsSync(resolve(root.dir, 'misc', 'escaped.txt')), false);
    });
  }
});

describe('tenant:import of a truncated gzip file', () => {
  const root = createTestRoot();
  let archive: Buffer;
  after(() => deleteAllTenants(root));

  before(async () => {
    const host = uniqueHost('whole');
    await runConsoleJson(root, ['tenant:create', host]);
    await addSampleRows(tenantDb(root, host));
    const output = resolve(root.dir, 'whole.footfall.gz');
    await runConsoleJson(root, ['tenant:export', host, `--output=${output}`]);
    archive = readFileSync(output);
  });

  for (const engine of ALL_ENGINES) {
    it(`names the file and line on ${engine}`, async (t) => {
      const skip = await engineSkip(engine as DatabaseAdapter);
      if (skip !== false) return t.skip(skip);
      const file = resolve(root.dir, `cut-${engine}.footfall.gz`);
      writeFileSync(file, archive.subarray(0, Math.floor(archive.length * 0.6)));
      const host = uniqueHost(`cut${engine}`);

      const run = await runConsole(root, ['tenant:import', file, `--as=${host}`, `--db-adapter=${engine}`]);
      assert.equal(run.code, 1, run.stderr);
      const match = new RegExp(`^Error: Archive '${file.replaceAll('.', '\\.')}' is truncated: its gzip data ends after line (\\d+)\\. Copy the whole file again, or run tenant:export again\\.$`, 'm').exec(run.stderr);
      assert.ok(match, run.stderr);
      assert.ok(Number(match[1]) > 2, 'the import got past the config, so it had created a database');
      assert.equal(existsSync(buildTenantPaths(root.rootPaths, host as TenantHost).filesDir), false);
      if (engine !== 'sqlite') {
        assert.deepEqual(await loadServerDatabaseState(engine, deriveTenantDatabaseName(host)), { database: false, user: false });
      }
    });
  }

  it('names the file when the header is cut', async () => {
    const file = resolve(root.dir, 'cut-header.footfall.gz');
    writeFileSync(file, archive.subarray(0, 20));
    const run = await runConsole(root, ['tenant:import', file, `--as=${uniqueHost('cuthead')}`]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, new RegExp(`^Error: Archive '${file.replaceAll('.', '\\.')}' is truncated: its gzip data ends after line 0\\.`, 'm'));
  });

  it('names the file of damaged gzip data', async () => {
    const file = resolve(root.dir, 'damaged.footfall.gz');
    const damaged = Buffer.from(archive);
    damaged.fill(0xff, 40, 80);
    writeFileSync(file, damaged);
    const run = await runConsole(root, ['tenant:import', file, `--as=${uniqueHost('damaged')}`]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, new RegExp(`^Error: Archive '${file.replaceAll('.', '\\.')}' is damaged after line \\d+: its gzip data is invalid \\(`, 'm'));
  });
});

describe('tenant:import of a file that is not gzip', () => {
  const root = createTestRoot();
  after(() => deleteAllTenants(root));

  it('names the file', async () => {
    const file = resolve(root.dir, 'plain.footfall');
    writeFileSync(file, '{"kind":"header"}\n');
    const run = await runConsole(root, ['tenant:import', file, `--as=${uniqueHost('plain')}`]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, new RegExp(`^Error: Archive '${file.replaceAll('.', '\\.')}' is not a gzip file \\(incorrect header check\\)\\. Use a file written by tenant:export\\.$`, 'm'));
  });
});
