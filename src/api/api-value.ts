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
