import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { isFootfallError } from '../../src/errors.js';
import { parseTenantHost, type TenantHost } from '../../src/tenancy/tenant-host.js';
import type { TestRoot } from '../support/test-root.js';
import { useTestRoot } from '../support/suite-root.js';

const GUARD = '; <?php exit; ?> DO NOT REMOVE THIS LINE';

function writeTenantFile(root: TestRoot, file: string, lines: string[]): void {
  mkdirSync(resolve(file, '..'), { recursive: true });
  writeFileSync(file, [GUARD, ...lines, ''].join('\n'));
}

describe('TenantRegistry', () => {
  const suite = useTestRoot(async () => ({}));

  it('finds a tenant in misc/user/<host>/config.ini.php', () => {
    writeTenantFile(suite.root, resolve(suite.root.dir, 'misc/user/a.example/config.ini.php'), ['[General]', 'salt = "a"']);
    const tenant = suite.root.registry.get('a.example' as TenantHost);
    assert.equal(tenant?.key, 'a.example');
    assert.equal(tenant?.paths.filesDir, resolve(suite.root.dir, 'misc/user/a.example'));
    assert.equal(tenant?.paths.tmpDir, resolve(suite.root.dir, 'tmp/a.example'));
    assert.equal(tenant?.databaseConfig.sqliteFile, resolve(suite.root.dir, 'misc/user/a.example/footfall.sqlite'));
  });

  it('prefers the legacy config/<host>.config.ini.php', () => {
    writeTenantFile(suite.root, resolve(suite.root.dir, 'misc/user/b.example/config.ini.php'), ['[General]', 'salt = "preferred"']);
    writeTenantFile(suite.root, resolve(suite.root.dir, 'config/b.example.config.ini.php'), ['[General]', 'salt = "legacy"']);
    assert.equal(suite.root.registry.get('b.example' as TenantHost)?.salt, 'legacy');
  });

  it('gives an unknown host no tenant while there is no single-tenant install', () => {
    assert.equal(suite.root.registry.resolve(parseTenantHost('unknown.example')), null);
    assert.equal(suite.root.registry.resolve(parseTenantHost('[::1]')), null);
  });

  it('gives an unknown host the single-tenant install once it exists', () => {
    writeTenantFile(suite.root, resolve(suite.root.dir, 'config/config.ini.php'), ['[General]', 'salt = "single"']);
    assert.equal(suite.root.registry.resolve(parseTenantHost('unknown.example'))?.key, '_default');
    assert.equal(suite.root.registry.resolve(parseTenantHost('127.0.0.1:8080'))?.salt, 'single');
    assert.equal(suite.root.registry.resolve(parseTenantHost('a.example'))?.key, 'a.example');
    rmSync(resolve(suite.root.dir, 'config/config.ini.php'));
    assert.equal(suite.root.registry.resolve(parseTenantHost('unknown.example')), null);
  });

  it('notices a changed, added and removed tenant file without a restart', () => {
    const file = resolve(suite.root.dir, 'misc/user/c.example/config.ini.php');
    assert.equal(suite.root.registry.get('c.example' as TenantHost), null);
    writeTenantFile(suite.root, file, ['[General]', 'salt = "one"']);
    assert.equal(suite.root.registry.get('c.example' as TenantHost)?.salt, 'one');
    writeTenantFile(suite.root, file, ['[General]', 'salt = "two-longer"']);
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    assert.equal(suite.root.registry.get('c.example' as TenantHost)?.salt, 'two-longer');
    rmSync(file);
    assert.equal(suite.root.registry.get('c.example' as TenantHost), null);
  });

  it('sees a change of common.config.ini.php in every tenant', () => {
    const common = resolve(suite.root.dir, 'config/common.config.ini.php');
    writeTenantFile(suite.root, common, ['[General]', 'default_currency = "EUR"']);
    utimesSync(common, new Date(), new Date(Date.now() + 10000));
    assert.equal(suite.root.registry.get('a.example' as TenantHost)?.settings.string('General', 'default_currency'), 'EUR');
  });

  it('lists the hosts of both config locations once each, skipping invalid names', () => {
    mkdirSync(resolve(suite.root.dir, 'misc/user/not_a_host'), { recursive: true });
    writeFileSync(resolve(suite.root.dir, 'misc/user/not_a_host/config.ini.php'), GUARD);
    writeFileSync(resolve(suite.root.dir, 'config/Upper.Example.config.ini.php'), GUARD);
    assert.deepEqual(suite.root.registry.listHosts(), ['a.example', 'b.example']);
  });

  it('throws TENANT_NOT_FOUND for an unknown --matomo-domain', () => {
    assert.throws(() => suite.root.registry.require('nowhere.example'), (error: unknown) => isFootfallError(error, 'TENANT_NOT_FOUND'));
  });

  it('rejects an IPv6 --matomo-domain as invalid', () => {
    for (const raw of ['::1', '[::1]']) {
      assert.throws(() => suite.root.registry.require(raw), (error: unknown) => {
        assert.ok(isFootfallError(error, 'HOST_INVALID'), raw);
        assert.match(error.message, /an IPv6 address cannot name a tenant\. Pass the host name/, raw);
        assert.doesNotMatch(error.message, /tenant:create/, raw);
        return true;
      });
    }
  });

  it('throws CONFIG_INVALID for a tenant file with a bad value', () => {
    writeTenantFile(suite.root, resolve(suite.root.dir, 'misc/user/d.example/config.ini.php'), ['[database]', 'adapter = "oracle"']);
    assert.throws(() => suite.root.registry.get('d.example' as TenantHost), (error: unknown) => isFootfallError(error, 'CONFIG_INVALID'));
  });

  it('creates no file or folder while looking up hosts', () => {
    const before = readdirSync(suite.root.dir, { recursive: true }).sort();
    for (const host of ['e.example', 'f.example', '10.0.0.1']) suite.root.registry.resolve(parseTenantHost(host));
    assert.deepEqual(readdirSync(suite.root.dir, { recursive: true }).sort(), before);
    assert.equal(existsSync(resolve(suite.root.dir, 'tmp')), false);
  });
});
