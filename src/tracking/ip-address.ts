/** IP address anonymisation and matching of site exclusion rules. */
import { isIP } from 'node:net';

/**
 * Masks the last `maskBytes` bytes of an IPv4 address with zeros, as `[Tracker] ip_address_mask_length`
 * sets. IPv6 addresses keep 80, 64, 48 or 32 leading bits for 1 to 4 bytes, so a masked IPv6
 * address hides at least the interface id.
 */
export function maskIpAddress(ip: string, maskBytes: number): string {
  const bytes = Math.max(0, Math.min(4, maskBytes));
  const family = isIP(ip);
  if (family === 4) return maskIpv4(ip, bytes);
  if (family !== 6) return ip;
  const keepBits = bytes === 0 ? 128 : [80, 64, 48, 32][bytes - 1]!;
  return formatIpv6(maskBits(expandIpv6(ip), keepBits));
}

/** Zero octets that replace the last 1 to 4 octets of an IPv4 address. */
const MASKED_IPV4_TAILS = ['', '.0', '.0.0', '.0.0.0'];

/** Masks a valid dotted-quad address by keeping the text before its `4 - bytes`th dot, so no array is built. */
function maskIpv4(ip: string, bytes: number): string {
  if (bytes === 0) return ip;
  if (bytes === 4) return '0.0.0.0';
  let end = -1;
  for (let kept = 0; kept < 4 - bytes; kept += 1) end = ip.indexOf('.', end + 1);
  return ip.slice(0, end) + MASKED_IPV4_TAILS[bytes]!;
}

function expandIpv6(ip: string): number[] {
  const mapped = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  let text = ip;
  if (mapped) {
    const octets = mapped[2]!.split('.').map(Number);
    text = `${mapped[1]}${((octets[0]! << 8) | octets[1]!).toString(16)}:${((octets[2]! << 8) | octets[3]!).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  return [...headGroups, ...new Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailGroups].map((group) => Number.parseInt(group || '0', 16));
}

function maskBits(groups: number[], keepBits: number): number[] {
  return groups.map((group, index) => {
    const start = index * 16;
    if (start + 16 <= keepBits) return group;
    if (start >= keepBits) return 0;
    return group & (0xffff << (16 - (keepBits - start)) & 0xffff);
  });
}

function formatIpv6(groups: number[]): string {
  const text = groups.map((group) => group.toString(16)).join(':');
  return text.replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:{3,}/, '::');
}

function ipv4ToNumber(ip: string): number {
  return ip.split('.').reduce((total, octet) => total * 256 + Number(octet), 0);
}

/**
 * Returns whether an address matches one exclusion rule of a site: an exact address, a
 * wildcard form such as `1.2.3.*`, or an IPv4 CIDR such as `1.2.3.0/24`.
 */
export function ipMatchesRule(ip: string, rule: string): boolean {
  const trimmed = rule.trim();
  if (trimmed === '') return false;
  if (trimmed.includes('*')) {
    const pattern = new RegExp(`^${trimmed.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[0-9a-f]*')}$`, 'i');
    return pattern.test(ip);
  }
  const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(trimmed);
  if (cidr && isIP(ip) === 4) {
    const bits = Number(cidr[2]);
    if (bits === 0) return true;
    const mask = bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
    return ((ipv4ToNumber(ip) & mask) >>> 0) === ((ipv4ToNumber(cidr[1]!) & mask) >>> 0);
  }
  return ip.toLowerCase() === trimmed.toLowerCase();
}
