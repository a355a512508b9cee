/** The parser of `application/json` request bodies, with Footfall's errors in place of Fastify's. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { renderApiError } from '../api/api-response.js';
import { FootfallError } from '../errors.js';
import { sendResolverError } from './tenant-resolver.js';
import { isTrackingRequest, sendBulkRequestError, setErrorHeader } from './tracking-routes.js';

/**
 * Returns why a body that Fastify's JSON parser rejected is not accepted: invalid JSON, or
 * valid JSON with a `__proto__` or `constructor.prototype` key, which the parser rejects so
 * that no handler can change an object's prototype.
 */
function describeJsonProblem(body: string): string {
  try {
    JSON.parse(body);
    return 'it has a "__proto__" key or a "constructor" key with a "prototype", which are not accepted';
  } catch {
    return 'it is not valid JSON';
  }
}

function buildBodyError(request: FastifyRequest, body: string): FootfallError {
  const problem = describeJsonProblem(body);
  if (isTrackingRequest(request)) {
    return new FootfallError('TRACKING_BULK_INVALID',
      `Invalid tracking body with Content-Type application/json: ${problem}. Send {"requests":["?idsite=1&rec=1&url=..."]} for a bulk request, or an object of parameters such as {"idsite":1,"rec":1} for one hit.`);
  }
  return new FootfallError('REQUEST_BODY_INVALID',
    `Invalid request body with Content-Type application/json: ${problem}. Send valid JSON, or a form with Content-Type application/x-www-form-urlencoded.`);
}

/**
 * Replaces Fastify's JSON body parser by one that keeps its checks but fails with a
 * FootfallError: TRACKING_BULK_INVALID on the tracking paths, REQUEST_BODY_INVALID elsewhere.
 * An empty body counts as no body, as Matomo reads a tracking request's query string then.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, text, (error, value) => {
      if (error) done(buildBodyError(request, text), undefined);
      else done(null, value);
    });
  });
}

/**
 * Sends the error of a JSON body that could not be parsed, with the reason in
 * `X-Footfall-Error`. A tracking request gets the response of a rejected bulk request. A
 * Reporting API request (`module=API` in the query string) gets the error in its `format`,
 * and any other request gets it as JSON in the API's error shape, because its client sent JSON.
 */
export function sendJsonBodyError(request: FastifyRequest, reply: FastifyReply, error: FootfallError): FastifyReply {
  if (error.code === 'TRACKING_BULK_INVALID') return sendBulkRequestError(request, reply, error);
  setErrorHeader(reply, error);
  const query = (request.query ?? {}) as Record<string, unknown>;
  if (typeof query.module === 'string' && query.module.toLowerCase() === 'api') return sendResolverError(request, reply, error.code, error.message);
  const rendered = renderApiError(error.message, error.code, 'json');
  return reply.code(error.statusCode).header('content-type', rendered.contentType).header('cache-control', 'no-store').send(rendered.body);
}
