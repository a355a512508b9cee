/** JSON-lines access logs: nginx (Matomo's documented `log_format`), Traefik and Caddy. */
import { quote } from '../errors.js';
import { IGNORED_LINE, invalidLine, normaliseHost, presentField, type ParsedLine } from './log-entry.js';
import { firstRequestLine, type LineParser, type LogFormat, type ParseOptions } from './log-format.js';
import { parseIsoLogTime } from './log-time.js';

type JsonRecord = Record<string, unknown>;

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' ? presentField(value) : undefined;
}

/** Returns the first value of a header as Caddy logs headers: `{"User-Agent": ["..."]}`. */
function headerValue(headers: unknown, name: string): string | undefined {
  if (!isRecord(headers)) return undefined;
  const values = headers[name];
  return Array.isArray(values) ? text(values[0]) : text(values);
}

function parseStatusValue(value: unknown): number | undefined {
  const status = Number(value);
  return Number.isInteger(status) && status >= 100 && status <= 599 ? status : undefined;
}

/** Reads one JSON record into an entry, or returns why the line is invalid. */
type RecordReader = (record: JsonRecord, options: ParseOptions) => ParsedLine;

/** Returns the time of an ISO 8601 field, or why the line is invalid. */
function readIsoTime(record: JsonRecord, key: string, timezone: string): Date | ParsedLine {
  const value = text(record[key]);
  if (value === undefined) return invalidLine(`missing ${key} field`);
  return parseIsoLogTime(value, timezone) ?? invalidLine(`invalid ${key} ${quote(value)}`);
}

function readNginx(record: JsonRecord, options: ParseOptions): ParsedLine {
  const path = text(record.path);
  if (path === undefined) return invalidLine('missing path field');
  const time = readIsoTime(record, 'date', options.timezone);
  if (!(time instanceof Date)) return time;
  return {
    kind: 'entry',
    entry: {
      path, time, status: parseStatusValue(record.status),
      ip: text(record.ip), host: normaliseHost(text(record.host)),
      referrer: text(record.referrer), userAgent: text(record.user_agent),
    },
  };
}

function readTraefik(record: JsonRecord): ParsedLine {
  const path = text(record.RequestPath);
  if (path === undefined) return invalidLine('missing RequestPath field');
  const time = readIsoTime(record, 'StartUTC', 'UTC');
  if (!(time instanceof Date)) return time;
  return {
    kind: 'entry',
    entry: {
      path, time, status: parseStatusValue(record.DownstreamStatus ?? record.OriginStatus),
      ip: text(record.ClientHost), host: normaliseHost(text(record.RequestHost)), scheme: text(record.RequestScheme),
      referrer: text(record['request_Referer']), userAgent: text(record['request_User-Agent']),
    },
  };
}

function readCaddy(record: JsonRecord): ParsedLine {
  const request = record.request;
  if (!isRecord(request)) return invalidLine('missing request field');
  if (typeof record.ts !== 'number') return invalidLine('missing ts field');
  const path = text(request.uri);
  if (path === undefined) return invalidLine('missing request.uri field');
  // A time beyond the range of Date (about 275,000 years) reads as an invalid Date.
  const time = new Date(Math.round(record.ts * 1000));
  if (Number.isNaN(time.getTime())) return invalidLine(`invalid ts ${quote(String(record.ts))}`);
  return {
    kind: 'entry',
    entry: {
      path, time, status: parseStatusValue(record.status),
      ip: text(request.client_ip) ?? text(request.remote_ip), host: normaliseHost(text(request.host)),
      scheme: isRecord(request.tls) ? 'https' : undefined,
      referrer: headerValue(request.headers, 'Referer'), userAgent: headerValue(request.headers, 'User-Agent'),
    },
  };
}

const NOT_A_RECORD = invalidLine('not a JSON object');

class JsonLogFormat implements LogFormat {
  readonly name: string;
  readonly #read: RecordReader;
  readonly #marker: (record: JsonRecord) => boolean;

  constructor(name: string, read: RecordReader, marker: (record: JsonRecord) => boolean) {
    this.name = name;
    this.#read = read;
    this.#marker = marker;
  }

  createParser(options: ParseOptions): LineParser {
    return (line: string): ParsedLine => {
      if (line.trim() === '' || line.startsWith('#')) return IGNORED_LINE;
      const record = parseRecord(line);
      return record ? this.#read(record, options) : NOT_A_RECORD;
    };
  }

  detect(firstLines: readonly string[]): boolean {
    const line = firstRequestLine(firstLines);
    const record = line !== undefined ? parseRecord(line) : null;
    return record !== null && this.#marker(record);
  }
}

function parseRecord(line: string): JsonRecord | null {
  if (!line.trimStart().startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(line);
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

/** nginx `log_format` with the keys ip, host, path, status, referrer, user_agent and date (ISO 8601). */
export const NGINX_JSON_FORMAT = new JsonLogFormat('nginx_json', readNginx, (record) => 'path' in record && 'ip' in record);
/** Traefik access logs in JSON. */
export const TRAEFIK_JSON_FORMAT = new JsonLogFormat('traefik_json', (record) => readTraefik(record), (record) => 'RequestPath' in record && 'ClientHost' in record);
/** Caddy's `http.log.access` JSON lines. */
export const CADDY_JSON_FORMAT = new JsonLogFormat('caddy_json', (record) => readCaddy(record), (record) => isRecord(record.request) && 'ts' in record);
