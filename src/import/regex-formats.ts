/**
 * Line formats read with one regular expression each: Apache/nginx common and combined with
 * their virtual-host variants, Gandi, OVH, Icecast, S3, ELB, ALB, HAProxy and custom patterns.
 */
import { FootfallError, quote } from '../errors.js';
import {
  IGNORED_LINE, invalidLine, normaliseHost, parseRequestLine, parseStatus, presentField, type LogEntry, type ParsedLine,
} from './log-entry.js';
import { firstRequestLine, type LineParser, type LogFormat, type ParseOptions } from './log-format.js';
import { APACHE_DATE_FORMAT, createApacheTimeReader, parseIsoLogTime, parseLogTime } from './log-time.js';

/**
 * Named groups a pattern may use: `ip`, `host`, `date`, `timezone` (an offset logged apart
 * from the date), `request` (`GET /path HTTP/1.1`) or `method` and `path`, `scheme`,
 * `status`, `referrer`, `user_agent`. `path` is the only required group.
 */
const KNOWN_GROUPS = ['ip', 'host', 'date', 'timezone', 'request', 'method', 'path', 'scheme', 'status', 'referrer', 'user_agent', 'userid', 'length'];

const IP = '(?<ip>[0-9A-Fa-f:.]+)';
const DATE = '\\[(?<date>[^\\]]+)\\]';
const REQUEST = '"(?<request>[^"]*)"';
const STATUS_LENGTH = '(?<status>\\d{3}) (?<length>\\S+)';
const REFERRER_AGENT = ' "(?<referrer>[^"]*)" "(?<user_agent>[^"]*)"';
const COMMON = `${IP} \\S+ (?<userid>\\S+) ${DATE} ${REQUEST} ${STATUS_LENGTH}`;
/**
 * A virtual host: a dotted name with a letter in its last label, so an IP address never passes
 * for one. It may end in the dot of a fully qualified name (`shop.example.com.`), as a Host
 * header may, and `normaliseHost` removes that dot.
 */
const HOST_NAME = '(?<host>[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z][A-Za-z0-9-]*\\.?(?::\\d+)?)';

/** The name of the format that `--log-format-regex` builds. */
export const CUSTOM_FORMAT_NAME = 'custom';

/** A reader of the logged times of a regex format. */
type DateReader = (text: string, options: ParseOptions) => Date | undefined;

/**
 * Wraps a date reader so that it parses a text only when it differs from the previous one.
 * Consecutive lines of a busy log often share the same second. Date objects are shared, so
 * nothing may change the `time` of an entry.
 */
function repeatAware(read: DateReader): DateReader {
  let lastText: string | undefined;
  let lastTimezone: string | undefined;
  let lastTime: Date | undefined;
  return (text, options) => {
    if (text !== lastText || options.timezone !== lastTimezone) {
      lastTime = read(text, options);
      lastText = text;
      lastTimezone = options.timezone;
    }
    return lastTime;
  };
}

function strptimeReader(format: string): DateReader {
  if (format === APACHE_DATE_FORMAT) {
    const read = createApacheTimeReader();
    return (text, options) => read(text, options.timezone);
  }
  return repeatAware((text, options) => parseLogTime(text, format, options.timezone));
}

const ISO_READER: DateReader = repeatAware((text, options) => parseIsoLogTime(text, options.timezone));

/** Definition of a regex format; `ignore` recognises lines that are requests but not HTTP ones. */
interface RegexFormatDefinition {
  name: string;
  pattern: RegExp;
  readDate: DateReader;
  ignore?: { pattern: RegExp; reason: string };
}

/** Builds the entry of a matched line from its named groups, or returns why the line is invalid. */
function buildEntry(groups: Record<string, string | undefined>, readDate: DateReader, options: ParseOptions): ParsedLine {
  let path = groups.path;
  if (groups.request !== undefined) {
    const request = parseRequestLine(groups.request);
    // The request line contains the URL, so the reason leaves it out.
    if (!request) return invalidLine('invalid request line');
    path = request.target;
  }
  if (path === undefined || path === '') return invalidLine('missing path');

  let dateText = groups.date;
  if (dateText !== undefined && groups.timezone !== undefined) dateText = `${dateText} ${groups.timezone}`;
  const time = dateText !== undefined ? readDate(dateText, options) : undefined;
  if (dateText !== undefined && time === undefined) return invalidLine(`invalid time ${quote(dateText)}`);
  const status = parseStatus(groups.status);
  if (groups.status !== undefined && status === undefined) return invalidLine(`invalid status ${quote(groups.status)}`);
  const entry = splitAbsoluteTarget({
    path, time, status,
    ip: presentField(groups.ip), host: normaliseHost(groups.host), scheme: presentField(groups.scheme)?.toLowerCase(),
    referrer: presentField(groups.referrer), userAgent: presentField(groups.user_agent),
  });
  return { kind: 'entry', entry };
}

