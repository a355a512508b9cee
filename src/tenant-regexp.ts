/**
 * Regular expressions that tenant users write (goal patterns, custom dimension extractions,
 * `filter_pattern`). They run in the server process that every tenant shares, so they use
 * re2js, a JavaScript port of RE2. RE2 simulates the automaton instead of backtracking, so
 * for a given pattern its matching time is linear in the length of the text. RE2 syntax
 * has no backreferences or lookaround for that reason, and caps repeat counts at 1000.
 */
import { LRUCache } from 'lru-cache';
import { RE2JS } from 're2js';

/**
 * Maximum length, in UTF-16 code units, of the text a tenant pattern runs on; longer text is cut
 * to this length first. 2048 is the URL length that browsers and sitemaps have long supported.
 */
export const MAX_TENANT_REGEXP_INPUT_LENGTH = 2048;

/** A compiled tenant pattern. */
export type TenantRegExp = RE2JS;

/** Flags of a tenant pattern: '' matches case-sensitively, 'i' ignores case. */
export type TenantRegExpFlags = '' | 'i';

/** Sentence of the error messages that names the syntax a tenant pattern must use. */
export const TENANT_REGEXP_SYNTAX_HINT = 'Use RE2 syntax, which has no backreferences such as \\1 and no lookaround such as (?=...) or (?<=...).';

/** Thrown when RE2 cannot compile a pattern, for example because it uses a backreference or lookaround. */
export class InvalidTenantRegExpError extends Error {
  /** The RE2 parser's message, such as "invalid or unsupported Perl syntax: `(?=`". */
  readonly reason: string;

  constructor(readonly pattern: string, reason: string) {
    super(`Invalid regular expression ${JSON.stringify(pattern)}: ${reason}. ${TENANT_REGEXP_SYNTAX_HINT}`);
    this.name = 'InvalidTenantRegExpError';
    this.reason = reason;
  }
}

/** Compiled patterns by flags and source, because goals and extractions run on every hit. */
const compiledPatterns = new LRUCache<string, TenantRegExp | InvalidTenantRegExpError>({ max: 2000 });

/**
 * Compiles a tenant's regular expression in RE2 syntax, or returns it from the cache.
 *
 * @throws InvalidTenantRegExpError when RE2 cannot compile the pattern.
 */
export function compileTenantRegExp(pattern: string, flags: TenantRegExpFlags): TenantRegExp {
  const key = `${flags}/${pattern}`;
  let compiled = compiledPatterns.get(key);
  if (compiled === undefined) {
    try {
      compiled = RE2JS.compile(pattern, flags === 'i' ? RE2JS.CASE_INSENSITIVE : 0);
    } catch (error) {
      compiled = new InvalidTenantRegExpError(pattern, error instanceof Error ? error.message : String(error));
    }
    compiledPatterns.set(key, compiled);
  }
  if (compiled instanceof InvalidTenantRegExpError) throw compiled;
  return compiled;
}

/**
 * Searches the first MAX_TENANT_REGEXP_INPUT_LENGTH characters of `text` for the pattern, as
 * RegExp `exec` does without the `g` flag. Returns the whole match followed by each capturing
 * group (null for a group that took no part), or null when nothing matches.
 */
export function execTenantRegExp(pattern: TenantRegExp, text: string): (string | null)[] | null {
  const input = text.length > MAX_TENANT_REGEXP_INPUT_LENGTH ? text.slice(0, MAX_TENANT_REGEXP_INPUT_LENGTH) : text;
  const matcher = pattern.matcher(input);
  if (!matcher.find()) return null;

  const groups: (string | null)[] = [];
  for (let group = 0; group <= matcher.groupCount(); group++) groups.push(matcher.group(group));
  return groups;
}

/** Returns whether the pattern matches somewhere in the first MAX_TENANT_REGEXP_INPUT_LENGTH characters of `text`. */
export function testTenantRegExp(pattern: TenantRegExp, text: string): boolean {
  const input = text.length > MAX_TENANT_REGEXP_INPUT_LENGTH ? text.slice(0, MAX_TENANT_REGEXP_INPUT_LENGTH) : text;
  return pattern.matcher(input).find();
}

/** Returns the number of capturing groups of a compiled pattern. */
export function countTenantRegExpGroups(pattern: TenantRegExp): number {
  return pattern.groupCount();
}
