import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Settings } from '../../src/config/settings.js';
import { isFootfallError } from '../../src/errors.js';
import { parseTenantHost } from '../../src/tenancy/tenant-host.js';
import { matchesRequestExclusion, parseRequestExclusion } from '../../src/tracking/request-exclusion.js';
import { TrackingParams } from '../../src/tracking/tracking-params.js';
import { buildTestServer, createTestRoot, createTestTenant, type TestRoot } from '../support/test-root.js';
import { countRows, tenantDb } from '../support/tracking.js';

function matches(rules: string, query: string): boolean {
  return matchesRequestExclusion(parseRequestExclusion(rules)!, TrackingParams.fromQueryString(query));
}

describe('exclude_requests rules', () => {
  test('comma is OR', () => {
    assert.equal(matches('e_c==Media,action_name=@privacy', 'e_c=Media'), true);
    assert.equal(matches('e_c==Media,action_name=@privacy', 'action_name=Our%20privacy%20policy'), true);
    assert.equal(matches('e_c==Media,action_name=@privacy', 'e_c=Video&action_name=Home'), false);
  });

  test('semicolon is AND', () => {
    assert.equal(matches('e_c==Media;e_a==play', 'e_c=Media&e_a=play'), true);
    assert.equal(matches('e_c==Media;e_a==play', 'e_c=Media&e_a=pause'), false);
    assert.equal(matches('e_c==Media;e_a==play,e_a==pause', 'e_c=Media&e_a=pause'), true);
  });

  test('every operator', () => {
    const cases: [string, string, boolean][] = [
      ['e_c!=Media', 'e_c=Video', true],
      ['e_c!=Media', 'e_c=Media', false],
      ['e_v<10', 'e_v=9.5', true],
      ['e_v<10', 'e_v=10', false],
      ['e_v<=10', 'e_v=10', true],
      ['e_v>10', 'e_v=100', true],
      ['e_v>10', 'e_v=9', false],
      ['e_v>=10', 'e_v=10', true],
      ['e_v>10', 'url=https%3A%2F%2Fexample.org%2F', false],
      ['url=@checkout', 'url=https%3A%2F%2Fexample.org%2Fcheckout%2Fpay', true],
      ['url!@checkout', 'url=https%3A%2F%2Fexample.org%2Fcheckout%2Fpay', false],
      ['url=^https://staging.', 'url=https%3A%2F%2Fstaging.example.org%2F', true],
      ['url=^https://staging.', 'url=https%3A%2F%2Fexample.org%2F', false],
      ['url=$.pdf', 'url=https%3A%2F%2Fexample.org%2Fa.pdf', true],
      ['url=$.pdf', 'url=https%3A%2F%2Fexample.org%2Fa.html', false],
    ];
    for (const [rules, query, expected] of cases) assert.equal(matches(rules, query), expected, `${rules} on ${query}`);
  });

  test('missing parameter compares as empty', () => {
    assert.equal(matches('e_c==', 'url=x'), true);
    assert.equal(matches('e_c==', 'e_c=Media'), false);
    assert.equal(matches('e_c!=', 'e_c=Media'), true);
    assert.equal(matches('e_v<5', 'url=x'), false);
  });

  test('values are URL-decoded and case-insensitive', () => {
    assert.equal(matches('action_name==Privacy%20Policy', 'action_name=privacy%20policy'), true);
    assert.equal(matches('e_c==A%2CB', 'e_c=a,b'), true);
  });

  test('empty value has no rules', () => {
    assert.equal(parseRequestExclusion(''), null);
    assert.equal(parseRequestExclusion('  '), null);
  });

  test('invalid rules name the value', () => {
    for (const rules of ['e_c', 'e_c==Media,,url=@x', 'url=@', 'bad name==x']) {
      assert.throws(() => parseRequestExclusion(rules), (error: unknown) => {
        assert.ok(isFootfallError(error, 'CONFIG_INVALID'));
        assert.match(error.message, /exclude_requests/);
        assert.ok(error.message.includes(rules), `message names ${rules}: ${error.message}`);
        return true;
      });
    }
  });
});

describe('exclude_requests config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'footfall-exclusion-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  function load(lines: string[]): Settings {
    const global = join(dir, 'global.ini.php');
    writeFileSync(global, '[Tracker]\nexclude_requests = ""\n');
    const local = join(dir, `local-${Math.random().toString(36).slice(2)}.ini.php`);
    writeFileSync(local, [...lines, ''].join('\n'));
    return Settings.load({ global, common: join(dir, 'missing.ini.php'), local });
  }

  test('valid rules load', () => {
    const settings = load(['[Tracker]', 'exclude_requests = "e_c==Media,action_name=@privacy"']);
    assert.equal(settings.string('Tracker', 'exclude_requests'), 'e_c==Media,action_name=@privacy');
  });

  test('invalid rules stop loading', () => {
    assert.throws(() => load(['[Tracker_2]', 'exclude_requests = "e_c=Media"']), (error: unknown) => {
      assert.ok(isFootfallError(error, 'CONFIG_INVALID'));
      assert.match(error.message, /\[Tracker_2\] exclude_requests/);
      assert.match(error.message, /e_c=Media/);
      return true;
    });
  });
});

describe('exclude_requests tracking', () => {
  let root: TestRoot;
  let app: FastifyInstance;
  let host: string;

  before(async () => {
    root = createTestRoot();
    host = (await createTestTenant(root, { siteUrl: 'https://example.org' })).host;
    appendFileSync(root.registry.resolve(parseTenantHost(host))!.configFile, '\n[Tracker]\nexclude_requests = "e_c==Media,action_name=@privacy"\n');
    app = await buildTestServer(root);
  });

  after(async () => {
    await app.close();
    await root.cleanup();
  });

  async function track(params: Record<string, string>): Promise<number> {
    const query = new URLSearchParams({ idsite: '1', rec: '1', url: 'https://example.org/', _id: '0123456789abcdef', ...params });
    const response = await app.inject({ method: 'GET', url: `/matomo.php?${query}`, headers: { host } });
    return response.statusCode;
  }

  test('matching hits are dropped and counted', async () => {
    assert.equal(await track({ action_name: 'Home' }), 200);
    assert.equal(await track({ action_name: 'Privacy policy' }), 200);
    assert.equal(await track({ ca: '1', e_c: 'Media', e_a: 'play' }), 200);
    assert.equal(await track({ ca: '1', e_c: 'Forms', e_a: 'submit' }), 200);

    const db = tenantDb(root, host);
    assert.equal(await countRows(db, 'log_link_visit_action'), 2);
    const drops = await db.selectFrom('tracking_drop').select(['idsite', 'reason', 'count']).execute();
    assert.deepEqual(drops.map((row) => [Number(row.idsite), row.reason, Number(row.count)]), [[1, 'excluded_request', 2]]);
  });
});
