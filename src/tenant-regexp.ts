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

/** A JavaScript Unicode escape after its backslash: `uXXXX` or `u{X...}`, read at `lastIndex`. */
const UNICODE_ESCAPE = /u(?:([0-9A-Fa-f]{4})|\{([0-9A-Fa-f]{1,6})\})/y;

/**
 * Rewrites the two JavaScript-only forms that patterns saved before tenant patterns ran on
 * RE2 may contain into their RE2 equivalents: `\uXXXX` and `\u{X...}` become `\x{...}`, and
 * `[^]` (any character, newlines included) becomes `[\s\S]`. Escaped backslashes stay as they
 * are, and `[^]` is rewritten only where it opens a character class. An escaped surrogate
 * pair such as `\ud83d\ude00` becomes the one code point it encodes, `\x{1f600}`.
 *
 * NOTE: `compileTenantRegExp` rewrites only patterns that RE2 rejects. A saved JavaScript
 * pattern that RE2 also reads, such as `[^]]`, keeps RE2's meaning (any character but `]`).
 */
export function rewriteJavaScriptSyntax(pattern: string): string {
  let rewritten = '';
  let inClass = false;
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index]!;
    if (char === '\\') {
      UNICODE_ESCAPE.lastIndex = index + 1;
      const unicode = UNICODE_ESCAPE.exec(pattern);
      if (unicode) {
        const pair = readSurrogatePair(pattern, unicode);
        rewritten += `\\x{${pair ?? unicode[1] ?? unicode[2]}}`;
        index += unicode[0].length + (pair === undefined ? 0 : 6);
      } else {
        rewritten += pattern.slice(index, index + 2);
        index += 1;
      }
    } else if (!inClass && pattern.startsWith('[^]', index)) {
      rewritten += '[\\s\\S]';
      index += 2;
    } else {
      if (char === '[' && !inClass) inClass = true;
      else if (char === ']' && inClass) inClass = false;
      rewritten += char;
    }
  }
  return rewritten;
}

/**
 * Returns the code point, in hex, of a high surrogate escape `unicode` followed by a low
 * surrogate escape at `UNICODE_ESCAPE.lastIndex`, or undefined. JavaScript without the `u`
 * flag matches the pair against the two halves of a character. RE2 reads the text by code
 * points, so it needs the pair as one code point to match that character.
 */
function readSurrogatePair(pattern: string, unicode: RegExpExecArray): string | undefined {
  const high = unicode[1] === undefined ? Number.NaN : Number.parseInt(unicode[1], 16);
  if (!(high >= 0xd800 && high <= 0xdbff) || pattern[UNICODE_ESCAPE.lastIndex] !== '\\') return undefined;
  UNICODE_ESCAPE.lastIndex += 1;
  const low = UNICODE_ESCAPE.exec(pattern)?.[1];
  const lowValue = low === undefined ? Number.NaN : Number.parseInt(low, 16);
  if (!(lowValue >= 0xdc00 && lowValue <= 0xdfff)) return undefined;
  return (0x10000 + (high - 0xd800) * 0x400 + (lowValue - 0xdc00)).toString(16);
}

function compileRe2(pattern: string, flags: TenantRegExpFlags): TenantRegExp {
  return RE2JS.compile(pattern, flags === 'i' ? RE2JS.CASE_INSENSITIVE : 0);
}

/** Compiles a pattern as `compileRe2` does, or returns undefined when RE2 rejects it. */
function compileRe2OrUndefined(pattern: string, flags: TenantRegExpFlags): TenantRegExp | undefined {
  try {
    return compileRe2(pattern, flags);
  } catch {
    return undefined;
  }
}

/**
 * Compiles a tenant's regular expression in RE2 syntax, or returns it from the cache. A pattern
 * that RE2 rejects is compiled again with its JavaScript-only escapes rewritten
 * (`rewriteJavaScriptSyntax`), so goals and extractions saved in that form still match.
 *
 * @throws InvalidTenantRegExpError when RE2 cannot compile the pattern, rewritten or not.
 */
export function compileTenantRegExp(pattern: string, flags: TenantRegExpFlags): TenantRegExp {
  const key = `${flags}/${pattern}`;
  let compiled = compiledPatterns.get(key);
  if (compiled === undefined) {
    try {
      compiled = compileRe2(pattern, flags);
    } catch (error) {
      const rewritten = rewriteJavaScriptSyntax(pattern);
      compiled = (rewritten === pattern ? undefined : compileRe2OrUndefined(rewritten, flags))
        ?? new InvalidTenantRegExpError(pattern, error instanceof Error ? error.message : String(error));
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
