import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { OptionValues } from '../../src/cli/command-definition.js';
import { detectLogFormat } from '../../src/import/format-registry.js';
import { deleteAllTenants } from '../support/console-runner.js';
import { ALL_ENGINES, engineSkip } from '../support/engines.js';
import { accessLog, runLogImport } from '../support/log-import.js';
import { createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';
import { countRows, tenantDb } from '../support/tracking.js';

const CUSTOM_REGEX = '(?P<ip>\\S+) \\S+ \\S+ \\[(?P<date>.*?)\\] "(?P<request>[^"]*)" (?P<status>\\d+) (?P<length>\\S+)';

/**
 * One sample file with the counts a reader of it expects. Most sample requests got a 301
 * response, so the cases that store a page pass --enable-http-redirects.
 */
interface FileCase {
  file: string;
  options?: OptionValues;
  imported: number;
  skipped?: Record<string, number>;
  invalid?: number;
  invalidLines?: string[];
  invalidReasons?: { file: string; line: number; reason: string }[];
}

const FILE_CASES: FileCase[] = [
  // An https request for /path/index.html with status 200.
  { file: 'alb.log', imported: 1 },
  // Two RTMP events (connect, play), stored as events.
  { file: 'amazon_cloudfront_rtmp.log', imported: 2 },
  { file: 'amazon_cloudfront_web.log', imported: 1 },
  // The page /beta/ and its stylesheet and script.
  { file: 'caddy_json.log', imported: 1, skipped: { static: 2 } },
  // One GET / with status 301.
  { file: 'common.log', imported: 0, skipped: { http_redirect: 1 } },
  { file: 'common.log', options: { enableHttpRedirects: true }, imported: 1 },
  // The compressed samples hold other lines than common.log: one POST with status 200 each.
  { file: 'common.log.gz', imported: 1 },
  { file: 'common.log.bz2', imported: 1 },
  { file: 'common_complete.log', imported: 0, skipped: { http_redirect: 1 } },
  { file: 'common_encoding_big5.log', options: { enableHttpRedirects: true }, imported: 1 },
  { file: 'common_vhost.log', options: { enableHttpRedirects: true }, imported: 1 },
  { file: 'custom_regex_custom_date.log', options: { logFormatRegex: CUSTOM_REGEX, dateFormat: '%B - %d, %Y:%H:%M:%S', enableHttpRedirects: true }, imported: 1 },
  // One HTTP line and one TCP connection of a TCP listener; the comment line between them is not a request.
  { file: 'elb.log', imported: 1, skipped: { tcp_request: 1 } },
  { file: 'gandi.log', imported: 1, skipped: { http_redirect: 1 } },
  { file: 'haproxy.log', imported: 1 },
  { file: 'icecast2.log', imported: 0, skipped: { http_redirect: 1 } },
  { file: 'iis.log', imported: 1 },
  // Statuses 200, 301 and 404. The 404 line has a quoted substatus with spaces.
  { file: 'iis_custom.log', imported: 1, skipped: { http_redirect: 1, http_error: 1 } },
  { file: 'iis_custom.log', options: { enableHttpRedirects: true, enableHttpErrors: true }, imported: 3 },
  // The second request has an empty sc-status: the server closed the connection.
  {
    file: 'incapsula_w3c.log', imported: 1, invalid: 1, invalidLines: ['incapsula_w3c.log:6'],
    invalidReasons: [{ file: 'incapsula_w3c.log', line: 6, reason: 'missing status field' }],
  },
  // Three tracker requests and a HEAD / with status 403.
  { file: 'logs_to_tests.log', imported: 0, skipped: { tracking_request: 3, http_error: 1 } },
  { file: 'logs_to_tests.log', options: { replayTracking: true }, imported: 3, skipped: { http_error: 1 } },
  { file: 'ncsa_extended.log', imported: 0, skipped: { http_redirect: 1 } },
  { file: 'netscaler.log', imported: 0, skipped: { http_redirect: 1 } },
  { file: 'nginx_json.log', imported: 0, skipped: { tracking_request: 2 } },
  { file: 'nginx_json.log', options: { replayTracking: true }, imported: 2 },
  { file: 'ovh.log', options: { enableHttpRedirects: true }, imported: 1 },
  { file: 's3.log', imported: 1 },
  { file: 'shoutcast.log', imported: 1 },
  { file: 'splitted_date_and_time.log', imported: 1 },
  // The page, then robots.txt, an image and a font.
  { file: 'static_ignores.log', imported: 1, skipped: { static: 3 } },
  { file: 'static_ignores.log', options: { enableStatic: true }, imported: 4 },
  // Prometheus scraping an endpoint is a bot.
  { file: 'traefik_json.log', imported: 0, skipped: { bot: 1 } },
  { file: 'traefik_json.log', options: { enableBots: true }, imported: 1 },
];

const DETECTED_FORMATS: Record<string, string | null> = {
  'alb.log': 'alb',
  'amazon_cloudfront_rtmp.log': 'amazon_cloudfront',
  'amazon_cloudfront_web.log': 'amazon_cloudfront',
  'caddy_json.log': 'caddy_json',
  'common.log': 'common',
  'common_complete.log': 'common_complete',
  'common_encoding_big5.log': 'common_complete',
  'common_vhost.log': 'common_vhost',
  'custom_regex_custom_date.log': null,
  'elb.log': 'elb',
  'gandi.log': 'gandi',
  'haproxy.log': 'haproxy',
  'icecast2.log': 'icecast2',
  'iis.log': 'iis',
  'iis_custom.log': 'iis',
  'incapsula_w3c.log': 'incapsula_w3c',
  'logs_to_tests.log': 'ncsa_extended',
  'ncsa_extended.log': 'ncsa_extended',
  'netscaler.log': 'netscaler',
  'nginx_json.log': 'nginx_json',
  'ovh.log': 'ovh',
  's3.log': 's3',
  'shoutcast.log': 'shoutcast',
  'splitted_date_and_time.log': 'w3c_extended',
  'static_ignores.log': 'common_complete',
  'traefik_json.log': 'traefik_json',
};

describe('format detection', () => {
  for (const [file, expected] of Object.entries(DETECTED_FORMATS)) {
    test(`detects ${expected ?? 'no format'} in ${file}`, () => {
      const lines = readFileSync(accessLog(file), 'utf8').split(/\r?\n/).slice(0, 20);
      assert.equal(detectLogFormat(lines)?.name ?? null, expected);
    });
  }

  test('detects common in the gzip sample', () => {
    const lines = gunzipSync(readFileSync(accessLog('common.log.gz'))).toString('utf8').split('\n');
    assert.equal(detectLogFormat(lines)?.name, 'common');
  });
});

for (const adapter of ALL_ENGINES) {
  describe(`log:import of each sample file on ${adapter}`, { skip: await engineSkip(adapter) }, () => {
    let root: TestRoot;
    let host: string;

    // One tenant serves every case, because creating a MariaDB or PostgreSQL database per
    // case takes seconds. Each case checks the rows its own import added.
    before(async () => {
      root = createTestRoot();
      host = (await createTestTenant(root, { adapter, timezone: 'UTC', siteUrl: 'https://www.example.com' })).host;
    });

    after(async () => {
      // Deleting the tenant drops its MariaDB or PostgreSQL database and user.
      await deleteAllTenants(root);
    });

    for (const fileCase of FILE_CASES) {
      const flags = Object.keys(fileCase.options ?? {}).join(', ');
      test(`imports ${fileCase.file}${flags ? ` with ${flags}` : ''}`, async () => {
        const rowsBefore = await countRows(tenantDb(root, host), 'log_link_visit_action');
        const result = await runLogImport(root, host, [accessLog(fileCase.file)], { idsite: '1', ...fileCase.options });
        assert.equal(result.imported, fileCase.imported);
        assert.deepEqual(result.skipped, fileCase.skipped ?? {});
        assert.equal(result.invalid, fileCase.invalid ?? 0);
        assert.deepEqual(result.invalidLines, fileCase.invalidLines ?? []);
        assert.deepEqual(result.invalidReasons, fileCase.invalidReasons ?? []);
        assert.equal(await countRows(tenantDb(root, host), 'log_link_visit_action') - rowsBefore, fileCase.imported);
      });
    }

    test('rejects a file no format reads', async () => {
      await assert.rejects(
        runLogImport(root, host, [accessLog('custom_regex_custom_date.log')], { idsite: '1' }),
        { code: 'LOG_FORMAT_NOT_DETECTED' },
      );
    });
  });
}
