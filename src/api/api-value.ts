/** The values API methods return, and the markers that choose how a format renders them. */

/** A JSON-like value returned by an API method. */
export type ApiValue = null | undefined | string | number | boolean | ApiValue[] | ApiObject | KeyedResults;

/** An object returned by an API method. */
export interface ApiObject {
  [key: string]: ApiValue;
}

/**
 * Results keyed by period or site id (`{"2024-05-01": ..., "2024-05-02": ...}`), which XML
 * renders as `<results><result date="...">` or `<result idSite="...">` rather than as one row.
 */
export class KeyedResults {
  readonly keyName: 'date' | 'idSite';
  readonly entries: ReadonlyArray<readonly [string, ApiValue]>;

  constructor(keyName: 'date' | 'idSite', entries: ReadonlyArray<readonly [string, ApiValue]>) {
    this.keyName = keyName;
    this.entries = entries;
  }

  /** Returns the plain object that JSON renders. */
  toJSON(): Record<string, ApiValue> {
    return Object.fromEntries(this.entries);
  }
}

/** The value of a method that returns nothing: Matomo answers `{"result":"success","message":"ok"}`. */
export const API_SUCCESS: ApiObject = { result: 'success', message: 'ok' };

const ARRAY_RESULT = Symbol('arrayResult');

/**
 * Marks an object as one that Matomo returns as a plain PHP array (such as the site of
 * `SitesManager.getSiteFromId`) rather than as a one-row report (such as `VisitsSummary.get`).
 * XML wraps a marked object of scalars in one `<row>` element, as Matomo does; JSON ignores
 * the mark. Returns the same object.
 */
export function markArrayResult<T extends ApiObject>(object: T): T {
  Object.defineProperty(object, ARRAY_RESULT, { value: true, enumerable: false });
  return object;
}

/** Returns whether `markArrayResult` marked a value. */
export function isArrayResult(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[ARRAY_RESULT] === true;
}
