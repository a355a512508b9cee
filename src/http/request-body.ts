/** Reading request bodies for every route: decoding by Content-Encoding within the body size limit. */
import { Readable, type Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { FastifyReply, FastifyRequest, RequestPayload } from 'fastify';
import { FootfallError, quote } from '../errors.js';
import { classifyGunzipError, hasGzipMagic } from '../gzip-failure.js';

/** The content codings of a request body that Footfall decodes (RFC 9110, section 8.4.1), with Node's zlib. */
export const SUPPORTED_CONTENT_CODINGS = ['gzip', 'deflate', 'br'] as const;

/** One of the content codings Footfall decodes. */
export type ContentCoding = (typeof SUPPORTED_CONTENT_CODINGS)[number];

/**
 * A request payload as Fastify's body parser reads it. `receivedEncodedLength` is the number of
 * bytes received before decoding, which Fastify compares with the Content-Length header.
 */
export type BodyStream = NodeJS.ReadableStream & { receivedEncodedLength?: number };

/** Methods whose body Fastify never parses, so their Content-Encoding does not matter. */
const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'TRACE']);

const SUPPORTED_LIST = 'gzip, deflate or br';

function isContentCoding(name: string): name is ContentCoding {
  return (SUPPORTED_CONTENT_CODINGS as readonly string[]).includes(name);
}

/**
 * Parses a Content-Encoding header into the coding to decode, or null when the body is not
 * encoded: no header, or only `identity`. Names are case-insensitive, and `x-gzip` is `gzip`
 * (RFC 9110, section 8.4.1.3).
 *
 * @throws FootfallError REQUEST_ENCODING_UNSUPPORTED for another coding, or for more than one
 *   coding applied in turn, such as `gzip, br`.
 */
export function parseContentEncoding(header: string | undefined): ContentCoding | null {
  if (header === undefined) return null;
  const codings = header.split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '' && name !== 'identity');
  if (codings.length === 0) return null;
  if (codings.length > 1) {
    throw new FootfallError('REQUEST_ENCODING_UNSUPPORTED',
      `Content-Encoding ${quote(header)} applies ${codings.length} codings, and Footfall decodes only one. Send the body uncompressed or with one of ${SUPPORTED_LIST}.`);
  }
  const coding = codings[0] === 'x-gzip' ? 'gzip' : codings[0]!;
  if (!isContentCoding(coding)) {
    throw new FootfallError('REQUEST_ENCODING_UNSUPPORTED',
      `Content-Encoding ${quote(header)} is not supported. Send the body uncompressed or with ${SUPPORTED_LIST}.`);
  }
  return coding;
}

/**
 * Builds the REQUEST_BODY_TOO_LARGE error of a body over `limit` bytes. The message gives the
 * Content-Length when the client sent one, and states that the body was compressed when its
 * decoded size passed the limit.
 */
export function buildBodyTooLargeError(request: FastifyRequest, limit: number, decodedFrom?: ContentCoding): FootfallError {
  const route = request.routeOptions.url ?? 'this path';
  const length = request.headers['content-length'];
  let size = length === undefined ? 'The request body' : `The request body of ${length} bytes`;
  if (decodedFrom !== undefined) size = `The request body, decoded from Content-Encoding ${decodedFrom},`;
  return new FootfallError('REQUEST_BODY_TOO_LARGE',
    `${size} is larger than the limit of ${limit} bytes on ${route}. Send a smaller body, for example by splitting a bulk tracking request into several.`);
}

