/** Parsing bulk tracking bodies: `{"requests":["?idsite=1&...", {...}], "token_auth": "...", "send_image": 0}`. */
import { FootfallError, isFootfallError, quote } from '../errors.js';
import { TrackingParams } from './tracking-params.js';

/** Most entries one bulk request may carry, so one body cannot hold the writer for long. */
export const MAX_BULK_REQUESTS = 10_000;

/** A parsed bulk body: each entry is its parameters, or the error that made it invalid. */
export interface BulkRequest {
  entries: (TrackingParams | Error)[];
  tokenAuth: string | undefined;
  sendImage: boolean;
}

/**
 * Returns whether a body is bulk JSON: it starts with `{` and contains `"requests"` or
 * `'requests'` anywhere, as Matomo 5 looks for, so `token_auth` may come first. Trackers send
 * it with any Content-Type, often text/plain.
 */
export function isBulkBody(body: unknown): body is string {
  return typeof body === 'string' && /^\s*\{/.test(body) && (body.includes('"requests"') || body.includes("'requests'"));
}

/**
 * Parses a bulk body.
 *
 * @throws FootfallError TRACKING_BULK_INVALID when the body is not JSON with a `requests` array.
 */
export function parseBulkRequest(body: string): BulkRequest {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    throw new FootfallError('TRACKING_BULK_INVALID', 'Invalid bulk tracking body: it is not valid JSON. Send {"requests":["?idsite=1&rec=1&url=..."]}.');
  }
  const record = data as Record<string, unknown>;
  if (typeof data !== 'object' || data === null || !Array.isArray(record.requests)) {
    throw new FootfallError('TRACKING_BULK_INVALID', 'Invalid bulk tracking body: "requests" must be an array of query strings or parameter objects.');
  }
  if (record.requests.length > MAX_BULK_REQUESTS) {
    throw new FootfallError('TRACKING_BULK_INVALID', `Invalid bulk tracking body: ${record.requests.length} requests, at most ${MAX_BULK_REQUESTS} are accepted. Split the batch.`);
  }
  return {
    entries: record.requests.map(parseEntry),
    tokenAuth: typeof record.token_auth === 'string' ? record.token_auth : undefined,
    sendImage: !(record.send_image === 0 || record.send_image === '0' || record.send_image === false),
  };
}

function parseEntry(entry: unknown): TrackingParams | Error {
  if (typeof entry === 'string') return TrackingParams.fromQueryString(entry);
  if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) {
    try {
      return TrackingParams.fromJsonObject(entry as Record<string, unknown>);
    } catch (error) {
      if (isFootfallError(error)) return error;
      throw error;
    }
  }
  return new FootfallError('TRACKING_BULK_INVALID', `Invalid bulk entry ${quote(entry)}: expected a query string such as "?idsite=1&rec=1" or an object of parameters.`);
}
