/**
 * Writes MaxMind DB (MMDB 2.0) files: a binary search tree over IP prefixes, a data section
 * of typed values, and the metadata map. Enough of the format for small country and city
 * databases built from a table of networks.
 */

/** A value the data section can hold. Whole numbers are written as uint32, fractions as double. */
export type MmdbValue = string | number | boolean | MmdbValue[] | { [key: string]: MmdbValue };

/** One network of a database: `1.2.3.0/24` or an IPv6 prefix, with its record. */
export interface MmdbNetwork {
  cidr: string;
  data: { [key: string]: MmdbValue };
}

/** Metadata fields of a database. */
export interface MmdbOptions {
  databaseType: string;
  description: string;
  buildEpochSeconds: number;
}

const RECORD_SIZE_BITS = 24;
const METADATA_MARKER = Buffer.from([0xab, 0xcd, 0xef, ...Buffer.from('MaxMind.com')]);

interface TreeNode {
  children: [TreeNode | number | null, TreeNode | number | null];
}

/**
 * Builds an IPv6 database (IPv4 networks sit at `::a.b.c.d`, where MaxMind readers look for
 * them) from a list of networks.
 *
 * @throws Error when a CIDR is malformed; the table is written by developers, not users.
 */
export function buildMmdb(networks: readonly MmdbNetwork[], options: MmdbOptions): Buffer {
  const data = new DataSectionWriter();
  const root: TreeNode = { children: [null, null] };
  for (const network of networks) {
    const { bits, prefixLength } = parseCidr(network.cidr);
    insert(root, bits, prefixLength, data.add(network.data));
  }

  const nodes = numberNodes(root);
  const nodeCount = nodes.length;
  const tree = Buffer.alloc(nodeCount * (RECORD_SIZE_BITS / 4));
  nodes.forEach((node, index) => {
    node.children.forEach((child, side) => {
      const value = child === null ? nodeCount : typeof child === 'number' ? nodeCount + 16 + child : nodes.indexOf(child);
      tree.writeUIntBE(value, index * 6 + side * 3, 3);
    });
  });

  const metadata = encodeValue({
    node_count: uint32(nodeCount), record_size: uint16(RECORD_SIZE_BITS), ip_version: uint16(6),
    database_type: options.databaseType, languages: ['en'], binary_format_major_version: uint16(2),
    binary_format_minor_version: uint16(0), build_epoch: uint64(options.buildEpochSeconds), description: { en: options.description },
  });
  return Buffer.concat([tree, Buffer.alloc(16), data.toBuffer(), METADATA_MARKER, metadata]);
}

function insert(root: TreeNode, bits: number[], prefixLength: number, dataOffset: number): void {
  let node = root;
  for (let depth = 0; depth < prefixLength - 1; depth += 1) {
    const bit = bits[depth] as 0 | 1;
    const child = node.children[bit];
    if (child === null || typeof child === 'number') {
      // A longer prefix inside an existing network splits it: both halves keep the old record.
      const next: TreeNode = { children: [child, child] };
      node.children[bit] = next;
      node = next;
    } else {
      node = child;
    }
  }
  node.children[bits[prefixLength - 1] as 0 | 1] = dataOffset;
}

function numberNodes(root: TreeNode): TreeNode[] {
  const nodes: TreeNode[] = [];
  const queue: TreeNode[] = [root];
  for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
    nodes.push(node);
    for (const child of node.children) if (child !== null && typeof child !== 'number') queue.push(child);
  }
  return nodes;
}

function parseCidr(cidr: string): { bits: number[]; prefixLength: number } {
  const [address, lengthText] = cidr.split('/');
  const length = Number(lengthText);
  const octets = address?.split('.').map(Number) ?? [];
  if (octets.length !== 4 || octets.some((octet) => !Number.isInteger(octet) || octet < 0 || octet > 255) || !Number.isInteger(length) || length < 1 || length > 32) {
    throw new Error(`Invalid IPv4 network ${cidr}; expected a.b.c.d/n.`);
  }
  const bits = new Array<number>(96).fill(0);
  for (const octet of octets) for (let bit = 7; bit >= 0; bit -= 1) bits.push((octet >> bit) & 1);
  return { bits, prefixLength: 96 + length };
}

/** Typed integers for metadata fields whose type the format fixes. */
interface TypedInt { kind: 'uint16' | 'uint32' | 'uint64'; value: number }
const uint16 = (value: number): TypedInt => ({ kind: 'uint16', value });
const uint32 = (value: number): TypedInt => ({ kind: 'uint32', value });
const uint64 = (value: number): TypedInt => ({ kind: 'uint64', value });

class DataSectionWriter {
  readonly #chunks: Buffer[] = [];
  readonly #offsets = new Map<string, number>();
  #size = 0;

  /** Adds a record (identical records are stored once) and returns its offset in the data section. */
  add(value: MmdbValue): number {
    const key = JSON.stringify(value);
    const known = this.#offsets.get(key);
    if (known !== undefined) return known;
    const encoded = encodeValue(value);
    const offset = this.#size;
    this.#chunks.push(encoded);
    this.#size += encoded.length;
    this.#offsets.set(key, offset);
    return offset;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.#chunks);
  }
}

function controlBytes(type: number, size: number): Buffer {
  const head: number[] = [];
  let sizeBits: number;
  const sizeBytes: number[] = [];
  if (size < 29) sizeBits = size;
  else if (size < 285) { sizeBits = 29; sizeBytes.push(size - 29); }
  else if (size < 65_821) { sizeBits = 30; sizeBytes.push(((size - 285) >> 8) & 0xff, (size - 285) & 0xff); }
  else { sizeBits = 31; const rest = size - 65_821; sizeBytes.push((rest >> 16) & 0xff, (rest >> 8) & 0xff, rest & 0xff); }
  if (type <= 7) head.push((type << 5) | sizeBits);
  else head.push(sizeBits, type - 7);
  return Buffer.from([...head, ...sizeBytes]);
}

function unsignedBytes(value: number): Buffer {
  const bytes: number[] = [];
  let rest = BigInt(value);
  while (rest > 0n) { bytes.unshift(Number(rest & 0xffn)); rest >>= 8n; }
  return Buffer.from(bytes);
}

function encodeValue(value: MmdbValue | TypedInt | { [key: string]: MmdbValue | TypedInt }): Buffer {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([controlBytes(2, bytes.length), bytes]);
  }
  if (typeof value === 'boolean') return controlBytes(14, value ? 1 : 0);
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value <= 0xffffffff) return encodeValue(uint32(value));
    const bytes = Buffer.alloc(8);
    bytes.writeDoubleBE(value);
    return Buffer.concat([controlBytes(3, 8), bytes]);
  }
  if (Array.isArray(value)) return Buffer.concat([controlBytes(11, value.length), ...value.map(encodeValue)]);
  if (isTypedInt(value)) {
    const bytes = unsignedBytes(value.value);
    const type = value.kind === 'uint16' ? 5 : value.kind === 'uint32' ? 6 : 9;
    return Buffer.concat([controlBytes(type, bytes.length), bytes]);
  }
  const entries = Object.entries(value);
  return Buffer.concat([controlBytes(7, entries.length), ...entries.flatMap(([key, item]) => [encodeValue(key), encodeValue(item)])]);
}

function isTypedInt(value: object): value is TypedInt {
  return 'kind' in value && 'value' in value && typeof (value as TypedInt).value === 'number' && Object.keys(value).length === 2;
}
