import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodePhpUrlComponent } from '../src/php-url-decode.js';

describe('decodePhpUrlComponent', () => {
  it('decodes plus and UTF-8 escapes', () => {
    assert.equal(decodePhpUrlComponent('a+b%2Cc%C3%A9'), 'a b,cé');
  });

  it('keeps a bad escape and decodes the rest', () => {
    assert.equal(decodePhpUrlComponent('50%+off%41'), '50% offA');
  });

  it('decodes a byte that is not UTF-8 alone', () => {
    assert.equal(decodePhpUrlComponent('caf%E9'), 'caf\u00e9');
  });
});
