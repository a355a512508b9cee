/** One access-log line as a format parser reads it, before it becomes a hit. */

/** The facts of one request that a log line gives; absent fields are undefined. */
export interface LogEntry {
  /** Client address as logged (IPv4 or IPv6), undefined when the line gives none. */
  ip?: string;
  /** Virtual host of the request, lower-cased, without a port. */
  host?: string;
  /** `http` or `https` when the line gives the scheme. */
  scheme?: string;
  /** Path with its query string, as requested (still percent-encoded). */
  path: string;
  /** Request time in UTC; undefined when the line has no usable time. */
  time?: Date;
  /** HTTP status code; undefined for formats without one (such as CloudFront RTMP). */
  status?: number;
  referrer?: string;
  userAgent?: string;
  /** Event fields, for streaming logs whose lines are events rather than page views. */
  event?: { category: string; action: string; name?: string };
}

/**
 * The parse result of a line: an entry, `ignored` for lines that are not requests
 * (headers, comments, blank lines), `skipped` with a reason for requests that are
 * deliberately not imported (such as an ELB TCP connection), or `invalid` with a reason.
 */
export type ParsedLine =
  | { kind: 'entry'; entry: LogEntry }
  | { kind: 'ignored' }
  | { kind: 'skipped'; reason: string }
  | { kind: 'invalid'; reason: string };

export const IGNORED_LINE: ParsedLine = { kind: 'ignored' };

/**
 * Returns the result of an invalid line. The reason names the field, such as `invalid status
 * '999'`, and quotes only short values (address, time, status), never a URL or user agent.
 */
export function invalidLine(reason: string): ParsedLine {
  return { kind: 'invalid', reason };
}

/** Splits an HTTP request line (`GET /path HTTP/1.1`) into method and target; null when malformed. */
export function parseRequestLine(request: string): { method: string; target: string } | null {
  const parts = request.trim().split(/\s+/);
  if (parts.length < 2 || parts.length > 3 || !/^[A-Z]+$/.test(parts[0]!)) return null;
  return { method: parts[0]!, target: parts[1]! };
}

/** Returns a status code when `text` is a three-digit HTTP status, else undefined. */
export function parseStatus(text: string | undefined): number | undefined {
  return text !== undefined && /^[1-5]\d\d$/.test(text) ? Number(text) : undefined;
}


/** Returns a logged field, or undefined when it is empty or the `-` placeholder. */
export function presentField(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  return trimmed === '' || trimmed === '-' ? undefined : trimmed;
}

/** Returns a host name lower-cased and without a port or trailing dot. */
export function normaliseHost(text: string | undefined): string | undefined {
  const present = presentField(text);
  if (present === undefined) return undefined;
  const withoutPort = present.startsWith('[') ? present : present.replace(/:\d+$/, '');
  return withoutPort.replace(/\.$/, '').toLowerCase();
}
