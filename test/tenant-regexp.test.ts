import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  compileTenantRegExp, countTenantRegExpGroups, execTenantRegExp, InvalidTenantRegExpError, MAX_TENANT_REGEXP_INPUT_LENGTH, testTenantRegExp,
} from '../src/tenant-regexp.js';

describe('tenant regular expressions', () => {
  test('overlapping alternatives match 2048 characters', () => {
    const pattern = compileTenantRegExp('^(a|a)*$', '');
    assert.equal(testTenantRegExp(pattern, 'a'.repeat(2048)), true);
    assert.equal(testTenantRegExp(pattern, `${'a'.repeat(2047)}c`), false);
  });

  test('adjacent quantifiers match 2048 characters', () => {
    const pattern = compileTenantRegExp('a*a*a*b', '');
    assert.equal(testTenantRegExp(pattern, 'a'.repeat(2048)), false);
    assert.equal(testTenantRegExp(pattern, `${'a'.repeat(2047)}b`), true);
  });

  test('nested quantifiers are accepted', () => {
    const pattern = compileTenantRegExp('^(a+)+$', '');
    assert.equal(testTenantRegExp(pattern, `${'a'.repeat(2047)}c`), false);
  });

  test('input is cut to the maximum length', () => {
    const pattern = compileTenantRegExp('b', '');
    assert.equal(testTenantRegExp(pattern, `${'a'.repeat(MAX_TENANT_REGEXP_INPUT_LENGTH - 1)}b`), true);
    assert.equal(testTenantRegExp(pattern, `${'a'.repeat(MAX_TENANT_REGEXP_INPUT_LENGTH)}b`), false);
    assert.equal(execTenantRegExp(pattern, `${'a'.repeat(MAX_TENANT_REGEXP_INPUT_LENGTH)}b`), null);
  });

  test('i flag ignores case', () => {
    assert.equal(testTenantRegExp(compileTenantRegExp('^/Blog/', 'i'), '/BLOG/post'), true);
    assert.equal(testTenantRegExp(compileTenantRegExp('^/Blog/', ''), '/BLOG/post'), false);
    assert.equal(testTenantRegExp(compileTenantRegExp('straße', 'i'), 'STRAßE'), true);
  });

  test('exec returns match and groups', () => {
    const pattern = compileTenantRegExp('/(a)|/(b)', '');
    assert.deepEqual(execTenantRegExp(pattern, 'x/b'), ['/b', null, 'b']);
    assert.equal(execTenantRegExp(pattern, 'x/c'), null);
    assert.equal(countTenantRegExpGroups(pattern), 2);
    assert.equal(countTenantRegExpGroups(compileTenantRegExp('(?:a|b)/(\\d+)', '')), 1);
  });

  test('compiled pattern is cached', () => {
    assert.equal(compileTenantRegExp('^/cached/', 'i'), compileTenantRegExp('^/cached/', 'i'));
    assert.notEqual(compileTenantRegExp('^/cached/', 'i'), compileTenantRegExp('^/cached/', ''));
  });

  test('syntax outside RE2 is rejected', () => {
    for (const pattern of ['(a)\\1', 'a(?=b)', 'a(?!b)', '(?<=a)b', '(?<!a)b', '[', 'a{1001}']) {
      assert.throws(() => compileTenantRegExp(pattern, ''), (error: unknown) => {
        assert.ok(error instanceof InvalidTenantRegExpError, pattern);
        assert.equal(error.pattern, pattern);
        assert.ok(error.message.includes(JSON.stringify(pattern)), error.message);
        assert.match(error.message, /RE2 syntax/);
        return true;
      });
      // The cached error is thrown again on the next call.
      assert.throws(() => compileTenantRegExp(pattern, ''), InvalidTenantRegExpError);
    }
  });
});
