import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Settings } from '../../src/config/settings.js';
import { isFootfallError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'footfall-settings-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, ['; <?php exit; ?> DO NOT REMOVE THIS LINE', ...lines, ''].join('\n'));
  return path;
}

const global = file('global.ini.php', [
  '[General]', 'default_timezone = "UTC"', 'trusted_hosts[] = "a"', 'trusted_hosts[] = "b"', 'currencies[USD] = Dollar', 'currencies[EUR] = Euro',
  '[Tracker]', 'visit_standard_length = 1800', 'record_statistics = 1',
]);

describe('Settings chain', () => {
  it('reads the defaults when there is no common or local file', () => {
    const settings = Settings.load({ global, common: join(dir, 'missing.ini.php'), local: null });
    assert.equal(settings.int('Tracker', 'visit_standard_length'), 1800);
    assert.deepEqual(settings.list('General', 'trusted_hosts'), ['a', 'b']);
  });

  it('lets common override global key by key and merge maps by name', () => {
    const common = file('common1.ini.php', ['[General]', 'default_timezone = "Europe/Paris"', 'currencies[JPY] = Yen']);
    const settings = Settings.load({ global, common, local: null });
    assert.equal(settings.string('General', 'default_timezone'), 'Europe/Paris');
    assert.deepEqual(settings.map('General', 'currencies'), { USD: 'Dollar', EUR: 'Euro', JPY: 'Yen' });
    assert.equal(settings.sourceOf('General', 'default_timezone'), common);
  });

  it('lets the tenant file replace whole keys, lists and maps included', () => {
    const common = file('common2.ini.php', ['[General]', 'default_timezone = "Europe/Paris"']);
    const local = file('tenant2.ini.php', ['[General]', 'trusted_hosts[] = "c"', 'currencies[GBP] = Pound', 'default_timezone = "Asia/Tokyo"']);
    const settings = Settings.load({ global, common, local });
    assert.deepEqual(settings.list('General', 'trusted_hosts'), ['c']);
    assert.deepEqual(settings.map('General', 'currencies'), { GBP: 'Pound' });
    assert.equal(settings.string('General', 'default_timezone'), 'Asia/Tokyo');
    assert.equal(settings.int('Tracker', 'visit_standard_length'), 1800);
  });

  it('applies [Tracker_<idSite>] over [Tracker] for that site only', () => {
    const local = file('tenant3.ini.php', ['[Tracker_7]', 'visit_standard_length = 600', '[General_7]', 'default_timezone = "Asia/Kathmandu"']);
    const settings = Settings.load({ global, common: join(dir, 'missing.ini.php'), local });
    assert.equal(settings.forSite(7).int('Tracker', 'visit_standard_length'), 600);
    assert.equal(settings.forSite(7).string('General', 'default_timezone'), 'Asia/Kathmandu');
    assert.equal(settings.forSite(8).int('Tracker', 'visit_standard_length'), 1800);
    assert.equal(settings.int('Tracker', 'visit_standard_length'), 1800);
  });

  it('reuses site settings until a reload', () => {
    const local = file('tenant7.ini.php', ['[Tracker_7]', 'visit_standard_length = 600']);
    const settings = Settings.load({ global, common: join(dir, 'missing.ini.php'), local });
    assert.equal(settings.forSite(7), settings.forSite(7));
    assert.equal(settings.forSite(8), settings);

    // A config change reaches tracking as a new Settings object, which must not return the old site's values.
    writeFileSync(local, ['; <?php exit; ?> DO NOT REMOVE THIS LINE', '[Tracker_7]', 'visit_standard_length = 900', '[Tracker_8]', 'visit_standard_length = 60', ''].join('\n'));
    const reloaded = Settings.load({ global, common: join(dir, 'missing.ini.php'), local });
    assert.equal(reloaded.forSite(7).int('Tracker', 'visit_standard_length'), 900);
    assert.equal(reloaded.forSite(8).int('Tracker', 'visit_standard_length'), 60);
    assert.equal(settings.forSite(7).int('Tracker', 'visit_standard_length'), 600);
    assert.equal(settings.forSite(8).int('Tracker', 'visit_standard_length'), 1800);
  });

  it('reads PHP-style booleans', () => {
    const local = file('tenant4.ini.php', ['[Tracker]', 'record_statistics = off']);
    assert.equal(Settings.load({ global, common: join(dir, 'missing.ini.php'), local }).bool('Tracker', 'record_statistics'), false);
  });

  it('reports every bad value with its file, section and key', () => {
    const local = file('tenant5.ini.php', ['[Tracker]', 'visit_standard_length = soon', 'record_statistics = maybe', '[database]', 'adapter = oracle']);
    assert.throws(() => Settings.load({ global, common: join(dir, 'missing.ini.php'), local }), (error: unknown) => {
      assert.ok(isFootfallError(error, 'CONFIG_INVALID'));
      assert.match(error.message, new RegExp(`${local.replace(/[.]/g, '\\.')} \\[Tracker\\] visit_standard_length: got "soon", expected a whole number of at least 1`));
      assert.match(error.message, /\[Tracker\] record_statistics: got "maybe", expected 1 or 0/);
      assert.match(error.message, /\[database\] adapter: got "oracle", expected one of sqlite, mysql, pgsql/);
      return true;
    });
  });

  it('rejects bad [Deletelogs] values', () => {
    const local = file('tenant8.ini.php', [
      '[Deletelogs]', 'delete_logs_enable = sometimes', 'delete_logs_older_than = 0', 'delete_logs_schedule_lowest_interval = weekly', 'delete_logs_max_rows_per_query = 0',
    ]);
    assert.throws(() => Settings.load({ global, common: join(dir, 'missing.ini.php'), local }), (error: unknown) => {
      assert.ok(isFootfallError(error, 'CONFIG_INVALID'));
      assert.match(error.message, new RegExp(`${local.replace(/[.]/g, '\\.')} \\[Deletelogs\\] delete_logs_enable: got "sometimes", expected 1 or 0`));
      assert.match(error.message, /\[Deletelogs\] delete_logs_older_than: got "0", expected a whole number from 1 to 36500/);
      assert.match(error.message, /\[Deletelogs\] delete_logs_schedule_lowest_interval: got "weekly", expected a whole number of at least 1/);
      assert.match(error.message, /\[Deletelogs\] delete_logs_max_rows_per_query: got "0", expected a whole number from 1 to 2147483647/);
      return true;
    });
  });

  it('checks per-site sections against their base section', () => {
    const local = file('tenant6.ini.php', ['[Tracker_3]', 'visit_standard_length = -5']);
    assert.throws(() => Settings.load({ global, common: join(dir, 'missing.ini.php'), local }), /\[Tracker_3\] visit_standard_length/);
  });

  it('names the line of a syntax error', () => {
    const local = file('tenant7.ini.php', ['[General]', 'oops']);
    assert.throws(() => Settings.load({ global, common: join(dir, 'missing.ini.php'), local }), /line 3/);
  });
});
