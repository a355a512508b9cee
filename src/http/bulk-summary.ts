/** The counts of a bulk tracking response, and the log facts of the entries that failed. */
import { errorStatusCode, isFootfallError } from '../errors.js';
import type { TrackOutcome } from '../tracking/tracking-pipeline.js';

/** Most failed entries that one log line lists, so that a batch failing as a whole logs a short line. */
const MAX_LOGGED_FAILURES = 10;

/** The entries of a bulk request, split by what became of them. */
export interface BulkSummary {
  /** Number of entries recorded or dropped on purpose. They are durable, so a client must not send them again. */
  tracked: number;
  /** Positions of the entries not stored, rejected or failed, counted from 0. */
  invalidIndices: number[];
  /** Positions of the entries not stored because of a server error. Sent again, they may be stored. */
  failedIndices: number[];
}

/** Splits the results of a bulk request's entries into tracked, invalid and failed ones. */
export function summarizeBulkResults(results: readonly (TrackOutcome | Error)[]): BulkSummary {
  const invalidIndices: number[] = [];
  const failedIndices: number[] = [];
  for (const [index, result] of results.entries()) {
    if (!(result instanceof Error)) continue;
    invalidIndices.push(index);
    if (errorStatusCode(result) >= 500) failedIndices.push(index);
  }
  return { tracked: results.length - invalidIndices.length, invalidIndices, failedIndices };
}

/** A failed entry as the log shows it. */
export interface FailedEntry {
  index: number;
  /** The Footfall error code, INTERNAL for an error that has none. */
  code: string;
  /** The code the database driver or Node.js gave the error, such as SQLITE_BUSY or ECONNREFUSED. */
  errorCode?: string;
}

/**
 * Returns the position and codes of the first failed entries, for the log. It leaves out the
 * error messages, because a database error can quote the values of a hit.
 */
export function describeFailedEntries(results: readonly (TrackOutcome | Error)[], failedIndices: readonly number[]): FailedEntry[] {
  return failedIndices.slice(0, MAX_LOGGED_FAILURES).map((index) => {
    const error = results[index];
    const entry: FailedEntry = { index, code: isFootfallError(error) ? error.code : 'INTERNAL' };
    const errorCode = (error as { code?: unknown } | undefined)?.code;
    if (!isFootfallError(error) && typeof errorCode === 'string') entry.errorCode = errorCode;
    return entry;
  });
}
