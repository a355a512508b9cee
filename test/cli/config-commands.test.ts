import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { buildTenantPaths } from '../../src/tenancy/root-paths.js';
import type { TenantHost } from '../../src/tenancy/tenant-host.js';
import { deleteAllTenants, runConsole, runConsoleJson } from '../support/console-runner.js';
import { createTestRoot, uniqueHost } from '../support/test-root.js';

/** A tenant file as an operator might have edited it: comments, blank lines and keys in several sections. */
const HAND_EDITED_CONFIG = [
  '; <?php exit; ?> DO NOT REMOVE THIS LINE',
  '; Edited by hand: keep this comment.',
  '[database]',
  'adapter = "sqlite"',
  'sqlite_file = "footfall.sqlite"',
  '',
  '[General]',
  '; The salt must never change.',
  'salt = "0123456789abcdef"',
  'trusted_hosts[] = "first.example"',
  'default_currency = "EUR" ; inline comment',
  '',
  '[Tracker]',
  'visit_standard_length = 900',
  '',
].join('\n');

describe('config:get and config:set', () => {
  const root = createTestRoot();
  const host = uniqueHost('cfg');
  const configFile = buildTenantPaths(root.rootPaths, host as TenantHost).preferredConfig;
  const domain = `--matomo-domain=${host}`;

  before(async () => {
    await runConsoleJson(root, ['tenant:create', host]);
  });
  beforeEach(() => writeFileSync(configFile, HAND_EDITED_CONFIG));
  after(() => deleteAllTenants(root));

  it('replaces one key and keeps the guard line, comments and other keys', async () => {
    const run = await runConsole(root, ['config:set', domain, 'General.default_currency', 'GBP']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(readFileSync(configFile, 'utf8'), HAND_EDITED_CONFIG.replace('default_currency = "EUR" ; inline comment', 'default_currency = "GBP"'));
  });

  it('adds a new key at the end of its section', async () => {
    await runConsoleJson(root, ['config:set', domain, 'Tracker.ip_address_mask_length', '3']);
    assert.equal(readFileSync(configFile, 'utf8'), HAND_EDITED_CONFIG.replace('visit_standard_length = 900\n', 'visit_standard_length = 900\nip_address_mask_length = 3\n'));
  });

  it('appends to a list with KEY[] and replaces it without', async () => {
    await runConsoleJson(root, ['config:set', domain, 'General.trusted_hosts[]', 'second.example']);
    assert.deepEqual((await runConsoleJson<{ value: unknown }>(root, ['config:get', domain, 'General.trusted_hosts'])).value, ['first.example', 'second.example']);
    assert.equal((await runConsole(root, ['config:get', domain, 'General.trusted_hosts'])).stdout, 'first.example\nsecond.example\n');

    await runConsoleJson(root, ['config:set', domain, 'General.trusted_hosts', 'only.example']);
    assert.deepEqual((await runConsoleJson<{ value: unknown }>(root, ['config:get', domain, 'General.trusted_hosts'])).value, ['only.example']);
  });

  it('rejects a value of the wrong type and leaves the file unchanged', async () => {
    const run = await runConsole(root, ['config:set', domain, 'General.password_hash_cost', '99']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Invalid value '99' for \[General\] password_hash_cost\. Expected a whole number from 4 to 15\./);
    assert.equal(readFileSync(configFile, 'utf8'), HAND_EDITED_CONFIG);
  });

  it('rejects KEY[] on a key that is not a list', async () => {
    const run = await runConsole(root, ['config:set', domain, 'General.default_timezone[]', 'UTC']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /\[General\] default_timezone is not a list/);
    assert.equal(readFileSync(configFile, 'utf8'), HAND_EDITED_CONFIG);
  });

  it('rejects a malformed setting name as a usage error', async () => {
    const run = await runConsole(root, ['config:set', domain, 'no-dot', 'x']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Invalid setting 'no-dot'\. Use SECTION\.KEY/);
  });

  it('writes a value with quotes so that it reads back unchanged', async () => {
    await runConsoleJson(root, ['config:set', domain, 'General.enabled_periods_API', 'day,"week" & $month']);
    assert.equal((await runConsole(root, ['config:get', domain, 'General.enabled_periods_API'])).stdout, 'day,"week" & $month\n');
  });

  it('prints a value with the file that set it', async () => {
    const fromTenant = await runConsoleJson(root, ['config:get', domain, 'Tracker.visit_standard_length']);
    assert.deepEqual(fromTenant, { section: 'Tracker', key: 'visit_standard_length', value: '900', file: configFile });
    const fromCommon = await runConsoleJson(root, ['config:get', domain, 'General.password_hash_cost']);
    assert.deepEqual(fromCommon, { section: 'General', key: 'password_hash_cost', value: '4', file: root.rootPaths.commonConfig });
  });

  it('fails for a key no file sets', async () => {
    const run = await runConsole(root, ['config:get', domain, 'General.not_a_setting']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Setting \[General\] not_a_setting is not set in any config file/);
  });
});

describe('cache:clear', () => {
  const root = createTestRoot();
  after(() => deleteAllTenants(root));

  it('empties tmp/HOST/ and keeps other tenants\' caches', async () => {
    const host = uniqueHost('cache');
    const other = uniqueHost('other');
    await runConsoleJson(root, ['tenant:create', host]);
    await runConsoleJson(root, ['tenant:create', other]);
    const tmpDir = buildTenantPaths(root.rootPaths, host as TenantHost).tmpDir;
    const otherTmpDir = buildTenantPaths(root.rootPaths, other as TenantHost).tmpDir;
    for (const folder of [tmpDir, otherTmpDir]) {
      mkdirSync(resolve(folder, 'templates'), { recursive: true });
      writeFileSync(resolve(folder, 'templates', 'a.cache'), 'x');
      writeFileSync(resolve(folder, 'lock'), 'x');
    }

    const result = await runConsoleJson<{ removed: number }>(root, ['cache:clear', `--matomo-domain=${host}`]);
    assert.equal(result.removed, 2);
    assert.deepEqual(readdirSync(tmpDir), []);
    assert.deepEqual(readdirSync(otherTmpDir).sort(), ['lock', 'templates']);
  });

  it('succeeds when the tenant has no tmp folder yet', async () => {
    const host = uniqueHost('nocache');
    await runConsoleJson(root, ['tenant:create', host]);
    const result = await runConsoleJson<{ removed: number }>(root, ['cache:clear', `--matomo-domain=${host}`]);
    assert.equal(result.removed, 0);
    assert.equal(existsSync(buildTenantPaths(root.rootPaths, host as TenantHost).tmpDir), false);
  });
});
