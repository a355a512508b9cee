/**
 * Regular expressions that tenant users write (goal patterns, custom dimension extractions,
 * `filter_pattern`). They run in the server process that every tenant shares, so one slow
 * pattern would stall tracking and reports for all tenants of that process.
 */
import { LRUCache } from 'lru-cache';
import safeRegex from 'safe-regex2';

/**
 * Maximum length, in UTF-16 code units, of the text a tenant pattern runs on; longer text is cut
 * to this length first. 2048 is the URL length that browsers and sitemaps have long supported.
 */
export const MAX_TENANT_REGEXP_INPUT_LENGTH = 2048;

/** Thrown when a pattern may take exponential time, so it is rejected before it ever runs. */
export class UnsafeRegExpError extends Error {
  constructor(pattern: string) {
    super(`the pattern ${JSON.stringify(pattern)} has nested quantifiers as in (a+)+, more than 25 quantifiers, or syntax that the safety check cannot parse, such as lookbehind`);
    this.name = 'UnsafeRegExpError';
  }
}

/** Compiled patterns by flags and source, because goals and extractions run on every hit. */
const compiledPatterns = new LRUCache<string, RegExp | Error>({ max: 2000 });

/**
 * Compiles a tenant's regular expression, in JavaScript syntax, after checking with safe-regex2
 * that it has no nested quantifier (star height above 1) and at most 25 repeated parts.
 *
 * NOTE: safe-regex2 is a heuristic. Overlapping alternatives under one quantifier, as in
 * `^(a|a)*$`, and several adjacent quantifiers, as in `a*a*b`, pass the check yet still
 * backtrack exponentially or polynomially. MAX_TENANT_REGEXP_INPUT_LENGTH bounds the
 * polynomial cases only.
 *
 * @throws SyntaxError when the pattern is not a valid regular expression.
 * @throws UnsafeRegExpError when the check rejects it.
 */
export function compileTenantRegExp(pattern: string, flags: string): RegExp {
  const key = `${flags}/${pattern}`;
  let compiled = compiledPatterns.get(key);
  if (compiled === undefined) {
    try {
      compiled = new RegExp(pattern, flags);
      if (!safeRegex(compiled)) compiled = new UnsafeRegExpError(pattern);
    } catch (error) {
      compiled = error as Error;
    }
    compiledPatterns.set(key, compiled);
  }
  if (compiled instanceof Error) throw compiled;
  return compiled;
}

/** Runs `exec` on at most the first MAX_TENANT_REGEXP_INPUT_LENGTH characters of `text`. */
export function execTenantRegExp(pattern: RegExp, text: string): RegExpExecArray | null {
  return pattern.exec(text.length > MAX_TENANT_REGEXP_INPUT_LENGTH ? text.slice(0, MAX_TENANT_REGEXP_INPUT_LENGTH) : text);
}

/** Returns whether the pattern matches the first MAX_TENANT_REGEXP_INPUT_LENGTH characters of `text`. */
export function testTenantRegExp(pattern: RegExp, text: string): boolean {
  return execTenantRegExp(pattern, text) !== null;
}
