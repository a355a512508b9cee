/** Every access-log format by name, in the order the detector tries them. */
import { FootfallError, quote } from '../errors.js';
import { CADDY_JSON_FORMAT, NGINX_JSON_FORMAT, TRAEFIK_JSON_FORMAT } from './json-formats.js';
import type { LogFormat } from './log-format.js';
import {
  ALB_FORMAT, COMMON_COMPLETE_FORMAT, COMMON_FORMAT, COMMON_VHOST_FORMAT, ELB_FORMAT, GANDI_FORMAT, HAPROXY_FORMAT,
  ICECAST2_FORMAT, NCSA_EXTENDED_FORMAT, OVH_FORMAT, S3_FORMAT,
} from './regex-formats.js';
import {
  AMAZON_CLOUDFRONT_FORMAT, IIS_FORMAT, INCAPSULA_W3C_FORMAT, NETSCALER_FORMAT, SHOUTCAST_FORMAT, W3C_EXTENDED_FORMAT,
} from './w3c-formats.js';

/**
 * Formats in detection order. A format whose lines another format would also accept comes
 * before it: Icecast before NCSA extended, which reads an Icecast line without its last
 * field, and OVH before NCSA extended, which reads OVH's host as the ident field.
 */
export const LOG_FORMATS: readonly LogFormat[] = [
  IIS_FORMAT, NETSCALER_FORMAT, INCAPSULA_W3C_FORMAT, SHOUTCAST_FORMAT, AMAZON_CLOUDFRONT_FORMAT, W3C_EXTENDED_FORMAT,
  NGINX_JSON_FORMAT, TRAEFIK_JSON_FORMAT, CADDY_JSON_FORMAT,
  ELB_FORMAT, ALB_FORMAT, S3_FORMAT, HAPROXY_FORMAT,
  GANDI_FORMAT, COMMON_COMPLETE_FORMAT, OVH_FORMAT, ICECAST2_FORMAT, NCSA_EXTENDED_FORMAT, COMMON_VHOST_FORMAT, COMMON_FORMAT,
];

/** Names `--log-format` accepts. */
export const LOG_FORMAT_NAMES: readonly string[] = LOG_FORMATS.map((format) => format.name);

/**
 * Returns the format of a name.
 *
 * @throws FootfallError PARAMETER_INVALID for an unknown name.
 */
export function findLogFormat(name: string): LogFormat {
  const format = LOG_FORMATS.find((candidate) => candidate.name === name);
  if (!format) throw new FootfallError('PARAMETER_INVALID', `Invalid --log-format ${quote(name)}. Use one of ${LOG_FORMAT_NAMES.join(', ')}, or --log-format-regex.`);
  return format;
}

/** Returns the first format that reads these first lines of a file, or null when none does. */
export function detectLogFormat(firstLines: readonly string[]): LogFormat | null {
  return LOG_FORMATS.find((format) => format.detect(firstLines)) ?? null;
}
