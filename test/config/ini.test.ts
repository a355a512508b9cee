import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeIniEntities, encodeIniEntities, INI_GUARD_LINE, IniDocument, IniSyntaxError, parseIni } from '../../src/config/ini.js';

const MATOMO_FILE = [
  '; <?php exit; ?> DO NOT REMOVE THIS LINE',
  '; file automatically generated or modified by Matomo',
  '[database]',
  'host = "db1"',
  'username = t_acme',
  'password = "p&amp;ss&#36;word"',
  'port = 3306 ; the default',
  '',
  '[General]',
  'salt = "abc"',
  'trusted_hosts[] = "acme.example"',
  'trusted_hosts[] = "www.acme.example"',
  '# hash comments are accepted too',
  "currencies[BTC] = 'Bitcoin'",
  'currencies[EUR] = Euro',
  '',
].join('\n');

describe('parseIni', () => {
  it('reads sections, quoted and bare values, lists and maps', () => {
    assert.deepEqual(parseIni(MATOMO_FILE), {
      database: { host: 'db1', username: 't_acme', password: 'p&ss$word', port: '3306' },
      General: {
        salt: 'abc',
        trusted_hosts: ['acme.example', 'www.acme.example'],
        currencies: { BTC: 'Bitcoin', EUR: 'Euro' },
      },
    });
  });

  it('accepts a UTF-8 BOM and CRLF line ends', () => {
    const text = '\uFEFF' + MATOMO_FILE.replace(/\n/g, '\r\n');
    assert.deepEqual(parseIni(text), parseIni(MATOMO_FILE));
  });

  it('keeps an empty section', () => {
    assert.deepEqual(parseIni('[Tracker]\n'), { Tracker: {} });
  });

  it('rejects a key before any section with its line number', () => {
    assert.throws(() => parseIni('; comment\nkey = 1\n'), (error: unknown) => error instanceof IniSyntaxError && error.line === 2);
  });

  it('rejects an unclosed quote', () => {
    assert.throws(() => parseIni('[a]\nkey = "open\n'), IniSyntaxError);
  });

  it('rejects a line that is no section, key or comment', () => {
    assert.throws(() => parseIni('[a]\nthis is not ini\n'), (error: unknown) => error instanceof IniSyntaxError && error.line === 2);
  });
});

describe('INI entities', () => {
  it('round-trips HTML special characters and dollar signs', () => {
    const value = `a&b<c>"d'e$f`;
    assert.equal(encodeIniEntities(value), 'a&amp;b&lt;c&gt;&quot;d&#039;e&#36;f');
    assert.equal(decodeIniEntities(encodeIniEntities(value)), value);
  });

  it('leaves unknown named entities as they are', () => {
    assert.equal(decodeIniEntities('&nbsp;&#x41;'), '&nbsp;A');
  });
});

describe('IniDocument', () => {
  it('changes only the lines of the key it sets', () => {
    const doc = IniDocument.parse(MATOMO_FILE);
    doc.set('database', 'host', 'db2');
    const lines = doc.toString().split('\n');
    assert.equal(lines[0], INI_GUARD_LINE);
    assert.equal(lines[1], '; file automatically generated or modified by Matomo');
    assert.equal(lines[3], 'host = "db2"');
    assert.equal(lines[6], 'port = 3306 ; the default');
    assert.equal(lines[12], '# hash comments are accepted too');
  });

  it('replaces a whole list in place', () => {
    const doc = IniDocument.parse(MATOMO_FILE);
    doc.set('General', 'trusted_hosts', ['only.example']);
    assert.deepEqual(parseIni(doc.toString()).General!.trusted_hosts, ['only.example']);
    assert.match(doc.toString(), /salt = "abc"\ntrusted_hosts\[\] = "only.example"\n# hash/);
  });

  it('appends new keys and new sections', () => {
    const doc = IniDocument.parse(MATOMO_FILE);
    doc.set('database', 'dbname', 'acme');
    doc.set('Tracker', 'record_statistics', '0');
    const data = parseIni(doc.toString());
    assert.equal(data.database!.dbname, 'acme');
    assert.deepEqual(data.Tracker, { record_statistics: '0' });
    assert.match(doc.toString(), /port = 3306 ; the default\ndbname = "acme"\n/);
    assert.match(doc.toString(), /\[Tracker\]\nrecord_statistics = 0\n$/);
  });

  it('writes values that need entities encoded and reads them back', () => {
    const doc = IniDocument.create();
    doc.set('database', 'password', 'a"b$c;d');
    assert.equal(parseIni(doc.toString()).database!.password, 'a"b$c;d');
  });

  it('adds the guard line to a file that lacks it', () => {
    const doc = IniDocument.parse('[General]\nsalt = x\n');
    assert.equal(doc.toString().split('\n')[0], INI_GUARD_LINE);
    assert.equal(parseIni(doc.toString()).General!.salt, 'x');
  });

  it('keeps CRLF line ends when the file has them', () => {
    const doc = IniDocument.parse(MATOMO_FILE.replace(/\n/g, '\r\n'));
    doc.set('General', 'salt', 'new');
    assert.ok(doc.toString().includes('salt = "new"\r\n'));
    assert.ok(!/[^\r]\n/.test(doc.toString()));
  });

  it('deletes every line of a key', () => {
    const doc = IniDocument.parse(MATOMO_FILE);
    assert.equal(doc.delete('General', 'currencies'), true);
    assert.equal(doc.delete('General', 'currencies'), false);
    assert.equal(parseIni(doc.toString()).General!.currencies, undefined);
  });
});
