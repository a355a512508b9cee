/**
 * `[Tracker] exclude_requests`: rules in the segment grammar over the raw tracking
 * parameters, such as `e_c==Media,action_name=@privacy` (`,` is OR, `;` is AND).
 */
import { FootfallError, quote } from '../errors.js';
import { parseSegment, type SegmentCondition, type SegmentExpression } from '../segments/segment-parser.js';
import type { TrackingParams } from './tracking-params.js';

/** Parameter names a rule may test: letters, digits, `_`, `-`, `.` and brackets, as sent in query strings. */
const PARAMETER_NAME = /^[A-Za-z0-9_.\-[\]]+$/;

/** Parsed rules by definition, so a hit does not parse its tenant's rules again. Cleared when full. */
const compiled = new Map<string, SegmentExpression>();
const MAX_CACHED_RULES = 1000;

/**
 * Parses an `exclude_requests` value. An empty value has no rules and gives null.
 *
 * @throws FootfallError CONFIG_INVALID naming the value and the part that is wrong.
 */
export function parseRequestExclusion(definition: string): SegmentExpression | null {
  if (definition.trim() === '') return null;
  const cached = compiled.get(definition);
  if (cached) return cached;

  let expression: SegmentExpression;
  try {
    expression = parseSegment(definition);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FootfallError('CONFIG_INVALID', `Invalid [Tracker] exclude_requests ${quote(definition)}: ${reason}`, { cause: error });
  }
  for (const group of expression.and) {
    for (const condition of group.or) {
      if (!PARAMETER_NAME.test(condition.name)) {
        throw new FootfallError('CONFIG_INVALID', `Invalid [Tracker] exclude_requests ${quote(definition)}: ${quote(condition.name)} is not a tracking parameter name. Use names such as e_c, action_name or url.`);
      }
    }
  }
  if (compiled.size >= MAX_CACHED_RULES) compiled.clear();
  compiled.set(definition, expression);
  return expression;
}

/** Returns why an `exclude_requests` value is invalid, for the config check, or null when it is valid. */
export function describeInvalidRequestExclusion(definition: string): string | null {
  try {
    parseRequestExclusion(definition);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function asNumber(text: string): number | null {
  if (!/^-?\d+(\.\d+)?$/.test(text.trim())) return null;
  return Number(text);
}

/** Orders two values as numbers when both are numbers, else as text. */
function compareValues(actual: string, expected: string): number {
  const actualNumber = asNumber(actual);
  const expectedNumber = asNumber(expected);
  if (actualNumber !== null && expectedNumber !== null) return actualNumber - expectedNumber;
  if (actual === expected) return 0;
  return actual < expected ? -1 : 1;
}

/**
 * Tests one condition on the parameters. A missing parameter reads as '', so `e_c==`
 * matches hits without an event category. Text comparisons ignore case.
 */
function matchesCondition(condition: SegmentCondition, params: TrackingParams): boolean {
  const actual = (params.raw(condition.name) ?? '').trim().toLowerCase();
  const expected = condition.value.toLowerCase();
  switch (condition.operator) {
    case '==': return compareValues(actual, expected) === 0;
    case '!=': return compareValues(actual, expected) !== 0;
    case '<': return actual !== '' && compareValues(actual, expected) < 0;
    case '<=': return actual !== '' && compareValues(actual, expected) <= 0;
    case '>': return actual !== '' && compareValues(actual, expected) > 0;
    case '>=': return actual !== '' && compareValues(actual, expected) >= 0;
    case '=@': return actual.includes(expected);
    case '!@': return !actual.includes(expected);
    case '=^': return actual.startsWith(expected);
    case '=$': return actual.endsWith(expected);
  }
}

/** Returns whether a hit's parameters match the rules: every `;` group has a matching `,` condition. */
export function matchesRequestExclusion(expression: SegmentExpression, params: TrackingParams): boolean {
  return expression.and.every((group) => group.or.some((condition) => matchesCondition(condition, params)));
}
