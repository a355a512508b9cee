/** The parameters of one Reporting API call, read as Matomo reads them. */
import { FootfallError, quote } from '../errors.js';

/** A raw parameter value: query strings and form bodies give strings or repeated strings. */
export type RawParam = string | string[] | undefined;

/**
 * Parameters of an API request with the query string and the form body merged (the body
 * wins, as PHP's `$_GET + $_POST` merge gives it in Matomo's request object). Array
 * parameters are read both as `urls[]=a&urls[]=b` and `urls[0]=a&urls[1]=b`.
 */
export class ApiParams {
  readonly #values: Map<string, RawParam>;

  constructor(values: Record<string, RawParam>) {
    this.#values = new Map(Object.entries(values));
  }

  /** Merges query and body; body values replace query values of the same name. */
  static merge(query: Record<string, RawParam>, body: Record<string, RawParam> | undefined): ApiParams {
    return new ApiParams({ ...query, ...(body ?? {}) });
  }

  /** Returns whether a parameter was sent, even empty. */
  has(name: string): boolean {
    return this.#values.has(name) || this.#values.has(`${name}[]`) || [...this.#values.keys()].some((key) => key.startsWith(`${name}[`));
  }

  /** Returns a parameter as one string (the last value when repeated), or undefined. */
  optionalString(name: string): string | undefined {
    const value = this.#values.get(name);
    return ensureNoNul(name, Array.isArray(value) ? value[value.length - 1] : value);
  }

  /** Returns a parameter as one string, or `fallback` when missing. */
  string(name: string, fallback = ''): string {
    return this.optionalString(name) ?? fallback;
  }

  /** @throws FootfallError PARAMETER_MISSING when the parameter is missing or empty. */
  requiredString(name: string): string {
    const value = this.optionalString(name);
    if (value === undefined || value === '') throw new FootfallError('PARAMETER_MISSING', `Please specify a value for '${name}'.`);
    return value;
  }

  /** Returns a whole number, `fallback` when missing or empty. @throws FootfallError PARAMETER_INVALID otherwise. */
  int(name: string, fallback: number): number {
    const value = this.optionalString(name);
    if (value === undefined || value === '') return fallback;
    return parseIntParam(name, value);
  }

  /** Returns a whole number that must be given. */
  requiredInt(name: string): number {
    return parseIntParam(name, this.requiredString(name));
  }

  /** Returns a boolean sent as 1/0/true/false; `fallback` when missing or empty. */
  bool(name: string, fallback: boolean): boolean {
    const value = this.optionalString(name)?.trim().toLowerCase();
    if (value === undefined || value === '') return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    throw new FootfallError('PARAMETER_INVALID', `Invalid value ${quote(value)} for '${name}'. Use 1 or 0.`);
  }

  /**
   * Returns an array parameter: `name[]=a&name[]=b`, `name[0]=a&name[1]=b`, or one value
   * split on commas; undefined when missing.
   */
  optionalList(name: string): string[] | undefined {
    const list = this.#readList(name);
    for (const item of list ?? []) ensureNoNul(name, item);
    return list;
  }

  #readList(name: string): string[] | undefined {
    const bracketed = this.#values.get(`${name}[]`);
    if (bracketed !== undefined) return toArray(bracketed);
    const indexed = [...this.#values.entries()]
      .map(([key, value]) => ({ match: new RegExp(`^${escapeRegExp(name)}\\[(\\d+)\\]$`).exec(key), value }))
      .filter((entry) => entry.match !== null)
      .sort((a, b) => Number(a.match![1]) - Number(b.match![1]))
      .flatMap((entry) => toArray(entry.value));
    if (indexed.length > 0) return indexed;
    const plain = this.#values.get(name);
    if (plain === undefined) return undefined;
    if (Array.isArray(plain)) return plain;
    return plain === '' ? [] : plain.split(',').map((item) => item.trim());
  }

  /** Returns every raw entry, for sub-requests and logs of parameter names. */
  entries(): [string, RawParam][] {
    return [...this.#values.entries()];
  }
}

/**
 * @throws FootfallError PARAMETER_INVALID when `value` contains U+0000, because PostgreSQL
 * rejects that character in text, so the call would otherwise fail with a 500 in the database layer.
 */
function ensureNoNul<T extends string | undefined>(name: string, value: T): T {
  if (value === undefined || !value.includes('\u0000')) return value;
  throw new FootfallError('PARAMETER_INVALID', `Invalid value ${quote(value.replaceAll('\u0000', '\\0'))} for '${name}', because it contains a NUL character (shown as \\0). Send the text without it.`);
}

function toArray(value: RawParam): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function parseIntParam(name: string, value: string): number {
  if (!/^-?[0-9]+$/.test(value.trim())) throw new FootfallError('PARAMETER_INVALID', `Invalid value ${quote(value)} for '${name}'. Expected a whole number.`);
  return Number.parseInt(value, 10);
}
