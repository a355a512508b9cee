/**
 * W3C extended log formats, whose `#Fields:` header names the columns: IIS, Netscaler,
 * CloudFront (web and RTMP), Incapsula, SHOUTcast and any other W3C extended log.
 */
import { quote } from '../errors.js';
import { IGNORED_LINE, invalidLine, normaliseHost, parseStatus, presentField, type LogEntry, type ParsedLine } from './log-entry.js';
import type { LineParser, LogFormat, ParseOptions } from './log-format.js';
import { parseIsoLogTime } from './log-time.js';

/** Column names that carry each fact, in order of preference. */
const COLUMNS = {
  date: ['date', 'date-local'],
  time: ['time', 'time-local'],
  ip: ['c-ip'],
  host: ['x-host-header', 'cs-host', 'cs(host)'],
  uri: ['cs-uri'],
  stem: ['cs-uri-stem'],
  query: ['cs-uri-query'],
  status: ['sc-status', 'c-status'],
  referrer: ['cs(referer)', 'cs(referrer)', 'c-referrer'],
  userAgent: ['cs(user-agent)', 'c-user-agent'],
  scheme: ['cs-protocol'],
  event: ['x-event'],
  streamName: ['x-sname'],
} as const;

type ColumnIndexes = { -readonly [Key in keyof typeof COLUMNS]: number };

/** Splits a W3C line into fields at spaces and tabs; a double-quoted field may contain spaces. */
export function splitW3cFields(line: string): string[] {
  const fields: string[] = [];
  const pattern = /"([^"]*)"|(\S+)/g;
  for (const match of line.matchAll(pattern)) fields.push(match[1] ?? match[2]!);
  return fields;
}

function readColumnIndexes(header: string): ColumnIndexes {
  // Some writers (CloudFront RTMP) end a name with a zero-width space, which is not whitespace.
  const names = header.replace(/^#Fields:/i, '').trim().split(/\s+/).map((name) => name.replace(/\u200b/g, '').toLowerCase());
  const indexes = {} as ColumnIndexes;
  for (const [key, candidates] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, readonly string[]][]) {
    indexes[key] = candidates.map((candidate) => names.indexOf(candidate)).find((index) => index >= 0) ?? -1;
  }
  return indexes;
}

/**
 * Decodes a logged user agent: IIS writes spaces as `+`, CloudFront and SHOUTcast
 * percent-encode it (CloudFront twice, `%2520` for a space).
 */
function decodeUserAgent(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let decoded = text.includes(' ') ? text : text.replace(/\+/g, ' ');
  for (let round = 0; round < 2 && /%[0-9A-Fa-f]{2}/.test(decoded); round += 1) {
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      break;
    }
  }
  return decoded;
}

function fieldAt(fields: readonly string[], index: number): string | undefined {
  return index >= 0 ? presentField(fields[index]) : undefined;
}

/** Builds the path and host from `cs-uri-stem` + `cs-uri-query`, or from Incapsula's `cs-uri` (host and path without a scheme). */
function readTarget(fields: readonly string[], columns: ColumnIndexes): { path: string; host?: string } | null {
  const query = fieldAt(fields, columns.query);
  const stem = fieldAt(fields, columns.stem);
  if (stem !== undefined) return { path: query !== undefined ? `${stem}?${query}` : stem };
  const uri = fieldAt(fields, columns.uri);
  if (uri === undefined) return null;
  const slash = uri.indexOf('/');
  const host = slash > 0 ? uri.slice(0, slash) : uri;
  const path = slash > 0 ? uri.slice(slash) : '/';
  return { host, path: query !== undefined ? `${path}?${query}` : path };
}

