/** Checking of the IP patterns a site excludes from tracking: addresses, CIDR ranges and IPv4 wildcards. */
import { isIP } from 'node:net';
import { FootfallError, quote } from '../errors.js';

/**
 * Returns whether a value is an IP pattern Matomo accepts in `excluded_ips`: an IPv4 or IPv6
 * address, a CIDR range such as `192.0.2.0/24`, or an IPv4 wildcard such as `192.0.2.*` where
 * every part after the first `*` is also `*`.
 */
export function isExcludedIpPattern(value: string): boolean {
  if (value.includes('/')) return isCidrRange(value);
  if (value.includes('*')) return isIpv4Wildcard(value);
  return isIP(value) !== 0;
}

function isCidrRange(value: string): boolean {
  const [address, bits, ...rest] = value.split('/');
  if (rest.length > 0 || address === undefined || bits === undefined || !/^[0-9]{1,3}$/.test(bits)) return false;
  const version = isIP(address);
  if (version === 0) return false;
  return Number(bits) <= (version === 4 ? 32 : 128);
}

function isIpv4Wildcard(value: string): boolean {
  const parts = value.split('.');
  if (parts.length !== 4) return false;
  const firstWildcard = parts.indexOf('*');
  return parts.every((part, index) => (index >= firstWildcard ? part === '*' : /^[0-9]{1,3}$/.test(part) && Number(part) <= 255));
}

/** @throws FootfallError IP_INVALID naming the first value that is not an IP pattern. */
export function ensureExcludedIps(values: readonly string[]): void {
  const invalid = values.map((value) => value.trim()).find((value) => value !== '' && !isExcludedIpPattern(value));
  if (invalid === undefined) return;
  throw new FootfallError('IP_INVALID', `Invalid excluded IP ${quote(invalid)}. Use an address such as 192.0.2.1, a range such as 192.0.2.0/24, or a wildcard such as 192.0.2.*.`);
}
