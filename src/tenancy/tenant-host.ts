/** Parsing of host names into the checked form that names a tenant's files. */
import { domainToASCII } from 'node:url';
import { isIPv4, isIPv6 } from 'node:net';
import { FootfallError, quote } from '../errors.js';

/** A host name that passed `parseTenantHost`: lower case, no port, ASCII (punycode), safe as a folder name. */
export type TenantHost = string & { readonly __brand: 'TenantHost' };

/** The parsed form of a Host header: a DNS name or IPv4 address (which may name a tenant), or an IPv6 address (which never does). */
export type ParsedHost =
  | { kind: 'name'; host: TenantHost }
  | { kind: 'ipv4'; host: TenantHost }
  | { kind: 'ipv6'; address: string };

const MAX_HOST_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
const LABEL_PATTERN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

// `config/common.config.ini.php` is the shared config, so `common` would read it as a tenant file.
const RESERVED_NAMES: ReadonlySet<string> = new Set(['common']);

function stripPort(raw: string): { host: string; bracketed: boolean } {
  if (raw.startsWith('[')) {
    const end = raw.indexOf(']');
    if (end < 0) throw invalidHost(raw, 'an IPv6 address needs a closing ]');
    const rest = raw.slice(end + 1);
    if (rest !== '' && (!/^:[0-9]{1,5}$/.test(rest) || Number(rest.slice(1)) > 65535)) throw invalidHost(raw, 'only a :port from 0 to 65535 may follow the ]');
    return { host: raw.slice(1, end), bracketed: true };
  }
  const colon = raw.lastIndexOf(':');
  if (colon < 0) return { host: raw, bracketed: false };
  const port = raw.slice(colon + 1);
  if (!/^[0-9]{1,5}$/.test(port) || Number(port) > 65535) throw invalidHost(raw, 'a port must be a number from 0 to 65535');
  return { host: raw.slice(0, colon), bracketed: false };
}

function invalidHost(raw: string, rule: string): FootfallError {
  return new FootfallError('HOST_INVALID', `Invalid host name ${quote(raw)}: ${rule}.`);
}

/** A label that the WHATWG URL host parser reads as a number: decimal digits, or 0x and hexadecimal digits. */
const NUMBER_LABEL_PATTERN = /^(?:[0-9]+|0x[0-9a-f]*)$/i;

/**
 * Returns whether a host name's last label is a number, after NFKC folds digits such as
 * fullwidth ones to ASCII as the UTS 46 mapping does. The WHATWG URL host parser reads such a
 * name as an IPv4 address or fails on it, so `0x7f.1`, `127.1`, `2130706433` and `0177.0.0.1`
 * all become 127.0.0.1, and `example.123` is no host at all.
 */
export function endsInNumber(host: string): boolean {
  const labels = host.normalize('NFKC').replace(/\.$/, '').split('.');
  return NUMBER_LABEL_PATTERN.test(labels[labels.length - 1]!);
}

function nonCanonicalIpv4(raw: string): FootfallError {
  return invalidHost(raw, 'expected a dotted-quad IPv4 address in canonical form, such as 192.0.2.10, or a DNS name. '
    + 'A name that ends in a number is read as an IPv4 address, and a shorthand, octal or hexadecimal form of one is ambiguous');
}

function ensureDnsName(ascii: string, raw: string): void {
  if (ascii.length > MAX_HOST_LENGTH) throw invalidHost(raw, `a host name has at most ${MAX_HOST_LENGTH} characters`);
  for (const label of ascii.split('.')) {
    if (label.length === 0) throw invalidHost(raw, 'a host name has no empty labels');
    if (label.length > MAX_LABEL_LENGTH) throw invalidHost(raw, `a label has at most ${MAX_LABEL_LENGTH} characters`);
    if (!LABEL_PATTERN.test(label)) throw invalidHost(raw, 'use letters, digits, dots and inner hyphens only');
  }
}

