/** Small helpers for the values reports return. */
import type { ApiObject, ApiValue } from '../api/api-value.js';

/** Returns an object with the given keys in order, for metric objects whose key order clients see. */
export function pickInOrder(source: Readonly<Record<string, unknown>>, keys: readonly string[]): ApiObject {
  const result: ApiObject = {};
  for (const key of keys) if (key in source) result[key] = source[key] as ApiValue;
  return result;
}
