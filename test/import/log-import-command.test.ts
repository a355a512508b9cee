import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { detectLogFormat } from '../../src/import/format-registry.js';
import { HitBuilder } from '../../src/import/hit-builder.js';
import { MAX_LINE_LENGTH } from '../../src/import/log-file-reader.js';
import { IMPORT_WRITE_BATCH_MAX_HITS, LogImporter } from '../../src/import/log-importer.js';
import { buildFixedSiteResolver } from '../../src/import/site-resolver.js';
import { createSilentLogger } from '../../src/logging.js';
import { parseTenantHost } from '../../src/tenancy/tenant-host.js';
import { DeviceDetection } from '../../src/tracking/device-detection.js';
import type { Tenant } from '../../src/tenancy/tenant.js';
import { TrackingPipeline } from '../../src/tracking/tracking-pipeline.js';
import { deleteAllTenants } from '../support/console-runner.js';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { accessLog, REPOSITORY_ROOT, runLogImport } from '../support/log-import.js';
import { createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';
import { editConfigFile, tenantConfigFile } from '../support/tenant-config.js';
import { countRows, tenantDb } from '../support/tracking.js';

/** Maximum milliseconds of one console run, so a hanging run fails the test. */
const CONSOLE_TIMEOUT_MS = 60_000;

interface ConsoleRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `./console` with FOOTFALL_ROOT set to the test root, feeding `stdin`. */
function runConsole(root: TestRoot, args: string[], stdin = ''): Promise<ConsoleRun> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(resolve(REPOSITORY_ROOT, 'console'), args, {
      env: { ...process.env, FOOTFALL_ROOT: root.dir }, timeout: CONSOLE_TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';

function combinedLine(host: string, path: string, status = 200, time = '10/Feb/2012:16:42:07 -0500', userAgent = FIREFOX, ip = '1.2.3.4'): string {
  return `${host} ${ip} - - [${time}] "GET ${path} HTTP/1.1" ${status} 100 "https://news.example.net/item" "${userAgent}"`;
}

/**
 * Builds a LogImporter for site 1 of a tenant that sends its hits to `pipeline`, as
 * log:import does, with the batch sizes of `options`.
 */
async function createImporter(
  tenant: Tenant, pipeline: TrackingPipeline, devices: DeviceDetection, options: { batchSize?: number; maxBatchesInFlight?: number } = {},
): Promise<LogImporter> {
  const builder = new HitBuilder(
    { enableStatic: false, enableBots: false, enableHttpErrors: false, enableHttpRedirects: false, replayTracking: false, excludePaths: [] },
    await buildFixedSiteResolver(tenant.db(), 1, tenant.host), devices,
  );
  return new LogImporter(
    { tenant, pipeline, owner: { login: 'admin', superuser: true, roles: new Map() }, now: () => new Date() },
    builder, { timezone: 'UTC', ...options },
  );
}

describe('log:import command', () => {
  let root: TestRoot;

  before(() => {
    root = createTestRoot();
  });

  after(async () => {
    await root.cleanup();
  });

  test('summary lists skip reasons and invalid lines', async () => {
    const tenant = await createTestTenant(root);
    const run = await runConsole(root, ['log:import', accessLog('iis_custom.log'), accessLog('incapsula_w3c.log'), '--idsite=1', `--matomo-domain=${tenant.host}`]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Imported 2 of 16 lines in [0-9.]+s \([0-9]+ lines\/s\)\.$/m);
    assert.match(run.stdout, /^Skipped 2 lines:\n {2}http_error: 1\n {2}http_redirect: 1$/m);
    assert.match(run.stdout, /^Invalid 1 lines:\n {2}incapsula_w3c\.log:6: missing status field$/m);
    assert.match(run.stdout, /^Passed over 11 header, comment and blank lines\.$/m);
  });

  test('missing idsite exits with usage code', async () => {
    const tenant = await createTestTenant(root);
    const run = await runConsole(root, ['log:import', accessLog('common.log'), `--matomo-domain=${tenant.host}`]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Missing --idsite/);
  });

  test('unknown idsite names tenant and site:list', async () => {
    const tenant = await createTestTenant(root);
    const run = await runConsole(root, ['log:import', accessLog('common.log'), '--idsite=99', `--matomo-domain=${tenant.host}`]);
    assert.equal(run.code, 1);
    assert.ok(run.stderr.includes(`Site 99 not found in tenant ${tenant.host}.`), run.stderr);
    assert.ok(run.stderr.includes(`Run ./console site:list --matomo-domain=${tenant.host} to see its sites.`), run.stderr);

    await assert.rejects(buildFixedSiteResolver(tenantDb(root, tenant.host), 99, null), {
      code: 'SITE_NOT_FOUND',
      message: 'Site 99 not found in the single-tenant install. Run ./console site:list to see its sites.',
    });
  });

  test('vhost may end in a dot', async () => {
    const tenant = await createTestTenant(root, { siteUrl: 'https://shop.alpha.test' });
    const path = resolve(root.dir, 'trailing-dot.log');
    const hosts = ['shop.alpha.test.', 'SHOP.ALPHA.TEST:8080', 'shop.alpha.test.:443', 'www.shop.alpha.test.'];
    writeFileSync(path, hosts.map((host, index) => `${host} 1.2.3.4 - - [10/Feb/2012:16:42:07 -0500] "GET /p${index} HTTP/1.1" 200 100`).join('\n'));
    const result = await runLogImport(root, tenant.host, [path], { idsiteByHost: true, logFormat: 'common_vhost', dryRun: true });
    assert.deepEqual(result, { imported: 4, skipped: {}, invalid: 0, invalidLines: [], invalidReasons: [] });
    assert.equal(detectLogFormat([`shop.alpha.test. 1.2.3.4 - - [10/Feb/2012:16:42:07 -0500] "GET / HTTP/1.1" 200 100`])?.name, 'common_vhost');
  });

  test('unknown log format name exits with usage code', async () => {
    const tenant = await createTestTenant(root);
    const run = await runConsole(root, ['log:import', accessLog('common.log'), '--idsite=1', '--log-format=apache2', `--matomo-domain=${tenant.host}`]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Invalid --log-format 'apache2'/);
  });

  test('unreadable files fail the import', async () => {
    const tenant = await createTestTenant(root);
    const missing = resolve(root.dir, 'missing.log');
    const corrupt = resolve(root.dir, 'corrupt.log.bz2');
    writeFileSync(corrupt, 'not bzip2 data');
    await assert.rejects(runLogImport(root, tenant.host, [missing], { idsite: '1' }), { code: 'LOG_FILE_UNREADABLE' });
    await assert.rejects(runLogImport(root, tenant.host, [corrupt], { idsite: '1' }), { code: 'LOG_FILE_UNREADABLE' });
  });

  test('stopped import prints its summary', async () => {
    const tenant = await createTestTenant(root);
    const first = resolve(root.dir, 'before-truncated.log');
    writeFileSync(first, [combinedLine('www.example.com', '/first-a'), combinedLine('www.example.com', '/first-b.css')].join('\n'));
    const lines = Array.from({ length: 3000 }, (_, index) => combinedLine('www.example.com', `/cut-${index}`));
    const compressed = gzipSync(lines.join('\n'));
    const truncated = resolve(root.dir, 'truncated.log.gz');
    writeFileSync(truncated, compressed.subarray(0, Math.floor(compressed.length / 2)));

    const run = await runConsole(root, ['log:import', first, truncated, '--idsite=1', `--matomo-domain=${tenant.host}`]);
    assert.equal(run.code, 1, run.stderr);
    const stop = /Error: Cannot read '.*truncated\.log\.gz' after line (\d+): the gzip file ends early\. (\d+) of its first \1 lines were imported\. The hits imported so far stay stored\. Once the cause is fixed, run the same command with --skip=(\d+) to import the rest without duplicates\./
      .exec(run.stderr);
    assert.ok(stop, run.stderr);
    const [, linesRead, importedOfFile, skip] = stop.map(Number);
    assert.ok(linesRead! > 0, `read ${linesRead} lines`);
    assert.ok(linesRead! < 3000, `read ${linesRead} lines`);
    assert.equal(importedOfFile, linesRead);
    assert.equal(skip, 2 + linesRead!);
    assert.match(run.stdout, new RegExp(`^Imported ${1 + linesRead!} of ${2 + linesRead!} lines in `, 'm'));
    assert.match(run.stdout, /^Skipped 1 lines:\n {2}static: 1$/m);
    assert.equal(await countRows(tenantDb(root, tenant.host), 'log_link_visit_action'), 1 + linesRead!);
  });

  test('skip keeps the W3C field header', async () => {
    const tenant = await createTestTenant(root);
    const path = resolve(root.dir, 'skip-w3c.log');
    writeFileSync(path, [
      '#Software: Microsoft Internet Information Services 10.0',
      '#Fields: date time c-ip cs-method cs-uri-stem sc-status',
      ...[1, 2, 3, 4].map((minute) => `2012-02-10 16:0${minute}:00 1.2.3.4 GET /w3c-${minute} 200`),
    ].join('\n'));
    const result = await runLogImport(root, tenant.host, [path], { idsite: '1', skip: '4', dryRun: true });
    assert.deepEqual(result, { imported: 2, skipped: {}, invalid: 0, invalidLines: [], invalidReasons: [] });
    await assert.rejects(runLogImport(root, tenant.host, [path], { idsite: '1', skip: '-1' }), { code: 'PARAMETER_INVALID', message: "Invalid --skip '-1'. Use a number of lines, such as 5000." });
  });

  test('missing file exits with failure code', async () => {
    const tenant = await createTestTenant(root);
    const run = await runConsole(root, ['log:import', resolve(root.dir, 'missing.log'), '--idsite=1', `--matomo-domain=${tenant.host}`]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Cannot read '.*missing\.log': ENOENT/);
  });

  test('exclude-path and exclude-older-than skip lines', async () => {
    const tenant = await createTestTenant(root);
    const path = resolve(root.dir, 'excluded.log');
    writeFileSync(path, [
      combinedLine('www.example.com', '/admin/users'),
      combinedLine('www.example.com', '/private/a?x=1'),
      combinedLine('www.example.com', '/kept', 200, '09/Feb/2012:23:59:59 +0000'),
      combinedLine('www.example.com', '/kept-too', 200, '10/Feb/2012:00:00:00 +0000'),
    ].join('\n'));
    const result = await runLogImport(root, tenant.host, [path], { idsite: '1', excludePath: '/admin/*,/private/?', excludeOlderThan: '2012-02-10' });
    assert.deepEqual(result, { imported: 1, skipped: { excluded_path: 2, too_old: 1 }, invalid: 0, invalidLines: [], invalidReasons: [] });
  });

  test('line numbers span read chunks', async () => {
    const tenant = await createTestTenant(root);
    // 6,000 lines of about 190 bytes span many 64 KiB reads, so line numbers must carry across chunks.
    const invalidNumbers = [7, 2500, 6000];
    const lines = Array.from({ length: 6000 }, (_, index) => (invalidNumbers.includes(index + 1) ? 'not a log line' : combinedLine('www.example.com', `/p${index}`)));
    const plain = resolve(root.dir, 'chunks.log');
    writeFileSync(plain, `${lines.join('\r\n')}\r\n`);
    const gzipped = resolve(root.dir, 'chunks.log.gz');
    writeFileSync(gzipped, gzipSync(lines.join('\n')));

    const expected = (name: string) => ({
      imported: 5997, skipped: {}, invalid: 3, invalidLines: invalidNumbers.map((number) => `${name}:${number}`),
      invalidReasons: invalidNumbers.map((line) => ({ file: name, line, reason: 'does not match the common_complete format' })),
    });
    assert.deepEqual(await runLogImport(root, tenant.host, [plain], { idsite: '1', dryRun: true }), expected('chunks.log'));
    assert.deepEqual(await runLogImport(root, tenant.host, [gzipped], { idsite: '1', dryRun: true }), expected('chunks.log.gz'));
  });

  test('bad addresses and offsets are invalid', async () => {
    const tenant = await createTestTenant(root);
    const cases: { name: string; lines: string[]; invalidLines: [number, string][] }[] = [
      {
        name: 'bad-values-combined.log',
        lines: [
          combinedLine('www.example.com', '/ok'),
          combinedLine('www.example.com', '/ip', 200, '10/Feb/2012:16:42:07 -0500', FIREFOX, '999.1.1.1'),
          combinedLine('www.example.com', '/ipv6', 200, '10/Feb/2012:16:42:07 -0500', FIREFOX, '2001:db8::1'),
          combinedLine('www.example.com', '/colons', 200, '10/Feb/2012:16:42:07 -0500', FIREFOX, '1:::::::::2'),
          combinedLine('www.example.com', '/offset', 200, '10/Feb/2012:16:42:07 +9999'),
          combinedLine('www.example.com', '/minutes', 200, '10/Feb/2012:16:42:07 +0560'),
          combinedLine('www.example.com', '/seconds', 200, '10/Feb/2012:16:30:99 +0000'),
        ],
        invalidLines: [
          [2, "invalid IP '999.1.1.1'"], [4, "invalid IP '1:::::::::2'"], [5, "invalid time '10/Feb/2012:16:42:07 +9999'"],
          [6, "invalid time '10/Feb/2012:16:42:07 +0560'"], [7, "invalid time '10/Feb/2012:16:30:99 +0000'"],
        ],
      },
      {
        name: 'bad-values-w3c.log',
        lines: [
          '#Software: Microsoft Internet Information Services 10.0',
          '#Fields: date time c-ip cs-method cs-uri-stem sc-status',
          '2012-02-10 16:42:07 1.2.3.4 GET /ok 200',
          '2012-02-10 16:42:07 1.2.3.400 GET /ip 200',
          '2012-13-10 16:42:07 1.2.3.4 GET /month 200',
        ],
        invalidLines: [[4, "invalid IP '1.2.3.400'"], [5, "invalid date and time '2012-13-10 16:42:07'"]],
      },
      {
        name: 'bad-values-nginx.log',
        lines: [
          '{"ip": "1.2.3.4", "host": "www.example.com", "path": "/ok", "status": "200", "date": "2012-02-10T16:42:07+01:00"}',
          '{"ip": "localhost", "host": "www.example.com", "path": "/ip", "status": "200", "date": "2012-02-10T16:42:07+01:00"}',
          '{"ip": "1.2.3.4", "host": "www.example.com", "path": "/offset", "status": "200", "date": "2012-02-10T16:42:07+99:00"}',
        ],
        invalidLines: [[2, "invalid IP 'localhost'"], [3, "invalid date '2012-02-10T16:42:07+99:00'"]],
      },
      {
        name: 'bad-values-caddy.log',
        lines: [
          '{"ts": 1328892127, "request": {"client_ip": "1.2.3.4", "host": "www.example.com", "uri": "/ok"}, "status": 200}',
          '{"ts": 1e300, "request": {"client_ip": "1.2.3.4", "host": "www.example.com", "uri": "/time"}, "status": 200}',
          '{"ts": 1328892127, "request": {"client_ip": "1.2.3", "host": "www.example.com", "uri": "/ip"}, "status": 200}',
        ],
        invalidLines: [[2, "invalid ts '1e+300'"], [3, "invalid IP '1.2.3'"]],
      },
    ];
    for (const { name, lines, invalidLines } of cases) {
      const path = resolve(root.dir, name);
      writeFileSync(path, lines.join('\n'));
      const result = await runLogImport(root, tenant.host, [path], { idsite: '1', dryRun: true });
      const requests = lines.filter((line) => !line.startsWith('#')).length;
      assert.deepEqual(result, {
        imported: requests - invalidLines.length, skipped: {}, invalid: invalidLines.length,
        invalidLines: invalidLines.map(([line]) => `${name}:${line}`),
        invalidReasons: invalidLines.map(([line, reason]) => ({ file: name, line, reason })),
      }, name);
    }
  });

  test('forced format matching nothing fails', async () => {
    const tenant = await createTestTenant(root);
    const matching = resolve(root.dir, 'forced-common.log');
    writeFileSync(matching, '1.2.3.4 - - [10/Feb/2012:16:42:07 +0000] "GET /common HTTP/1.1" 200 100\n');
    const json = resolve(root.dir, 'forced-nginx.log');
    writeFileSync(json, [
      '{"ip": "1.2.3.4", "host": "www.example.com", "path": "/a", "status": "200", "date": "2012-02-10T16:42:07+01:00"}',
      '',
      '{"ip": "1.2.3.4", "host": "www.example.com", "path": "/b", "status": "200", "date": "2012-02-10T16:42:08+01:00"}',
    ].join('\n'));

    const run = await runConsole(root, ['log:import', matching, json, '--idsite=1', '--log-format=common', '--dry-run', `--matomo-domain=${tenant.host}`]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /^Would import 1 of 4 lines in /m);
    assert.match(run.stdout, /^Invalid 2 lines:\n {2}forced-nginx\.log:1: does not match the common format\n {2}forced-nginx\.log:3: does not match the common format$/m);
    assert.match(run.stdout, /^No line of forced-nginx\.log matches --log-format=common: its 2 lines that are not blank or comments are invalid\.$/m);
    assert.ok(run.stderr.includes("Error: No line of 'forced-nginx.log' matches --log-format=common, so nothing of it was imported. "), run.stderr);

    await assert.rejects(
      runLogImport(root, tenant.host, [json], { idsite: '1', logFormatRegex: '^(?<ip>\\S+) "(?<request>[^"]*)"' }),
      { code: 'LOG_FORMAT_MISMATCH', message: /^No line of 'forced-nginx\.log' matches --log-format-regex, / },
    );
    // A line that matches the format but contains a bad address is invalid, and the format is not in question.
    const badAddresses = resolve(root.dir, 'forced-bad-addresses.log');
    writeFileSync(badAddresses, '999.1.1.1 - - [10/Feb/2012:16:42:07 +0000] "GET /bad HTTP/1.1" 200 100\n');
    const result = await runLogImport(root, tenant.host, [badAddresses], { idsite: '1', logFormat: 'common', dryRun: true });
    assert.equal(result.invalid, 1);
  });

  test('rejected hit names the parameter', async () => {
    const tenant = await createTestTenant(root);
    const path = resolve(root.dir, 'rejected-replay.log');
    writeFileSync(path, [
      combinedLine('www.example.com', '/matomo.php?idsite=1&rec=1&e_c=Video&e_a=Play&e_v=1e308&url=https%3A%2F%2Fwww.example.com%2Fsecret'),
      combinedLine('www.example.com', '/matomo.php?idsite=1&rec=1&e_c=Video&url=https%3A%2F%2Fwww.example.com%2Fsecret'),
    ].join('\n'));
    const result = await runLogImport(root, tenant.host, [path], { idsite: '1', replayTracking: true, dryRun: true });
    assert.deepEqual(result.invalidReasons, [
      { file: 'rejected-replay.log', line: 1, reason: "rejected by tracking (TRACKING_PARAMETER_INVALID for 'e_v')" },
      { file: 'rejected-replay.log', line: 2, reason: 'rejected by tracking (TRACKING_PARAMETER_INVALID)' },
    ]);
  });

  test('dropped replay skips the goal check', async () => {
    const tenant = await createTestTenant(root);
    const path = resolve(root.dir, 'dropped-goal-replay.log');
    // Site 1 has no goal 7, and neither line sends rec=1.
    writeFileSync(path, [
      combinedLine('www.example.com', '/matomo.php?idsite=1&idgoal=7&url=https%3A%2F%2Fwww.example.com%2Fa'),
      combinedLine('www.example.com', '/matomo.php?idsite=1&idgoal=not-a-goal&url=https%3A%2F%2Fwww.example.com%2Fb'),
    ].join('\n'));
    for (const dryRun of [true, false]) {
      const result = await runLogImport(root, tenant.host, [path], { idsite: '1', replayTracking: true, dryRun });
      assert.deepEqual(result, { imported: 0, skipped: { no_rec: 2 }, invalid: 0, invalidLines: [], invalidReasons: [] });
    }
  });

  test('overlong line counts as invalid', async () => {
    const tenant = await createTestTenant(root);
    const path = resolve(root.dir, 'overlong.log');
    // A request whose path is twice the maximum line length, between two ordinary lines.
    const overlong = combinedLine('www.example.com', `/${'a'.repeat(2 * MAX_LINE_LENGTH)}`);
    writeFileSync(path, [combinedLine('www.example.com', '/before'), overlong, combinedLine('www.example.com', '/after')].join('\n'));
    const result = await runLogImport(root, tenant.host, [path], { idsite: '1', dryRun: true });
    assert.deepEqual(result, {
      imported: 2, skipped: {}, invalid: 1, invalidLines: ['overlong.log:2'],
      invalidReasons: [{ file: 'overlong.log', line: 2, reason: `longer than ${MAX_LINE_LENGTH} characters` }],
    });
  });

  test('leading blank lines are skipped', async () => {
    const tenant = await createTestTenant(root);
    // More blank lines than the format detection reads, then three requests.
    const leading = resolve(root.dir, 'leading-blank.log');
    writeFileSync(leading, `${'\n'.repeat(25)}${[combinedLine('www.example.com', '/a'), combinedLine('www.example.com', '/b'), combinedLine('www.example.com', '/c')].join('\n')}\n`);
    const blank = resolve(root.dir, 'blank.log');
    writeFileSync(blank, '\n'.repeat(25));

    assert.deepEqual(await runLogImport(root, tenant.host, [leading], { idsite: '1', dryRun: true }), { imported: 3, skipped: {}, invalid: 0, invalidLines: [], invalidReasons: [] });
    assert.deepEqual(await runLogImport(root, tenant.host, [blank], { idsite: '1', dryRun: true }), { imported: 0, skipped: {}, invalid: 0, invalidLines: [], invalidReasons: [] });
  });

  test('new agents across chunks get their devices', async () => {
    const tenant = await createTestTenant(root, { siteUrl: 'https://www.example.com' });
    // 60 distinct agents, a third of them bots, over 3,000 lines: the import reads them in many
    // chunks, and the detection thread gets each agent in the chunk where it first appears, and later chunks find it cached.
    const agents = Array.from({ length: 60 }, (_, index) => {
      if (index % 3 === 0) return `Mozilla/5.0 (compatible; Googlebot/2.${index}; +http://www.google.com/bot.html)`;
      if (index % 3 === 1) return `Mozilla/5.0 (X11; Linux x86_64; rv:${100 + index}.0) Gecko/20100101 Firefox/${100 + index}.0`;
      return `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${100 + index}.0.0.0 Safari/537.36`;
    });
    const lines = Array.from({ length: 3000 }, (_, index) => combinedLine(
      'www.example.com', `/p${index}`, 200, '10/Feb/2012:16:42:07 -0500', agents[index % agents.length], `10.0.${Math.floor(index / 250)}.${index % 250}`,
    ));
    const path = resolve(root.dir, 'agents.log');
    writeFileSync(path, lines.join('\n'));

    const result = await runLogImport(root, tenant.host, [path], { idsite: '1' });
    assert.deepEqual(result, { imported: 2000, skipped: { bot: 1000 }, invalid: 0, invalidLines: [], invalidReasons: [] });
    const browsers = await tenantDb(root, tenant.host).selectFrom('log_visit')
      .select(['config_browser_name', (eb) => eb.fn.countAll<number>().as('visits')]).groupBy('config_browser_name').orderBy('config_browser_name').execute();
    assert.deepEqual(browsers.map((row) => [row.config_browser_name, Number(row.visits)]), [['CH', 1000], ['FF', 1000]]);
  });
});

for (const adapter of ALL_ENGINES) {
  describe(`log:import storage on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    let root: TestRoot;

    before(() => {
      root = createTestRoot();
    });

    after(async () => {
      // Deleting the tenants drops their MariaDB or PostgreSQL databases and users.
      await deleteAllTenants(root);
    });

    test('stdin import prints json counts', async () => {
      const tenant = await createTestTenant(root, { adapter, siteUrl: 'https://www.example.com' });
      const lines = [combinedLine('www.example.com', '/a'), 'not a log line', combinedLine('www.example.com', '/b.css'), ''].join('\n');
      const run = await runConsole(root, ['log:import', '-', '--idsite=1', `--matomo-domain=${tenant.host}`, '--json'], lines);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(JSON.parse(run.stdout), {
        imported: 1, skipped: { static: 1 }, invalid: 1, invalidLines: ['stdin:2'],
        invalidReasons: [{ file: 'stdin', line: 2, reason: 'does not match the common_complete format' }],
      });
      assert.equal(await countRows(tenantDb(root, tenant.host), 'log_link_visit_action'), 1);
    });

    test('skip resumes a truncated import', async () => {
      const tenant = await createTestTenant(root, { adapter });
      const first = resolve(root.dir, `resume-first-${adapter}.log`);
      writeFileSync(first, [combinedLine('www.example.com', '/resume-a'), combinedLine('www.example.com', '/resume-b')].join('\n'));
      // More lines than one batch of 4,096 hits, so whole batches are stored before reading fails.
      const lines = Array.from({ length: 10_000 }, (_, index) => combinedLine('www.example.com', `/resume-${index}`, 200, '10/Feb/2012:16:42:07 -0500', FIREFOX, `10.1.${Math.floor(index / 250)}.${index % 250}`));
      const compressed = gzipSync(lines.join('\n'));
      const partial = resolve(root.dir, `resume-partial-${adapter}.log.gz`);
      const whole = resolve(root.dir, `resume-whole-${adapter}.log.gz`);
      writeFileSync(partial, compressed.subarray(0, Math.floor(compressed.length * 0.7)));
      writeFileSync(whole, compressed);
      const args = ['log:import', first, partial, '--idsite=1', `--matomo-domain=${tenant.host}`, '--json'];

      const stopped = await runConsole(root, args);
      assert.equal(stopped.code, 1, stopped.stderr);
      const output = JSON.parse(stopped.stdout) as { imported: number; invalid: number; error: { code: string; message: string; resumeSkip: number } };
      assert.equal(output.error.code, 'LOG_FILE_UNREADABLE');
      assert.ok(output.error.resumeSkip > 4096 + 2, `resumeSkip ${output.error.resumeSkip}`);
      assert.ok(output.error.resumeSkip < 10_000 + 2, `resumeSkip ${output.error.resumeSkip}`);
      assert.equal(output.imported, output.error.resumeSkip);
      assert.equal(output.invalid, 0);
      assert.ok(stopped.stderr.includes(`Error: ${output.error.message}`), stopped.stderr);
      const db = tenantDb(root, tenant.host);
      assert.equal(await countRows(db, 'log_link_visit_action'), output.imported);

      // The same command on the whole file, as after the file was copied again.
      copyFileSync(whole, partial);
      const resumed = await runConsole(root, [...args, `--skip=${output.error.resumeSkip}`]);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.equal((JSON.parse(resumed.stdout) as { imported: number }).imported, 10_000 + 2 - output.error.resumeSkip);
      const urls = await db.selectFrom('log_link_visit_action').select('idaction_url').execute();
      assert.equal(urls.length, 10_002);
      assert.equal(new Set(urls.map((row) => row.idaction_url)).size, 10_002);
    });

    test('bad address is not stored', async () => {
      const tenant = await createTestTenant(root, { adapter });
      const path = resolve(root.dir, `bad-address-${adapter}.log`);
      writeFileSync(path, [
        combinedLine('www.example.com', '/good', 200, '10/Feb/2012:16:42:07 +0000', FIREFOX, '192.0.2.7'),
        combinedLine('www.example.com', '/bad-ip', 200, '10/Feb/2012:16:42:08 +0000', FIREFOX, '999.1.1.1'),
        combinedLine('www.example.com', '/bad-offset', 200, '10/Feb/2012:16:42:09 +9999', FIREFOX, '192.0.2.8'),
      ].join('\n'));
      const result = await runLogImport(root, tenant.host, [path], { idsite: '1' });
      const name = `bad-address-${adapter}.log`;
      assert.deepEqual(result, {
        imported: 1, skipped: {}, invalid: 2, invalidLines: [`${name}:2`, `${name}:3`],
        invalidReasons: [{ file: name, line: 2, reason: "invalid IP '999.1.1.1'" }, { file: name, line: 3, reason: "invalid time '10/Feb/2012:16:42:09 +9999'" }],
      });
      const db = tenantDb(root, tenant.host);
      assert.equal(await countRows(db, 'log_visit'), 1);
      const times = await db.selectFrom('log_link_visit_action').select('server_time').execute();
      assert.deepEqual(times.map((row) => String(row.server_time)), ['2012-02-10 16:42:07']);
    });

    test('dry run stores nothing', async () => {
      const tenant = await createTestTenant(root, { adapter });
      const result = await runLogImport(root, tenant.host, [accessLog('static_ignores.log')], { idsite: '1', dryRun: true });
      assert.deepEqual(result, { imported: 1, skipped: { static: 3 }, invalid: 0, invalidLines: [], invalidReasons: [] });
      const db = tenantDb(root, tenant.host);
      assert.equal(await countRows(db, 'log_link_visit_action'), 0);
      assert.equal(await countRows(db, 'log_visit'), 0);
    });

    test('dry run counts pipeline drops', async () => {
      const tenant = await createTestTenant(root, { adapter });
      const db = tenantDb(root, tenant.host);
      await db.updateTable('site').set({ excluded_ips: '1.2.3.4' }).where('idsite', '=', 1).execute();
      const path = resolve(root.dir, 'dry-run-excluded-ip.log');
      writeFileSync(path, [combinedLine('www.example.com', '/page'), combinedLine('www.example.com', '/style.css')].join('\n'));
      const result = await runLogImport(root, tenant.host, [path], { idsite: '1', dryRun: true });
      assert.deepEqual(result, { imported: 0, skipped: { excluded_ip: 1, static: 1 }, invalid: 0, invalidLines: [], invalidReasons: [] });
      // The dry run counts the drop without storing it in the drop tallies.
      const drops = await db.selectFrom('tracking_drop').select('reason').execute();
      assert.deepEqual(drops, []);
    });

    test('idsite-by-host maps hosts to sites', async () => {
      const tenant = await createTestTenant(root, { adapter, siteUrl: 'https://www.example.com' });
      const path = resolve(root.dir, 'hosts.log');
      writeFileSync(path, [combinedLine('example.com', '/one'), combinedLine('other.example.org', '/two'), combinedLine('www.example.com', '/three')].join('\n'));
      const result = await runLogImport(root, tenant.host, [path], { idsiteByHost: true });
      assert.deepEqual(result, { imported: 2, skipped: { unknown_site: 1 }, invalid: 0, invalidLines: [], invalidReasons: [] });
    });

    test('pipeline drops count as skip reasons', async () => {
      const tenant = await createTestTenant(root, { adapter });
      const db = tenantDb(root, tenant.host);
      await db.updateTable('site').set({ excluded_ips: '1.2.3.4' }).where('idsite', '=', 1).execute();
      const path = resolve(root.dir, 'excluded-ip.log');
      writeFileSync(path, combinedLine('www.example.com', '/page'));
      const result = await runLogImport(root, tenant.host, [path], { idsite: '1' });
      assert.deepEqual(result, { imported: 0, skipped: { excluded_ip: 1 }, invalid: 0, invalidLines: [], invalidReasons: [] });
    });

    test('lines before deletion horizon skip', async () => {
      const now = new Date('2026-05-20T12:00:00Z');
      const tenant = await createTestTenant(root, { adapter });
      editConfigFile(tenantConfigFile(root, tenant.host), 'Deletelogs', 'delete_logs_enable', '1');
      editConfigFile(tenantConfigFile(root, tenant.host), 'Deletelogs', 'delete_logs_older_than', '30');
      const path = resolve(root.dir, 'deletion-horizon.log');
      // The horizon is 2026-04-20 00:00:00 UTC. The second line is at that time, given in UTC-4.
      writeFileSync(path, [
        combinedLine('www.example.com', '/old', 200, '19/Apr/2026:23:59:59 +0000'),
        combinedLine('www.example.com', '/kept', 200, '19/Apr/2026:20:00:00 -0400'),
      ].join('\n'));

      const expected = { imported: 1, skipped: { older_than_deletion_horizon: 1 }, invalid: 0, invalidLines: [], invalidReasons: [] };
      assert.deepEqual(await runLogImport(root, tenant.host, [path], { idsite: '1', dryRun: true }, () => now), expected);
      assert.deepEqual(await runLogImport(root, tenant.host, [path], { idsite: '1' }, () => now), expected);
      const times = await tenantDb(root, tenant.host).selectFrom('log_link_visit_action').select('server_time').execute();
      assert.deepEqual(times.map((row) => row.server_time), ['2026-04-20 00:00:00']);
    });

    test('lines of one visitor form one visit', async () => {
      const tenant = await createTestTenant(root, { adapter });
      const path = resolve(root.dir, 'one-visitor.log');
      writeFileSync(path, [
        combinedLine('www.example.com', '/first', 200, '10/Feb/2012:16:42:07 +0000'),
        combinedLine('www.example.com', '/second', 200, '10/Feb/2012:16:50:07 +0000'),
        combinedLine('www.example.com', '/third', 200, '10/Feb/2012:16:55:07 +0000'),
        // Two hours later, so a new visit by the 30-minute rule.
        combinedLine('www.example.com', '/later', 200, '10/Feb/2012:18:55:07 +0000'),
      ].join('\n'));
      await runLogImport(root, tenant.host, [path], { idsite: '1' });
      const visits = await tenantDb(root, tenant.host).selectFrom('log_visit')
        .select(['visit_total_actions', 'visit_first_action_time', 'visit_last_action_time']).orderBy('idvisit').execute();
      assert.equal(visits.length, 2);
      assert.equal(visits[0]?.visit_total_actions, 3);
      assert.equal(visits[0]?.visit_first_action_time, '2012-02-10 16:42:07');
      assert.equal(visits[0]?.visit_last_action_time, '2012-02-10 16:55:07');
      assert.equal(visits[1]?.visit_total_actions, 1);
    });

    test('batches in flight keep line order', async () => {
      const tenant = await createTestTenant(root, { adapter, timezone: 'UTC' });
      const path = resolve(root.dir, 'ordered.log');
      const minutes = [0, 1, 2, 3, 4, 5, 6];
      writeFileSync(path, minutes.map((minute) => combinedLine('www.example.com', `/step-${minute}`, 200, `10/Feb/2012:16:0${minute}:00 +0000`)).join('\n'));
      const registered = root.registry.resolve(parseTenantHost(tenant.host))!;
      const devices = new DeviceDetection();
      const pipeline = new TrackingPipeline(createSilentLogger(), devices);
      // Batches of two with three in flight, so the seven lines span four batches that wait on the writer together.
      const importer = await createImporter(registered, pipeline, devices, { batchSize: 2, maxBatchesInFlight: 3 });
      await importer.importFile(path);
      await pipeline.flush();

      assert.deepEqual(importer.result(), { imported: 7, skipped: {}, invalid: 0, invalidLines: [], invalidReasons: [] });
      const db = tenantDb(root, tenant.host);
      const visits = await db.selectFrom('log_visit').select(['visit_total_actions']).execute();
      assert.deepEqual(visits, [{ visit_total_actions: 7 }]);
      const actions = await db.selectFrom('log_link_visit_action').select(['server_time']).orderBy('idlink_va').execute();
      assert.deepEqual(actions.map((action) => String(action.server_time)), minutes.map((minute) => `2012-02-10 16:0${minute}:00`));
    });

    test('import commits up to its batch maximum', async () => {
      const tenant = await createTestTenant(root, { adapter, timezone: 'UTC' });
      const path = resolve(root.dir, 'commits.log');
      const minutes = [0, 1, 2, 3, 4, 5, 6];
      writeFileSync(path, minutes.map((minute) => combinedLine('www.example.com', `/commit-${minute}`, 200, `11/Feb/2012:16:0${minute}:00 +0000`)).join('\n'));
      const registered = root.registry.resolve(parseTenantHost(tenant.host))!;
      const logLines: string[] = [];
      const logger = pino({ level: 'debug' }, { write: (line: string) => logLines.push(line) });
      const devices = new DeviceDetection();
      const pipeline = new TrackingPipeline(logger, devices, { writeBatchMaxHits: 3 });
      const importer = await createImporter(registered, pipeline, devices, { batchSize: 7, maxBatchesInFlight: 1 });
      await importer.importFile(path);
      await pipeline.flush();

      const commits = logLines.map((line) => JSON.parse(line) as { msg: string; hits?: number })
        .filter((entry) => entry.msg === 'tracking batch committed').map((entry) => entry.hits);
      assert.deepEqual(commits, [3, 3, 1]);
      assert.equal(await countRows(tenantDb(root, tenant.host), 'log_link_visit_action'), 7);
    });

    test('default sends fill whole commits', async () => {
      const tenant = await createTestTenant(root, { adapter, timezone: 'UTC' });
      const path = resolve(root.dir, 'default-commits.log');
      const lineCount = IMPORT_WRITE_BATCH_MAX_HITS + 100;
      writeFileSync(path, Array.from({ length: lineCount }, (_, index) => combinedLine('www.example.com', `/default-${index}`, 200, '11/Feb/2012:16:00:00 +0000')).join('\n'));
      const registered = root.registry.resolve(parseTenantHost(tenant.host))!;
      const logLines: string[] = [];
      const logger = pino({ level: 'debug' }, { write: (line: string) => logLines.push(line) });
      const devices = new DeviceDetection();
      const pipeline = new TrackingPipeline(logger, devices, { writeBatchMaxHits: IMPORT_WRITE_BATCH_MAX_HITS });
      // No batch options: the importer's defaults decide how many hits each commit gets.
      const importer = await createImporter(registered, pipeline, devices);
      await importer.importFile(path);
      await pipeline.flush();

      const commits = logLines.map((line) => JSON.parse(line) as { msg: string; hits?: number })
        .filter((entry) => entry.msg === 'tracking batch committed').map((entry) => entry.hits);
      assert.deepEqual(commits, [IMPORT_WRITE_BATCH_MAX_HITS, 100]);
    });

    test('error after commit writes hits once', async () => {
      const tenant = await createTestTenant(root, { adapter, timezone: 'UTC' });
      const path = resolve(root.dir, 'after-commit.log');
      const minutes = [0, 1, 2];
      writeFileSync(path, minutes.map((minute) => combinedLine('www.example.com', `/once-${minute}`, 200, `12/Feb/2012:16:0${minute}:00 +0000`)).join('\n'));
      const registered = root.registry.resolve(parseTenantHost(tenant.host))!;
      // The tenant's connection fails after each transaction it ran, as a dropped pool connection does.
      const realDb = registered.db();
      const failingDb = new Proxy(realDb, {
        get(target, property) {
          if (property === 'connection') {
            return () => ({
              execute: async (callback: Parameters<ReturnType<typeof realDb.connection>['execute']>[0]) => {
                await target.connection().execute(callback);
                throw new Error('connection lost after the transaction');
              },
            });
          }
          const value: unknown = Reflect.get(target, property);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const logLines: string[] = [];
      const logger = pino({ level: 'warn' }, { write: (line: string) => logLines.push(line) });
      const devices = new DeviceDetection();
      // The failing connection is the one a batch's transaction runs on, so SQLite writes on the main thread here.
      const pipeline = new TrackingPipeline(logger, devices, { sqliteWriteThread: false });
      const importer = await createImporter(registered, pipeline, devices, { batchSize: 3, maxBatchesInFlight: 1 });
      registered.db = () => failingDb;
      await importer.importFile(path);
      await pipeline.flush();

      assert.deepEqual(importer.result(), { imported: 3, skipped: {}, invalid: 0, invalidLines: [], invalidReasons: [] });
      assert.equal(await countRows(realDb, 'log_link_visit_action'), 3);
      assert.equal(await countRows(realDb, 'log_visit'), 1);
      assert.ok(logLines.some((line) => line.includes('tracking batch committed, then its connection failed')), logLines.join(''));
    });

    test('external referrer is stored on the visit', async () => {
      const tenant = await createTestTenant(root, { adapter, siteUrl: 'https://www.example.com' });
      const path = resolve(root.dir, 'referrer.log');
      writeFileSync(path, combinedLine('www.example.com', '/from-news'));
      await runLogImport(root, tenant.host, [path], { idsite: '1' });
      const visit = await tenantDb(root, tenant.host).selectFrom('log_visit').select(['referer_url', 'referer_type']).executeTakeFirstOrThrow();
      assert.equal(visit.referer_url, 'https://news.example.net/item');
      assert.equal(visit.referer_type, 3);
    });
  });
}