/** Moves scheme and host of an absolute request target (`GET https://host:443/path`, as proxies log it) out of the path. */
function splitAbsoluteTarget(entry: LogEntry): LogEntry {
  if (entry.path.startsWith('/')) return entry;
  const match = /^(https?):\/\/([^/?#]+)(.*)$/i.exec(entry.path);
  if (!match) return entry;
  return { ...entry, scheme: entry.scheme ?? match[1]!.toLowerCase(), host: entry.host ?? normaliseHost(match[2]), path: match[3] || '/' };
}

class RegexLogFormat implements LogFormat {
  readonly name: string;
  readonly #definition: RegexFormatDefinition;
  readonly #mismatch: ParsedLine;

  constructor(definition: RegexFormatDefinition) {
    this.name = definition.name;
    this.#definition = definition;
    this.#mismatch = invalidLine(definition.name === CUSTOM_FORMAT_NAME ? 'does not match --log-format-regex' : `does not match the ${definition.name} format`);
  }

  createParser(options: ParseOptions): LineParser {
    const { pattern, readDate, ignore } = this.#definition;
    return (line: string): ParsedLine => {
      if (line.trim() === '' || line.startsWith('#')) return IGNORED_LINE;
      if (ignore?.pattern.test(line)) return { kind: 'skipped', reason: ignore.reason };
      const groups = pattern.exec(line)?.groups;
      return groups ? buildEntry(groups, readDate, options) : this.#mismatch;
    };
  }

  /** Returns whether the first request line parses completely, its date included. */
  detect(firstLines: readonly string[]): boolean {
    const line = firstRequestLine(firstLines);
    return line !== undefined && this.createParser({ timezone: 'UTC' })(line).kind !== 'invalid';
  }
}

/** Apache/nginx common log format. */
export const COMMON_FORMAT = new RegexLogFormat({ name: 'common', pattern: new RegExp(`^${COMMON}`), readDate: strptimeReader(APACHE_DATE_FORMAT) });
/** Common format with the virtual host first (Apache `%v`). */
export const COMMON_VHOST_FORMAT = new RegexLogFormat({ name: 'common_vhost', pattern: new RegExp(`^${HOST_NAME} ${COMMON}`), readDate: strptimeReader(APACHE_DATE_FORMAT) });
/** NCSA extended, also called combined: common plus referrer and user agent. */
export const NCSA_EXTENDED_FORMAT = new RegexLogFormat({ name: 'ncsa_extended', pattern: new RegExp(`^${COMMON}${REFERRER_AGENT}`), readDate: strptimeReader(APACHE_DATE_FORMAT) });
/** Combined with the virtual host first. */
export const COMMON_COMPLETE_FORMAT = new RegexLogFormat({ name: 'common_complete', pattern: new RegExp(`^${HOST_NAME} ${COMMON}${REFERRER_AGENT}`), readDate: strptimeReader(APACHE_DATE_FORMAT) });
/** Icecast 2: combined plus the seconds the listener stayed connected. */
export const ICECAST2_FORMAT = new RegexLogFormat({ name: 'icecast2', pattern: new RegExp(`^${COMMON}${REFERRER_AGENT} (?<session_time>\\d+)\\s*$`), readDate: strptimeReader(APACHE_DATE_FORMAT) });
/** Gandi hosting: virtual host first and the generation time in seconds before the request. */
export const GANDI_FORMAT = new RegexLogFormat({
  name: 'gandi',
  pattern: new RegExp(`^${HOST_NAME} ${IP} \\S+ (?<userid>\\S+) ${DATE} \\((?<generation_seconds>\\d+) s\\) ${REQUEST} ${STATUS_LENGTH}${REFERRER_AGENT}`),
  readDate: strptimeReader(APACHE_DATE_FORMAT),
});
/** OVH hosting: combined with the virtual host in place of the ident field. */
export const OVH_FORMAT = new RegexLogFormat({
  name: 'ovh',
  pattern: new RegExp(`^${IP} ${HOST_NAME} (?<userid>\\S+) ${DATE} ${REQUEST} ${STATUS_LENGTH}${REFERRER_AGENT}`),
  readDate: strptimeReader(APACHE_DATE_FORMAT),
});
/** AWS S3 server access logs; the bucket name is the virtual host. */
export const S3_FORMAT = new RegexLogFormat({
  name: 's3',
  pattern: new RegExp(`^\\S+ (?<host>\\S+) ${DATE} ${IP} \\S+ \\S+ \\S+ \\S+ ${REQUEST} (?<status>\\d{3}) \\S+ (?<length>\\S+) \\S+ \\S+ \\S+${REFERRER_AGENT}`),
  readDate: strptimeReader(APACHE_DATE_FORMAT),
});

const ELB_FIELDS = `(?<date>\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z) \\S+ ${IP}:\\d+ \\S+ \\S+ \\S+ \\S+ (?<status>\\d{3}) \\S+ \\S+ (?<length>\\S+) ${REQUEST} "(?<user_agent>[^"]*)"`;
/** A load-balancer line of a TCP listener: its request, status and agent are all `-`. */
const TCP_LINE = /^(?:[a-z0-9]+ )?\d{4}-\d{2}-\d{2}T[\d:.]+Z \S+ \S+ \S+ \S+ \S+ \S+ - - \S+ \S+ "- - - "/;
/** AWS Classic Load Balancer. */
export const ELB_FORMAT = new RegexLogFormat({ name: 'elb', pattern: new RegExp(`^${ELB_FIELDS}`), readDate: ISO_READER, ignore: { pattern: TCP_LINE, reason: 'tcp_request' } });
/** AWS Application Load Balancer: the ELB fields after the connection type, then more fields. */
export const ALB_FORMAT = new RegexLogFormat({
  name: 'alb',
  pattern: new RegExp(`^(?:https?|h2|grpcs?|wss?) ${ELB_FIELDS}`),
  readDate: ISO_READER,
  ignore: { pattern: TCP_LINE, reason: 'tcp_request' },
});
/** HAProxy HTTP log format as sent to syslog. */
export const HAPROXY_FORMAT = new RegexLogFormat({
  name: 'haproxy',
  pattern: /^\w{3} +\d+ [\d:]+ \S+ haproxy\[\d+\]: (?<ip>[0-9A-Fa-f:.]+):\d+ \[(?<date>[^\]]+)\] \S+ \S+ \S+ (?<status>\d{3}) (?<length>\d+) \S+ \S+ \S+ \S+ \S+ (?:\{[^}]*\} )*"(?<request>[^"]*)"/,
  readDate: strptimeReader('%d/%b/%Y:%H:%M:%S.%f'),
});

