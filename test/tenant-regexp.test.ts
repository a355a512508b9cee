import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  compileTenantRegExp, countTenantRegExpGroups, execTenantRegExp, InvalidTenantRegExpError, MAX_TENANT_REGEXP_INPUT_LENGTH, rewriteJavaScriptSyntax,
  testTenantRegExp,
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

  test('JavaScript escapes are rewritten', () => {
    const cases: [string, string][] = [
      ['caf\\u00e9', 'caf\\x{00e9}'],
      ['\\u{1F600}', '\\x{1F600}'],
      ['a[^]b', 'a[\\s\\S]b'],
      ['[[^]]', '[[^]]'],
      ['\\\\u00e9', '\\\\u00e9'],
      ['\\[^]', '\\[^]'],
      ['\\u00g9', '\\u00g9'],
    ];
    for (const [pattern, expected] of cases) assert.equal(rewriteJavaScriptSyntax(pattern), expected, pattern);
  });

  test('stored JavaScript escapes still match', () => {
    assert.equal(testTenantRegExp(compileTenantRegExp('caf\\u00e9$', 'i'), 'https://example.org/CAFÉ'), true);
    assert.equal(testTenantRegExp(compileTenantRegExp('a[^]b', ''), 'a\nb'), true);
    assert.equal(testTenantRegExp(compileTenantRegExp('a[^]b', ''), 'ab'), false);
  });

  test('escaped surrogate pair matches its character', () => {
    assert.equal(rewriteJavaScriptSyntax('\\ud83d\\ude00'), '\\x{1f600}');
    assert.equal(rewriteJavaScriptSyntax('[\\ud83d\\ude00-\\ud83d\\ude4f]'), '[\\x{1f600}-\\x{1f64f}]');
    assert.equal(rewriteJavaScriptSyntax('\\ud83d\\u0041'), '\\x{d83d}\\x{0041}');
    assert.equal(testTenantRegExp(compileTenantRegExp('a\\ud83d\\ude00b', ''), 'a\u{1F600}b'), true);
    assert.equal(testTenantRegExp(compileTenantRegExp('[\\ud83d\\ude00-\\ud83d\\ude4f]', ''), 'x\u{1F64F}'), true);
    assert.equal(testTenantRegExp(compileTenantRegExp('[\\ud83d\\ude00-\\ud83d\\ude4f]', ''), 'x\u{1F650}'), false);
  });

  test('rewriting keeps unsupported syntax rejected', () => {
    assert.throws(() => compileTenantRegExp('\\u00e9(?=x)', ''), (error: unknown) => {
      assert.ok(error instanceof InvalidTenantRegExpError);
      assert.equal(error.pattern, '\\u00e9(?=x)');
      return true;
    });
  });
});