/**
 * Parses a Host header value (or a `--matomo-domain` value): strips the port, lower-cases,
 * converts an internationalised name to punycode and checks the result against the DNS
 * host-name grammar, so that the returned name is safe to use in a file path. An IPv4 address
 * is accepted only as a canonical dotted quad, because a URL parser reads other forms, such as
 * `127.1` or `0x7f.0.0.1`, as the same address and other parsers read them differently.
 *
 * @throws FootfallError HOST_INVALID naming the value and the rule it broke.
 * @example
 * parseTenantHost('Stats.Example.COM:8080'); // { kind: 'name', host: 'stats.example.com' }
 */
export function parseTenantHost(raw: string | undefined): ParsedHost {
  if (raw === undefined || raw.trim() === '') throw new FootfallError('HOST_INVALID', "Missing host name. Send the tenant's host name in the Host header.");
  if (raw.length > MAX_HOST_LENGTH + 8) throw invalidHost(raw, `a host name has at most ${MAX_HOST_LENGTH} characters`);

  const { host, bracketed } = stripPort(raw.trim());
  if (bracketed || isIPv6(host)) {
    if (!isIPv6(host)) throw invalidHost(raw, 'the text between [ and ] is not an IPv6 address');
    return { kind: 'ipv6', address: host.toLowerCase() };
  }

  const lower = host.toLowerCase().replace(/\.$/, '');
  if (isIPv4(lower)) return { kind: 'ipv4', host: lower as TenantHost };
  if (/[^\p{L}\p{N}.\-]/u.test(lower)) throw invalidHost(raw, 'use letters, digits, dots and inner hyphens only');
  if (endsInNumber(lower)) throw nonCanonicalIpv4(raw);

  // domainToASCII runs the whole WHATWG host parser, which turns an IPv4 address in any form
  // into its dotted quad. A canonical address returned above, so one here was written in another
  // form that endsInNumber missed, where NFKC and the UTS 46 mapping differ.
  const ascii = domainToASCII(lower);
  if (isIPv4(ascii)) throw nonCanonicalIpv4(raw);
  if (ascii === '') throw invalidHost(raw, 'it is not a valid internationalised domain name');
  ensureDnsName(ascii, raw);
  if (RESERVED_NAMES.has(ascii)) throw invalidHost(raw, `'${ascii}' is reserved because config/${ascii}.config.ini.php is a shared config file`);
  return { kind: 'name', host: ascii as TenantHost };
}

/**
 * Parses a host that must name a tenant: a DNS name or an IPv4 address. `--matomo-domain`,
 * `tenant:create` and the other tenant commands read their host with it.
 *
 * @throws FootfallError HOST_INVALID naming the value and the rule it broke, also for an
 *   IPv6 address with or without brackets.
 */
export function parseTenantHostName(raw: string | undefined): TenantHost {
  if (raw === undefined || raw.trim() === '') throw new FootfallError('HOST_INVALID', "Missing host name. Pass the tenant's host name, such as stats.example.com.");
  // Without brackets, `::1` would be read as the host ':' with the port 1.
  if (isIPv6(raw.trim())) throw ipv6CannotNameTenant(raw);
  const parsed = parseTenantHost(raw);
  if (parsed.kind === 'ipv6') throw ipv6CannotNameTenant(raw);
  return parsed.host;
}

/**
 * Parses a host that a console command takes to create or name a tenant, such as
 * `tenant:create HOST` or `tenant:import --as=HOST`. Unlike a Host header, the value may not
 * carry a port, because a tenant is named by its host name alone and serves every port.
 *
 * @throws FootfallError HOST_INVALID for a port, and for every value `parseTenantHostName` rejects.
 */
export function parseTenantHostArgument(raw: string | undefined): TenantHost {
  const host = parseTenantHostName(raw);
  if (raw!.includes(':')) {
    throw new FootfallError('HOST_INVALID',
      `Invalid host name ${quote(raw)}: a tenant is named by its host name without a port, and it serves requests on every port. Pass ${host}.`);
  }
  return host;
}

function ipv6CannotNameTenant(raw: string): FootfallError {
  return new FootfallError('HOST_INVALID',
    `Invalid host name ${quote(raw)}: an IPv6 address cannot name a tenant. Pass the host name the tenant is served on, such as stats.example.com (tenant:list lists them).`);
}
