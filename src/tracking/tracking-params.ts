/** The raw parameters of one hit, as Matomo's tracker reads them. */
import { FootfallError, quote } from '../errors.js';

/** A parameter value as a query string or form body gives it: a repeated parameter comes as an array. */
export type RawTrackingValue = string | string[] | undefined;

/**
 * The parameters of one hit: query string and form body merged (the body wins, as PHP's
 * `$_GET + $_POST` merge does in Matomo), or one entry of a bulk request. Every value is
 * kept as text; a repeated parameter keeps its last value.
 */
export class TrackingParams {
  readonly #values: Map<string, string>;

  constructor(values: Map<string, string>) {
    this.#values = values;
  }

  /** Builds the parameters from records; later records replace earlier ones. */
  static fromRecords(...records: (Record<string, RawTrackingValue> | undefined)[]): TrackingParams {
    const values = new Map<string, string>();
    for (const record of records) {
      if (!record) continue;
      for (const [name, value] of Object.entries(record)) {
        const text = toText(value);
        if (text !== undefined) values.set(name, text);
      }
    }
    return new TrackingParams(values);
  }

  /**
   * Builds the parameters of a JSON object, such as an object entry of a bulk request, laid
   * over `base` when one is given. Values become text as PHP casts them, because Matomo reads
   * the values json_decode returns: true is "1", false is "", a number as PHP prints it, and
   * null leaves the parameter out.
   *
   * @throws FootfallError TRACKING_PARAMETER_INVALID naming the first parameter whose value is
   *   an array or an object. Matomo reads such a value as the default of most parameters,
   *   which can record a hit other than the one the client meant.
   */
  static fromJsonObject(record: Readonly<Record<string, unknown>>, base?: TrackingParams): TrackingParams {
    const values = new Map(base === undefined ? undefined : base.#values);
    for (const [name, value] of Object.entries(record)) {
      const text = jsonValueToText(name, value);
      if (text !== undefined) values.set(name, text);
    }
    return new TrackingParams(values);
  }

  /** Parses a query string such as `?idsite=1&rec=1` or `idsite=1&rec=1`, or a whole URL with one. */
  static fromQueryString(text: string): TrackingParams {
    const questionMark = text.indexOf('?');
    const query = questionMark >= 0 ? text.slice(questionMark + 1) : text;
    return new TrackingParams(new Map(new URLSearchParams(query)));
  }

  /** Returns a copy with `name` set, for values that apply to every entry of a bulk request. */
  with(name: string, value: string): TrackingParams {
    const values = new Map(this.#values);
    values.set(name, value);
    return new TrackingParams(values);
  }

  /** Returns whether the hit sent this parameter, even empty. */
  has(name: string): boolean {
    return this.#values.has(name);
  }

  /** Returns a parameter trimmed, or undefined when it is missing or empty. */
  get(name: string): string | undefined {
    const value = this.#values.get(name)?.trim();
    return value === '' ? undefined : value;
  }

  /** Returns a parameter as sent, without trimming. */
  raw(name: string): string | undefined {
    return this.#values.get(name);
  }

  /** Returns whether a flag parameter is 1 (or true). */
  flag(name: string): boolean {
    const value = this.get(name)?.toLowerCase();
    return value === '1' || value === 'true';
  }

  /** Returns the number of parameters, so an empty request can be told apart. */
  get size(): number {
    return this.#values.size;
  }

  /** Returns every parameter name. */
  names(): string[] {
    return [...this.#values.keys()];
  }

  /** Returns the first parameter whose name or value contains U+0000, or undefined when none does. */
  findNulCharacter(): { name: string; value: string } | undefined {
    for (const [name, value] of this.#values) {
      if (name.includes('\u0000') || value.includes('\u0000')) return { name, value };
    }
    return undefined;
  }
}

function toText(value: RawTrackingValue): string | undefined {
  if (Array.isArray(value)) return value[value.length - 1];
  return value;
}

function jsonValueToText(name: string, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? '1' : '';
  if (typeof value === 'number') return formatPhpNumber(value);
  const kind = Array.isArray(value) ? 'an array' : 'an object';
  throw new FootfallError('TRACKING_PARAMETER_INVALID',
    `Invalid value ${quote(value)} for '${name}': it is ${kind}. Send a string, a number, true, false or null.`);
}

/**
 * Formats a number as PHP's string cast does: integers in full, other numbers with 14
 * significant digits (the default of PHP's `precision` setting), in E notation such as
 * 1.0E+20 when the exponent is below -4 or above 13.
 *
 * NOTE: JSON.parse returns 1e15 and 1000000000000000 as the same number. So a JSON float
 * that is a safe integer comes out in full where PHP prints E notation. A JSON integer
 * beyond 2^53 comes out in E notation where PHP keeps its digits.
 */
export function formatPhpNumber(value: number): string {
  if (Number.isSafeInteger(value)) return String(value);
  const [mantissa = '', exponentText = '0'] = value.toExponential(13).split('e');
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 14) return String(Number(`${mantissa}e${exponent}`));
  const digits = mantissa.replace(/0+$/, '').replace(/\.$/, '.0');
  return `${digits}E${exponent < 0 ? '-' : '+'}${Math.abs(exponent)}`;
}