/**
 * Builds a format from `--log-format-regex` and `--date-format`. Python's `(?P<name>` groups
 * are accepted as written for Matomo's importer.
 *
 * @throws FootfallError PARAMETER_INVALID when the pattern does not compile or has no `path` group.
 */
export function buildCustomRegexFormat(source: string, dateFormat: string | undefined): LogFormat {
  let pattern: RegExp;
  try {
    pattern = new RegExp(source.replaceAll('(?P<', '(?<'));
  } catch (error) {
    throw new FootfallError('PARAMETER_INVALID', `Invalid --log-format-regex ${quote(source)}: ${(error as Error).message}.`);
  }
  const groups = [...source.matchAll(/\(\?P?<([A-Za-z_]\w*)>/g)].map((match) => match[1]!);
  if (!groups.includes('path') && !groups.includes('request')) {
    throw new FootfallError('PARAMETER_INVALID', `Invalid --log-format-regex ${quote(source)}: it needs a named group 'path' or 'request'. Known groups: ${KNOWN_GROUPS.join(', ')}.`);
  }
  const readDate = dateFormat !== undefined ? strptimeReader(dateFormat) : strptimeReader(APACHE_DATE_FORMAT);
  return new RegexLogFormat({ name: CUSTOM_FORMAT_NAME, pattern, readDate });
}