/** Builds the entry of a line from its fields, or returns why the line is invalid. */
function buildW3cEntry(fields: readonly string[], columns: ColumnIndexes, options: ParseOptions): ParsedLine {
  const target = readTarget(fields, columns);
  if (!target) return invalidLine('missing cs-uri-stem or cs-uri field');
  const date = fieldAt(fields, columns.date);
  const dateTime = date !== undefined ? `${date} ${fieldAt(fields, columns.time) ?? '00:00:00'}` : undefined;
  const time = dateTime !== undefined ? parseIsoLogTime(dateTime, options.timezone) : undefined;
  if (columns.date >= 0 && time === undefined) return invalidLine(dateTime === undefined ? 'missing date field' : `invalid date and time ${quote(dateTime)}`);
  const statusText = fieldAt(fields, columns.status);
  const status = parseStatus(statusText);
  if (columns.status >= 0 && status === undefined) return invalidLine(statusText === undefined ? 'missing status field' : `invalid status ${quote(statusText)}`);

  const entry: LogEntry = {
    path: target.path, time, status,
    ip: fieldAt(fields, columns.ip),
    host: normaliseHost(fieldAt(fields, columns.host) ?? target.host),
    scheme: fieldAt(fields, columns.scheme)?.toLowerCase(),
    referrer: fieldAt(fields, columns.referrer),
    userAgent: decodeUserAgent(fieldAt(fields, columns.userAgent)),
  };
  const event = fieldAt(fields, columns.event);
  if (event !== undefined) entry.event = { category: 'cloudfront_rtmp', action: event, name: fieldAt(fields, columns.streamName) };
  if (entry.scheme !== undefined && entry.scheme !== 'http' && entry.scheme !== 'https') entry.scheme = undefined;
  return { kind: 'entry', entry };
}

const MISSING_FIELDS_HEADER = invalidLine('no #Fields: header before the line');

/** A W3C format recognised by the `#Software:` header, or by a column only it writes. */
class W3cLogFormat implements LogFormat {
  readonly name: string;
  readonly #recognise: (headers: readonly string[]) => boolean;

  constructor(name: string, recognise: (headers: readonly string[]) => boolean) {
    this.name = name;
    this.#recognise = recognise;
  }

  createParser(options: ParseOptions): LineParser {
    let columns: ColumnIndexes | undefined;
    return (line: string): ParsedLine => {
      if (/^#Fields:/i.test(line)) {
        columns = readColumnIndexes(line);
        return IGNORED_LINE;
      }
      if (line.trim() === '' || line.startsWith('#')) return IGNORED_LINE;
      if (!columns) return MISSING_FIELDS_HEADER;
      return buildW3cEntry(splitW3cFields(line), columns, options);
    };
  }

  detect(firstLines: readonly string[]): boolean {
    const headers = firstLines.filter((line) => line.startsWith('#'));
    return headers.some((line) => /^#Fields:/i.test(line)) && this.#recognise(headers);
  }
}

function hasSoftware(headers: readonly string[], pattern: RegExp): boolean {
  return headers.some((line) => /^#Software:/i.test(line) && pattern.test(line));
}

/** Microsoft IIS, including the Advanced Logging Module with its `date-local`/`time-local` columns. */
export const IIS_FORMAT = new W3cLogFormat('iis', (headers) => hasSoftware(headers, /Internet Information Services|IIS/));
/** Citrix Netscaler web logging. */
export const NETSCALER_FORMAT = new W3cLogFormat('netscaler', (headers) => hasSoftware(headers, /Netscaler/i));
/** Incapsula logs API in W3C form, every field quoted. */
export const INCAPSULA_W3C_FORMAT = new W3cLogFormat('incapsula_w3c', (headers) => hasSoftware(headers, /Incapsula/i));
/** SHOUTcast 2 listener logs. */
export const SHOUTCAST_FORMAT = new W3cLogFormat('shoutcast', (headers) => hasSoftware(headers, /SHOUTcast/i));
/** Amazon CloudFront web and RTMP distributions; RTMP lines become events. */
export const AMAZON_CLOUDFRONT_FORMAT = new W3cLogFormat('amazon_cloudfront', (headers) => headers.some((line) => /^#Fields:.*\bx-edge-location\b/i.test(line)));
/** Any other W3C extended log. */
export const W3C_EXTENDED_FORMAT = new W3cLogFormat('w3c_extended', () => true);
