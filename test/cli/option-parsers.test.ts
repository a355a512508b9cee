import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseListenHost } from '../../src/cli/option-parsers.js';
import { isFootfallError } from '../../src/errors.js';

describe('parseListenHost', () => {
  const accepted: [string, string][] = [
    ['127.0.0.1', '127.0.0.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['::', '::'],
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['localhost', 'localhost'],
    ['stats.example.com', 'stats.example.com'],
    ['host-1.example.', 'host-1.example.'],
  ];
  for (const [value, expected] of accepted) {
    it(`accepts ${value}`, () => {
      assert.equal(parseListenHost(value), expected);
    });
  }

  for (const value of ['0x7f.1', '127.1', '2130706433', '0177.0.0.1', '0x7f000001', '0x7f.0x1', '999.1.1.1']) {
    it(`rejects IPv4 form ${value}`, () => {
      assert.throws(() => parseListenHost(value), (error) => {
        assert.ok(isFootfallError(error, 'PARAMETER_INVALID'));
        assert.equal(error.message, `Invalid --host '${value}': expected a dotted-quad IPv4 address in canonical form, such as 127.0.0.1, an IPv6 address or a host name. `
          + 'A name that ends in a number is read as an IPv4 address, and a shorthand, octal or hexadecimal form of one is ambiguous.');
        return true;
      });
    });
  }

  for (const value of ['999.1.1.1', '1.2.3', '256.0.0.1', '', 'a b', 'exa_mple.com', '-bad.example', 'http://example.com', '[127.0.0.1', 'a..b']) {
    it(`rejects ${JSON.stringify(value)}`, () => {
      assert.throws(() => parseListenHost(value), (error) => isFootfallError(error, 'PARAMETER_INVALID') && error.message.startsWith(`Invalid --host '${value}'`));
    });
  }
});