/** Returns whether the request has a body to read, by the same headers as Fastify's parser checks. */
function hasBody(request: FastifyRequest): boolean {
  if (BODYLESS_METHODS.has(request.method)) return false;
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Throws REQUEST_BODY_TOO_LARGE before any byte is read when the Content-Length is over `limit`. */
function ensureContentLengthWithinLimit(request: FastifyRequest, limit: number): void {
  if (Number(request.headers['content-length']) > limit) throw buildBodyTooLargeError(request, limit);
}

/**
 * Reads a whole payload into one Buffer.
 *
 * The listeners are removed and the payload is paused at the first byte over the limit,
 * without destroying the payload. Destroying the request's stream would close the socket
 * before the 413 response is sent, and an async iterator destroys its stream when the loop
 * throws.
 *
 * @throws FootfallError REQUEST_BODY_TOO_LARGE once the payload passes the route's body limit,
 *   and any error the payload emits.
 */
export function readBodyWithinLimit(request: FastifyRequest, payload: BodyStream): Promise<Buffer> {
  const limit = request.routeOptions.bodyLimit;
  ensureContentLengthWithinLimit(request, limit);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const stop = (): void => {
      payload.off('data', onData);
      payload.off('end', onEnd);
      payload.off('error', onError);
    };
    const onData = (chunk: Buffer | string): void => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      length += bytes.length;
      if (length <= limit) {
        chunks.push(bytes);
        return;
      }
      stop();
      payload.pause();
      reject(buildBodyTooLargeError(request, limit));
    };
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks, length));
    };
    const onError = (error: Error): void => {
      stop();
      reject(error);
    };
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
  });
}

function createDecoder(coding: ContentCoding): Transform {
  if (coding === 'gzip') return createGunzip();
  if (coding === 'deflate') return createInflate();
  return createBrotliDecompress();
}

/**
 * Returns whether two bytes start the zlib format (RFC 1950, section 2.2), which HTTP's
 * `deflate` coding is: compression method 8, and CMF * 256 + FLG a multiple of 31.
 */
function hasZlibHeader(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && (bytes[0]! & 0x0f) === 8 && ((bytes[0]! << 8) | bytes[1]!) % 31 === 0;
}

/** Why an encoded body failed to decode: it ends early, it is not in the coding's format, or its data is damaged. */
type DecodingFailure = 'truncated' | 'wrong_format' | 'corrupt';

/**
 * Classifies an error of a zlib decoder, or returns null for an error that the body did not
 * cause, such as Z_MEM_ERROR. `head` is the first two bytes of the encoded body. Brotli
 * names its data errors `ERR__ERROR_FORMAT_*` (Node 20) and has no header to check.
 */
function classifyDecodingError(coding: ContentCoding, error: unknown, head: Buffer): DecodingFailure | null {
  if (coding === 'gzip') {
    const failure = classifyGunzipError(error, () => hasGzipMagic(head));
    return failure === 'not_gzip' ? 'wrong_format' : failure;
  }
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  if (code === 'Z_BUF_ERROR') return 'truncated';
  if (coding === 'deflate' && code === 'Z_DATA_ERROR') return hasZlibHeader(head) ? 'corrupt' : 'wrong_format';
  if (coding === 'br' && code.startsWith('ERR__ERROR_FORMAT_')) return 'corrupt';
  return null;
}

/** Builds the REQUEST_BODY_DECODING_FAILED error of a decoder error, or returns the error itself when it is not about the body. */
function buildDecodingError(coding: ContentCoding, error: Error, head: Buffer): Error {
  const failure = classifyDecodingError(coding, error, head);
  if (failure === null) return error;
  const format = coding === 'deflate' ? 'zlib (RFC 1950)' : coding;
  const messages: Record<DecodingFailure, string> = {
    truncated: `Invalid request body: its ${format} data (Content-Encoding ${coding}) stops before its end, so the body is truncated. Send the complete body.`,
    wrong_format: `Invalid request body: Content-Encoding is ${coding}, but the body does not start as ${format} data. Compress the body with ${coding}, or leave out the Content-Encoding header.`,
    corrupt: `Invalid request body: its ${format} data (Content-Encoding ${coding}) is damaged and cannot be decoded (${error.message}). Compress the body again and send it.`,
  };
  return new FootfallError('REQUEST_BODY_DECODING_FAILED', messages[failure], { cause: error });
}

/** A body decoded from its content coding, with the number of bytes received before decoding. */
interface DecodedBody {
  body: Buffer;
  encodedLength: number;
}

