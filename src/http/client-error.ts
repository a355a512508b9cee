/** Error responses for requests that Node's HTTP parser rejects before any route handles them. */
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * Sends a short text response for a parse error of Node's HTTP server, then closes the connection.
 * A request line and headers over Node's `maxHeaderSize` (16384 bytes unless
 * `--max-http-header-size` sets another) get 431 with a body that names the limit, so a tracker
 * that builds a long GET URL learns why it failed.
 */
export function sendClientErrorResponse(this: FastifyInstance, error: Error & { code?: string }, socket: Socket): void {
  // A reset connection cannot receive a response.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;

  let status: number;
  let message: string;
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    message = `The request line and headers are larger than the limit of ${maxHeaderSize} bytes. Send tracking parameters in a POST body, or use a shorter URL.`;
  } else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    message = 'The request was not received in time.';
  } else {
    status = 400;
    message = 'The request is not valid HTTP.';
  }
  this.log.debug({ code: error.code, status }, 'client error');

  if (socket.writable) {
    const body = `${message}\n`;
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }
  socket.destroy(error);
}
