/** SHA-1 of a string's UTF-8 bytes, small enough for the tracker; used only for cookie names. */

function utf8Bytes(text: string): number[] {
  const bytes: number[] = [];
  const encoded = unescape(encodeURIComponent(text));
  for (let i = 0; i < encoded.length; i++) bytes.push(encoded.charCodeAt(i));
  return bytes;
}

function rotateLeft(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

/** Returns the SHA-1 digest of `text` (as UTF-8) in 40 lower-case hex digits. */
export function sha1Hex(text: string): string {
  const bytes = utf8Bytes(text);
  const bitLength = bytes.length * 8;
  bytes.push(0x80);
  while (bytes.length % 64 !== 56) bytes.push(0);
  // The length is appended as a 64-bit big-endian number; strings here never pass 2^32 bits.
  bytes.push(0, 0, 0, 0, (bitLength >>> 24) & 255, (bitLength >>> 16) & 255, (bitLength >>> 8) & 255, bitLength & 255);

  const state = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const words: number[] = new Array(80);
  for (let offset = 0; offset < bytes.length; offset += 64) {
    for (let i = 0; i < 16; i++) {
      const at = offset + i * 4;
      words[i] = (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
    }
    for (let i = 16; i < 80; i++) words[i] = rotateLeft(words[i - 3]! ^ words[i - 8]! ^ words[i - 14]! ^ words[i - 16]!, 1);
    compressBlock(state, words);
  }
  return state.map((word) => (word >>> 0).toString(16).padStart(8, '0')).join('');
}

function compressBlock(state: number[], words: number[]): void {
  let [a, b, c, d, e] = state as [number, number, number, number, number];
  for (let i = 0; i < 80; i++) {
    let mixed: number;
    let constant: number;
    if (i < 20) { mixed = (b & c) | (~b & d); constant = 0x5a827999; }
    else if (i < 40) { mixed = b ^ c ^ d; constant = 0x6ed9eba1; }
    else if (i < 60) { mixed = (b & c) | (b & d) | (c & d); constant = 0x8f1bbcdc; }
    else { mixed = b ^ c ^ d; constant = 0xca62c1d6; }
    const next = (rotateLeft(a, 5) + mixed + e + constant + words[i]!) | 0;
    e = d;
    d = c;
    c = rotateLeft(b, 30);
    b = a;
    a = next;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
}
