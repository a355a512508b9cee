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

  for (const value of ['999.1.1.1', '1.2.3', '256.0.0.1', '', 'a b', 'exa_mple.com', '-bad.example', 'http://example.com', '[127.0.0.1', 'a..b']) {
    it(`rejects ${JSON.stringify(value)}`, () => {
      assert.throws(() => parseListenHost(value), (error) => isFootfallError(error, 'PARAMETER_INVALID') && error.message.startsWith(`Invalid --host '${value}'`));
    });
  }
});
