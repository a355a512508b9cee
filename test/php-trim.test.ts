import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { trimAsPhp } from '../src/php-trim.js';

describe('PHP trim', () => {
  test('removes PHP default characters', () => {
    assert.equal(trimAsPhp(' \t\n\r\0\u000bname \t\n\r\0\u000b'), 'name');
    assert.equal(trimAsPhp('\u00a0name\u2028'), '\u00a0name\u2028');
    assert.equal(trimAsPhp('   '), '');
    assert.equal(trimAsPhp(''), '');
  });

  test('keeps spaces inside', () => {
    const inner = `a${' '.repeat(200_000)}x`;
    assert.equal(trimAsPhp(`  ${inner}  `), inner);
  });
});
