/** Reading the structured parameters of the TagManager methods: nested brackets, JSON, id lists and conditions. */
import { FootfallError, quote } from '../../errors.js';
import { CONDITION_COMPARISONS, ensureOneOf, type TriggerCondition } from '../../tag-manager/container-store.js';
import type { ApiParams } from '../api-params.js';

type Nested = { [key: string]: Nested } | string;

/**
 * Reads a structured parameter sent as `name[key]=value`, `name[0][key]=value` or `name[]=value`,
 * or as one JSON value. Objects whose keys are all indexes become arrays.
 *
 * @throws FootfallError PARAMETER_INVALID for malformed JSON.
 */
export function readStructuredParam(params: ApiParams, name: string): unknown {
  const plain = params.optionalString(name);
  if (plain !== undefined && plain.trim() !== '') {
    try {
      return JSON.parse(plain);
    } catch {
      throw new FootfallError('PARAMETER_INVALID', `Invalid '${name}' ${quote(plain)}. Send ${name}[key]=value pairs or a JSON value.`);
    }
  }
  const root: { [key: string]: Nested } = {};
  for (const [key, raw] of params.entries()) {
    if (!key.startsWith(`${name}[`)) continue;
    const path = [...key.slice(name.length).matchAll(/\[([^\]]*)\]/g)].map((match) => match[1]!);
    const values = Array.isArray(raw) ? raw : [raw ?? ''];
    for (const value of values) assignPath(root, path, value);
  }
  return Object.keys(root).length === 0 ? undefined : toArrays(root);
}

function assignPath(root: { [key: string]: Nested }, path: string[], value: string): void {
  let node = root;
  path.forEach((segment, index) => {
    const key = segment === '' ? String(Object.keys(node).length) : segment;
    if (index === path.length - 1) {
      node[key] = value;
      return;
    }
    if (typeof node[key] !== 'object') node[key] = {};
    node = node[key] as { [key: string]: Nested };
  });
}

function toArrays(node: Nested): unknown {
  if (typeof node === 'string') return node;
  const keys = Object.keys(node);
  const converted = Object.fromEntries(keys.map((key) => [key, toArrays(node[key]!)]));
  return keys.length > 0 && keys.every((key) => /^[0-9]+$/.test(key)) ? keys.sort((a, b) => Number(a) - Number(b)).map((key) => converted[key]) : converted;
}

export function readObjectParam(params: ApiParams, name: string): Record<string, unknown> {
  const value = readStructuredParam(params, name) ?? {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FootfallError('PARAMETER_INVALID', `Invalid '${name}'. Expected ${name}[key]=value pairs.`);
  }
  return value as Record<string, unknown>;
}

export function readIdList(params: ApiParams, name: string): number[] {
  const value = readStructuredParam(params, name) ?? [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((item) => {
    const text = String(item).trim();
    if (!/^[0-9]+$/.test(text)) throw new FootfallError('PARAMETER_INVALID', `Invalid '${name}' entry ${quote(text)}. Expected trigger ids.`);
    return Number(text);
  });
}

export function readConditions(params: ApiParams): TriggerCondition[] {
  const value = readStructuredParam(params, 'conditions') ?? [];
  if (!Array.isArray(value)) throw new FootfallError('PARAMETER_INVALID', "Invalid 'conditions'. Expected conditions[0][actual], conditions[0][comparison] and conditions[0][expected].");
  return value.map((condition: Record<string, unknown>) => ({
    actual: String(condition?.actual ?? ''),
    comparison: ensureOneOf('comparison', String(condition?.comparison ?? ''), CONDITION_COMPARISONS),
    expected: String(condition?.expected ?? ''),
  }));
}

export function requireName(params: ApiParams): string {
  const name = params.requiredString('name').trim();
  if (name.length > 255) throw new FootfallError('PARAMETER_INVALID', `Invalid name ${quote(name)}. Use at most 255 characters.`);
  return name;
}