/**
 * Reads and decodes an encoded payload. Both the encoded and the decoded size must stay within
 * `limit`, so that a small compressed body cannot expand past it (a zip bomb). At the first
 * chunk that passes it, the decoder is destroyed and the payload paused. An empty payload
 * decodes to an empty body.
 *
 * @throws FootfallError REQUEST_BODY_TOO_LARGE, REQUEST_BODY_DECODING_FAILED, and any error the
 *   payload emits.
 */
function readDecodedBody(request: FastifyRequest, payload: BodyStream, coding: ContentCoding, limit: number): Promise<DecodedBody> {
  return new Promise((resolve, reject) => {
    const decoder = createDecoder(coding);
    const chunks: Buffer[] = [];
    let head = Buffer.alloc(0);
    let encodedLength = 0;
    let decodedLength = 0;
    let settled = false;

    const finish = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      payload.off('data', onEncodedData);
      payload.off('end', onEncodedEnd);
      payload.off('error', finish);
      if (error !== null) payload.pause();
      decoder.destroy();
      if (error !== null) reject(error);
      else resolve({ body: Buffer.concat(chunks, decodedLength), encodedLength });
    };
    const onEncodedData = (chunk: Buffer | string): void => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      encodedLength += bytes.length;
      if (head.length < 2) head = Buffer.concat([head, bytes.subarray(0, 2)]).subarray(0, 2);
      if (encodedLength > limit) finish(buildBodyTooLargeError(request, limit));
      else if (!decoder.write(bytes)) payload.pause();
    };
    const onEncodedEnd = (): void => {
      if (encodedLength === 0) finish(null);
      else decoder.end();
    };

    decoder.on('drain', () => {
      if (!settled) payload.resume();
    });
    decoder.on('data', (chunk: Buffer) => {
      if (settled) return;
      decodedLength += chunk.length;
      if (decodedLength > limit) finish(buildBodyTooLargeError(request, limit, coding));
      else chunks.push(chunk);
    });
    decoder.on('end', () => finish(null));
    decoder.on('error', (error) => finish(buildDecodingError(coding, error, head)));
    payload.on('data', onEncodedData);
    payload.on('end', onEncodedEnd);
    payload.on('error', finish);
  });
}

/**
 * Decodes a request body by its Content-Encoding, as a preParsing hook for every route, so
 * that the content-type parsers and the routes read the decoded body. A body without an
 * encoding, or with `identity`, passes through unchanged, and Fastify's `bodyLimit` bounds it.
 *
 * Limitations: the decoded body is held in memory whole before it is parsed, up to the route's
 * body limit, as Fastify's parsers hold an unencoded one.
 *
 * @throws FootfallError REQUEST_ENCODING_UNSUPPORTED before any byte is read,
 *   REQUEST_BODY_TOO_LARGE when the Content-Length, the bytes received or the decoded body pass
 *   the route's body limit, and REQUEST_BODY_DECODING_FAILED for a truncated or damaged body.
 */
export function decodeRequestBody(
  request: FastifyRequest, _reply: FastifyReply, payload: RequestPayload, done: (error: Error | null, payload?: RequestPayload) => void,
): void {
  // A callback hook, not an async one, so that the requests without an encoded body, such as
  // every GET hit, pass through without a promise.
  let coding: ContentCoding | null;
  try {
    coding = hasBody(request) ? parseContentEncoding(request.headers['content-encoding']) : null;
    if (coding !== null) ensureContentLengthWithinLimit(request, request.routeOptions.bodyLimit);
  } catch (error) {
    done(error as Error);
    return;
  }
  if (coding === null) {
    done(null, payload);
    return;
  }
  readDecodedBody(request, payload, coding, request.routeOptions.bodyLimit).then(({ body, encodedLength }) => {
    done(null, Object.assign(Readable.from(body.length === 0 ? [] : [body]), { receivedEncodedLength: encodedLength }));
  }, (error: unknown) => done(error as Error));
}
