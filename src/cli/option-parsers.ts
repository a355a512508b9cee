/** Parsing of command-line option values, with errors that name the option and the rule. */
import { isIPv4, isIPv6 } from 'node:net';
import type { DatabaseAdapter } from '../db/database-config.js';
import { FootfallError, quote } from '../errors.js';
import { endsInNumber } from '../tenancy/tenant-host.js';
import type { OptionValues } from './command-definition.js';

/** @throws FootfallError PARAMETER_INVALID unless `value` is a TCP port (0 to 65535; 0 picks a free port). */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^[0-9]+$/.test(value) || port > 65535) throw new FootfallError('PARAMETER_INVALID', `Invalid --port ${quote(value)}. Use a whole number from 0 to 65535 (0 picks a free port).`);
  return port;
}

const HOST_NAME_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * Parses a `--host` value of `server:run` without any DNS lookup: an IPv4 address in canonical
 * dotted-quad form, an IPv6 address (returned without brackets) or a host name of letters,
 * digits, dots and inner hyphens. A name whose last label is a number, such as `999.1.1.1`,
 * `127.1` or `0x7f000001`, is rejected, because the system resolver reads some of these as
 * IPv4 addresses in shorthand form and sends the others to DNS.
 *
 * @throws FootfallError PARAMETER_INVALID naming `--host` and what to pass instead.
 */
export function parseListenHost(value: string): string {
  const unbracketed = /^\[.*\]$/.test(value) ? value.slice(1, -1) : value;
  if (isIPv4(unbracketed) || isIPv6(unbracketed)) return unbracketed;

  const labels = value.replace(/\.$/, '').split('.');
  const isHostName = value.length <= 253 && labels.every((label) => HOST_NAME_LABEL.test(label));
  if (isHostName && !endsInNumber(value)) return value;
  if (isHostName) {
    throw new FootfallError('PARAMETER_INVALID',
      `Invalid --host ${quote(value)}: expected a dotted-quad IPv4 address in canonical form, such as 127.0.0.1, an IPv6 address or a host name. `
      + 'A name that ends in a number is read as an IPv4 address, and a shorthand, octal or hexadecimal form of one is ambiguous.');
  }
  throw new FootfallError('PARAMETER_INVALID',
    `Invalid --host ${quote(value)}: it is neither an IPv4 or IPv6 address nor a host name. `
    + 'Pass an address of this machine, such as 127.0.0.1, or 0.0.0.0 to listen on every IPv4 interface.');
}

/** @throws FootfallError PARAMETER_INVALID unless `value` is sqlite, mysql or pgsql. */
export function parseDbAdapter(value: string | undefined, fallback: DatabaseAdapter = 'sqlite'): DatabaseAdapter {
  if (value === undefined) return fallback;
  if (value === 'sqlite' || value === 'mysql' || value === 'pgsql') return value;
  throw new FootfallError('PARAMETER_INVALID', `Invalid --db-adapter ${quote(value)}. Use sqlite, mysql or pgsql.`);
}

/** @throws FootfallError PARAMETER_MISSING when a required option is absent or empty. */
export function requireOption(options: Record<string, unknown>, name: string, flag: string): string {
  const value = options[name];
  if (typeof value !== 'string' || value === '') throw new FootfallError('PARAMETER_MISSING', `Missing ${flag}. Pass ${flag}=VALUE.`);
  return value;
}

/**
 * Checks that `--matomo-domain` and its alias `--domain`, when given, have a value. Commander
 * reads `--matomo-domain=` as an empty string, which would otherwise reach the host parser.
 *
 * @throws FootfallError PARAMETER_MISSING naming the flag when its value is empty or blank.
 */
export function ensureTenantOptionValues(options: OptionValues): void {
  for (const [name, flag] of [['matomoDomain', '--matomo-domain'], ['domain', '--domain']] as const) {
    const value = options[name];
    if (typeof value === 'string' && value.trim() === '') {
      throw new FootfallError('PARAMETER_MISSING', `Missing value of ${flag}. Pass ${flag}=HOST with the tenant's host name, such as stats.example.com, or leave the option out to use the single-tenant install.`);
    }
  }
}
