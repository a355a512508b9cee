/**
 * Matomo's segment grammar: conditions joined by `;` (AND) and `,` (OR, binding tighter),
 * with `\;` and `\,` as literal characters and URL-encoded values.
 */
import { FootfallError, quote } from '../errors.js';
import { decodePhpUrlComponent } from '../php-url-decode.js';

/** The ten comparison operators of the grammar. */
export const SEGMENT_OPERATORS = ['==', '!=', '<=', '>=', '=@', '!@', '=^', '=$', '<', '>'] as const;

/** One comparison operator. */
export type SegmentOperator = (typeof SEGMENT_OPERATORS)[number];

/** One condition: `browserCode==FF` is { name: 'browserCode', operator: '==', value: 'FF' }. */
export interface SegmentCondition {
  name: string;
  operator: SegmentOperator;
  /** The URL-decoded value. With `==` and `!=`, '' matches a null or empty column. */
  value: string;
}

/** A segment in conjunctive normal form: every OR-group must match. */
export interface SegmentExpression {
  and: { or: SegmentCondition[] }[];
}

// A non-greedy name, then the first operator; two-character operators are tried first.
const CONDITION_PATTERN = /^(.+?)(==|!=|<=|>=|=@|!@|=\^|=\$|<|>)(.*)$/s;

/** Splits on a delimiter that is not preceded by a backslash, keeping escapes for the next split. */
function splitUnescaped(text: string, delimiter: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (char === '\\' && index + 1 < text.length) {
      current += char + text[index + 1];
      index++;
      continue;
    }
    if (char === delimiter) {
      parts.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  // A trailing delimiter is part of the last value, not an empty condition.
  if (current === '' && parts.length > 0) parts[parts.length - 1] += delimiter;
  else parts.push(current);
  return parts;
}

function unescapeDelimiters(text: string): string {
  return text.replace(/\\([;,])/g, '$1');
}

function parseCondition(text: string, definition: string): SegmentCondition {
  const match = CONDITION_PATTERN.exec(text);
  if (!match || match[1]!.trim() === '') {
    throw new FootfallError('SEGMENT_INVALID', `Invalid segment ${quote(definition)}: ${quote(text)} is not a condition. Write name, operator and value, such as browserCode==FF.`);
  }
  const operator = match[2] as SegmentOperator;
  const value = decodePhpUrlComponent(unescapeDelimiters(match[3]!));
  if (value === '' && operator !== '==' && operator !== '!=') {
    throw new FootfallError('SEGMENT_INVALID', `Invalid segment ${quote(definition)}: the operator ${operator} in ${quote(text)} needs a value. Only == and != accept an empty value.`);
  }
  // PostgreSQL rejects U+0000 in a text parameter, so the value is refused on every engine alike.
  if (value.includes('\u0000')) {
    throw new FootfallError('SEGMENT_INVALID', `Invalid segment ${quote(definition)}: the value of ${quote(text)} decodes to a NUL character. Send the value without %00.`);
  }
  return { name: match[1]!.trim(), operator, value };
}

/**
 * Parses a segment definition as received in the `segment` parameter (already URL-decoded
 * once by the query string), decoding each value once more as Matomo does.
 *
 * @example
 * parseSegment('referrerName==Google,referrerName==Bing;countryCode==in')
 * // { and: [{ or: [Google, Bing] }, { or: [countryCode==in] }] }
 * @throws FootfallError SEGMENT_INVALID for an empty condition or a missing operator or value.
 */
export function parseSegment(definition: string): SegmentExpression {
  const and = splitUnescaped(definition, ';').map((group) => {
    const or = splitUnescaped(group, ',').map((condition) => {
      if (condition.trim() === '') throw new FootfallError('SEGMENT_INVALID', `Invalid segment ${quote(definition)}: it has an empty condition. Remove the doubled ; or ,.`);
      return parseCondition(condition, definition);
    });
    return { or };
  });
  return { and };
}
