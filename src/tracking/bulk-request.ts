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
 * JSON's whitespace, which may come before the `{` of a bulk body, after an optional UTF-8
 * byte order mark. RFC 8259, section 8.1, lets a parser ignore that mark, as Fastify's JSON
 * parser does, and some clients write one.
 */
const BULK_BODY_START = /^\uFEFF?[\t\n\r ]*\{/;

/** A POST body read as a bulk request: its JSON object, or null when the text is not valid JSON. */
export interface BulkBody {
  data: Record<string, unknown> | null;
}

/**
 * Reads a POST body as a bulk request, whatever its Content-Type, because trackers send bulk
 * JSON as text/plain or as a form. Returns null when the body is not one.
 *
 * Matomo 5 reads any body that contains `"requests"` or `'requests'` after its first byte as
 * bulk (`isUsingBulkRequest` in plugins/BulkTracking/Tracker/Requests.php). Footfall also
 * requires the body to start with `{` after JSON whitespace and an optional byte order mark,
 * so that a form hit with that word in a value stays a hit. A body that is valid JSON is bulk
 * only when its object has a top-level `requests` key, in any position, so that a JSON hit
 * with such a value stays a hit. A body that is not valid JSON is bulk, and parseBulkRequest
 * then rejects it as invalid bulk JSON.
 */
export function readBulkBody(body: unknown): BulkBody | null {
  if (typeof body !== 'string' || !BULK_BODY_START.test(body)) return null;
  if (!body.includes('"requests"') && !body.includes("'requests'")) return null;

  let data: unknown;
  try {
    data = JSON.parse(body.startsWith('\uFEFF') ? body.slice(1) : body);
  } catch {
    return { data: null };
  }
  // A JSON text that starts with `{` and parses is an object.
  const record = data as Record<string, unknown>;
  return Object.hasOwn(record, 'requests') ? { data: record } : null;
}

/**
 * Parses a bulk body that readBulkBody returned.
 *
 * @throws FootfallError TRACKING_BULK_INVALID when the body is not JSON, its `requests` is not
 *   an array, or it has more than MAX_BULK_REQUESTS entries.
 */
export function parseBulkRequest(body: BulkBody): BulkRequest {
  const record = body.data;
  if (record === null) {
    throw new FootfallError('TRACKING_BULK_INVALID', 'Invalid bulk tracking body: it is not valid JSON. Send {"requests":["?idsite=1&rec=1&url=..."]}.');
  }
  if (!Array.isArray(record.requests)) {
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
