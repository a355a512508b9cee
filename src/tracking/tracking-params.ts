/** The raw parameters of one hit, as Matomo's tracker reads them. */

/** A parameter value as a query string, form body or bulk entry gives it. */
export type RawTrackingValue = string | string[] | number | boolean | null | undefined;

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
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value[value.length - 1];
  if (typeof value === 'boolean') return value ? '1' : '0';
  return String(value);
}
