/** The HTTP server: one Fastify instance that serves every tenant. */
import formbody from '@fastify/formbody';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { isFootfallError, type ErrorCode, type FootfallError } from '../errors.js';
import type { Logger } from 'pino';
import type { AppContext } from './app-context.js';
import { sendClientErrorResponse } from './client-error.js';
import { registerJsonBodyParser, sendJsonBodyError } from './json-body.js';
import { registerApiRoutes } from './api-routes.js';
import { registerSessionRoutes } from './session-routes.js';
import { registerDashboardRoutes } from './dashboard-routes.js';
import { registerBrandingRoutes } from './branding-routes.js';
import { registerTrackerScriptRoutes } from './tracker-script-routes.js';
import { registerContainerFileRoutes } from './container-file-routes.js';
import { registerTrackingRoutes, setErrorHeader } from './tracking-routes.js';
import { buildBodyTooLargeError, decodeRequestBody, SUPPORTED_CONTENT_CODINGS } from './request-body.js';
import { createTenantResolver, sendResolverError } from './tenant-resolver.js';

/** Largest request body accepted, in bytes; bulk tracking bodies are the largest legitimate ones. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * Returns the level of a `request completed` line: error for a 5xx status, except info for the
 * 503 of a disabled tenant, because `tenant:disable` turned it off on purpose. Debug otherwise.
 */
export function selectCompletionLogLevel(statusCode: number, errorCode: ErrorCode | undefined): 'error' | 'info' | 'debug' {
  if (errorCode === 'TENANT_DISABLED') return 'info';
  return statusCode >= 500 ? 'error' : 'debug';
}

/** Errors raised while a request body is read, before any route handler runs. */
const REQUEST_BODY_READ_ERRORS: ReadonlySet<ErrorCode> = new Set(['REQUEST_BODY_TOO_LARGE', 'REQUEST_ENCODING_UNSUPPORTED', 'REQUEST_BODY_DECODING_FAILED']);

/**
 * Sends an error raised while the body was read, as `sendResolverError` does (the API shape
 * when the query string has `module=API`, plain text elsewhere), with `X-Footfall-Error`. A
 * 415 lists the supported codings in `Accept-Encoding`, as RFC 9110, section 15.5.16, advises.
 */
function sendRequestBodyError(request: FastifyRequest, reply: FastifyReply, error: FootfallError, logger: Logger): FastifyReply {
  logger.info({ tenant: request.tenant?.key, reqId: request.id, code: error.code }, 'request body rejected');
  setErrorHeader(reply, error);
  // The rest of a body that was not read to its end would otherwise wait on a kept-alive connection.
  reply.header('connection', 'close');
  if (error.code === 'REQUEST_ENCODING_UNSUPPORTED') reply.header('accept-encoding', SUPPORTED_CONTENT_CODINGS.join(', '));
  return sendResolverError(request, reply, error.code, error.message);
}

/** Builds the server with every route; call `listen` on the result, or `inject` in tests. */
export async function buildServer(context: AppContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: context.logger as FastifyBaseLogger,
    // Fastify's own request lines carry the full URL, query string and all; ours leave it out.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreDuplicateSlashes: true, ignoreTrailingSlash: true },
    bodyLimit: MAX_BODY_BYTES,
    trustProxy: false,
    return503OnClosing: true,
    clientErrorHandler: sendClientErrorResponse,
    // Node sends a bare 400 for an HTTP/1.1 request without Host before any hook runs. The
    // tenant resolver rejects it instead, with HOST_INVALID and the response of its path.
    http: { requireHostHeader: false },
  });

  // Set before the routes, because each route keeps the error handler in force when it is added.
  app.setErrorHandler((error, request, reply) => {
    if (isFootfallError(error, 'REQUEST_BODY_INVALID') || isFootfallError(error, 'TRACKING_BULK_INVALID')) return sendJsonBodyError(request, reply, error);
    if ((error as { code?: unknown }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendRequestBodyError(request, reply, buildBodyTooLargeError(request, request.routeOptions.bodyLimit ?? MAX_BODY_BYTES), context.logger);
    }
    if (isFootfallError(error) && REQUEST_BODY_READ_ERRORS.has(error.code)) return sendRequestBodyError(request, reply, error, context.logger);
    return reply.send(error);
  });

  // Fastify runs a route's own hooks after the server's, so every route reads the decoded body.
  app.addHook('preParsing', decodeRequestBody);
  await app.register(formbody);
  registerJsonBodyParser(app);
  // Trackers send bulk JSON with any content type (often text/plain), so every other body is kept as text.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ready', tenants: context.registry.listHosts().length }));

  app.addHook('onRequest', createTenantResolver(context));
  // A callback hook that builds no log object below the log level, because it runs for every tracking hit.
  app.addHook('onResponse', (request, reply, done) => {
    const level = selectCompletionLogLevel(reply.statusCode, request.resolverErrorCode);
    if (context.logger.isLevelEnabled(level)) {
      context.logger[level]({
        reqId: request.id, tenant: request.tenant?.key, method: request.method, path: request.url.split('?')[0],
        statusCode: reply.statusCode, code: request.resolverErrorCode, durationMs: Math.round(reply.elapsedTime),
      }, 'request completed');
    }
    done();
  });

  registerApiRoutes(app, context);
  await registerSessionRoutes(app, context);
  registerDashboardRoutes(app);
  registerBrandingRoutes(app, context);
  const handleTrackingRequest = registerTrackingRoutes(app, context);
  registerTrackerScriptRoutes(app, context, { handleTrackingRequest });
  registerContainerFileRoutes(app, context);
  return app;
}
