/** The bodies and headers of tracking responses, as Matomo sends them. */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The 43-byte transparent 1×1 GIF that Matomo returns for image requests. */
export const TRANSPARENT_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAAAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

/** The text of an empty GET on a tracking endpoint. */
export const EMPTY_REQUEST_TEXT = "This resource is part of Footfall, a Matomo-compatible web analytics server. Send tracking requests here with the Tracking API's parameters, such as ?idsite=1&rec=1.\n";

/** Adds the headers every tracking response has: no caching, and CORS with credentials for POST (as Matomo echoes the Origin). */
export function setTrackingHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('cache-control', 'no-store');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    const origin = request.headers.origin;
    reply.header('access-control-allow-origin', typeof origin === 'string' && origin !== '' ? origin : '*');
    reply.header('access-control-allow-credentials', 'true');
  }
}

/** Sends the response to a single hit: 204 when the hit requests `send_image=0`, else the GIF. */
export function sendPixel(reply: FastifyReply, statusCode: number, sendImage: boolean): FastifyReply {
  if (!sendImage) return reply.code(statusCode === 200 ? 204 : statusCode).send();
  return reply.code(statusCode).header('content-type', 'image/gif').send(TRANSPARENT_GIF);
}
