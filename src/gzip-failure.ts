/** Classification of the errors a gunzip stream raises, for `log:import`, `tenant:import` and gzip request bodies. */
import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Why a gzip file failed to decompress: it ends inside the compressed data, it does not start
 * as a gzip file, or it starts as one but its data is damaged.
 */
export type GzipFailure = 'truncated' | 'not_gzip' | 'corrupt';

/** Returns whether `bytes` start with 1f 8b, the two bytes that start every gzip member (RFC 1952, section 2.3.1). */
export function hasGzipMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Returns whether a file starts with the gzip magic bytes, or null when the file cannot be read any more. */
function startsWithGzipMagic(file: string): boolean | null {
  let descriptor: number;
  try {
    descriptor = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const magic = Buffer.alloc(2);
    return readSync(descriptor, magic, 0, 2, 0) === 2 && hasGzipMagic(magic);
  } catch {
    return null;
  } finally {
    closeSync(descriptor);
  }
}

/**
 * Classifies an error of a gunzip stream, or returns null for any other error. zlib raises
 * Z_BUF_ERROR ("unexpected end of file") when the input stops inside the compressed data, and
 * Z_DATA_ERROR for bytes that are not gzip ("incorrect header check") or do not decompress
 * ("incorrect data check", "invalid block type"). `startsWithMagic` distinguishes the two: it
 * is called only for a Z_DATA_ERROR, and its null (the input cannot be read) counts as corrupt.
 */
export function classifyGunzipError(error: unknown, startsWithMagic: () => boolean | null): GzipFailure | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'Z_BUF_ERROR') return 'truncated';
  if (code !== 'Z_DATA_ERROR') return null;
  return startsWithMagic() === false ? 'not_gzip' : 'corrupt';
}

/**
 * Classifies an error of a gunzip stream that read `file`, or returns null for any other error.
 * The first two bytes of the file tell bytes that are not gzip from damaged gzip data.
 */
export function classifyGzipFailure(error: unknown, file: string): GzipFailure | null {
  return classifyGunzipError(error, () => startsWithGzipMagic(file));
}
