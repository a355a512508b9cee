/** The Reporting API endpoint: `/index.php?module=API&method=...` and `/?module=API&method=...`. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiParams, type RawParam } from '../api/api-params.js';
import { parseApiFormat, renderApiError, renderApiResult, type ApiFormat } from '../api/api-response.js';
import type { ApiValue } from '../api/api-value.js';
import { authenticateToken } from '../auth/access.js';
import { authenticateApiSession } from '../auth/api-session.js';
import { FootfallError, isFootfallError, quote } from '../errors.js';
import type { AppContext } from './app-context.js';
import { readClientIp } from './session-routes.js';
import { ensureTenantCurrent } from './tenant-resolver.js';

type ParamRecord = Record<string, RawParam>;

function bodyParams(request: FastifyRequest): ParamRecord | undefined {
  const body = request.body;
  return typeof body === 'object' && body !== null && !Buffer.isBuffer(body) ? (body as ParamRecord) : undefined;
}

/**
 * Runs one API call for an already resolved tenant and returns its value.
 *
 * @throws FootfallError for a missing or unknown method, bad parameters or denied access.
 */
export async function runApiCall(context: AppContext, request: FastifyRequest, params: ApiParams, tokenInBody: boolean): Promise<ApiValue> {
  const methodName = params.optionalString('method');
  if (!methodName) throw new FootfallError('API_METHOD_MISSING', "Missing parameter 'method'. Use method=Module.action, for example method=API.getMatomoVersion.");
  const method = context.apiMethods.get(methodName);
  if (!method) throw new FootfallError('API_METHOD_NOT_FOUND', `The method ${quote(methodName)} does not exist or is not available. See docs/api.md for the methods Footfall serves.`);

  const tenant = request.tenant;
  await ensureTenantCurrent(tenant);
  const access = await authenticateApiSession(tenant, params, { cookies: request.cookies ?? {}, tokenInBody }, context.clock)
    ?? await authenticateToken(tenant, params.optionalString('token_auth'), { securelySent: tokenInBody, clock: context.clock });
  return method.handler({
    tenant, access, params, clock: context.clock, logger: context.logger, registry: context.registry, methods: context.apiMethods,
    origin: { host: request.headers.host ?? '', secure: request.protocol === 'https' },
    ip: readClientIp(request, context),
  });
}

function sendRendered(reply: FastifyReply, statusCode: number, rendered: { contentType: string; body: string }): FastifyReply {
  return reply.code(statusCode).header('content-type', rendered.contentType).header('cache-control', 'no-store').send(rendered.body);
}

async function handleApiRequest(context: AppContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const body = bodyParams(request);
  const params = ApiParams.merge(request.query as ParamRecord, body);
  const callback = params.optionalString('callback') ?? params.optionalString('jsoncallback');
  let format: ApiFormat = 'xml';
  try {
    format = parseApiFormat(params.optionalString('format'));
    const value = await runApiCall(context, request, params, body?.token_auth !== undefined);
    return sendRendered(reply, 200, renderApiResult(value, format, callback));
  } catch (error) {
    if (isFootfallError(error)) {
      const level = error.statusCode >= 500 ? 'error' : 'info';
      context.logger[level]({ tenant: request.tenant?.key, code: error.code, reqId: request.id, err: error.statusCode >= 500 ? error.cause : undefined }, 'api request failed');
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
      return sendRendered(reply, error.statusCode, renderApiError(error.message, error.code, format, callback));
    }
    context.logger.error({ tenant: request.tenant?.key, reqId: request.id, err: error }, 'api request errored');
    return sendRendered(reply, 500, renderApiError('An internal error occurred. The operator can find the details in the server log.', 'INTERNAL', format, callback));
  }
}

function sendHome(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const host = request.tenant.host ?? 'this server';
  return reply.header('content-type', 'text/plain; charset=utf-8').send(
    `Footfall web analytics for ${host}.\nReporting API: /index.php?module=API&method=API.getMatomoVersion&format=json\nTracking: /matomo.php\n`,
  );
}

/** Registers the API endpoint on `/index.php` and `/` for GET and form POST. */
export function registerApiRoutes(app: FastifyInstance, context: AppContext): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const params = ApiParams.merge(request.query as ParamRecord, bodyParams(request));
    const module = params.optionalString('module');
    if (module === undefined && request.url.split('?')[0] !== '/index.php') return sendHome(request, reply);
    if (module?.toLowerCase() !== 'api') {
      const format = (() => { try { return parseApiFormat(params.optionalString('format')); } catch { return 'xml' as const; } })();
      return sendRendered(reply, 400, renderApiError(`Invalid module ${quote(module ?? '')}. Use module=API.`, 'PARAMETER_INVALID', format));
    }
    return handleApiRequest(context, request, reply);
  };
  for (const url of ['/', '/index.php']) {
    app.get(url, handler);
    app.post(url, handler);
  }
}
