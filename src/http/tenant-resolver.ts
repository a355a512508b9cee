/** Choosing the tenant of a request from its Host header, before any route runs. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Settings } from '../config/settings.js';
import { ApiParams, type RawParam } from '../api/api-params.js';
import { parseApiFormat, renderApiError, type ApiFormat } from '../api/api-response.js';
import { ERROR_CODES, FootfallError, isFootfallError, quote, type ErrorCode } from '../errors.js';
import { parseTenantHost } from '../tenancy/tenant-host.js';
import type { Tenant } from '../tenancy/tenant.js';
import type { AppContext } from './app-context.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The tenant serving this request; set by the tenant resolver for every route but health checks. */
    tenant: Tenant;
    /** The code of an error sent by `sendResolverError`, for the request log; unset otherwise. */
    resolverErrorCode?: ErrorCode;
  }
}

/** Paths that answer without a tenant. */
const TENANTLESS_PATHS = new Set(['/healthz', '/readyz']);

/**
 * Returns the host name a request was sent to: the first configured proxy header when the
 * peer is a trusted proxy (`[General] proxy_ips[]`), else the Host header.
 */
export function readRequestHost(request: FastifyRequest, defaults: Settings): string | undefined {
  const proxyIps = defaults.list('General', 'proxy_ips');
  if (proxyIps.length > 0 && proxyIps.includes(request.socket.remoteAddress ?? '')) {
    for (const header of defaults.list('General', 'proxy_host_headers')) {
      const value = request.headers[header.toLowerCase()];
      const first = (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim();
      if (first) return first;
    }
  }
  return request.headers.host;
}

function sendPlain(reply: FastifyReply, statusCode: number, text: string): FastifyReply {
  return reply.code(statusCode).header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store').send(`${text}\n`);
}

/**
 * Sends an error found before any route runs: in Matomo's API error shape with its code when
 * the query string has `module=API` (a form body is not parsed yet at this point), else as text.
 */
export function sendResolverError(request: FastifyRequest, reply: FastifyReply, code: ErrorCode, message: string): FastifyReply {
  request.resolverErrorCode = code;
  const params = new ApiParams((request.query ?? {}) as Record<string, RawParam>);
  if (params.optionalString('module')?.toLowerCase() !== 'api') return sendPlain(reply, ERROR_CODES[code], message);

  let format: ApiFormat = 'xml';
  try {
    format = parseApiFormat(params.optionalString('format'));
  } catch {
    // An unknown format falls back to XML, Matomo's default, as the API routes do.
  }
  const rendered = renderApiError(message, code, format, params.optionalString('callback') ?? params.optionalString('jsoncallback'));
  return reply.code(ERROR_CODES[code]).header('content-type', rendered.contentType).header('cache-control', 'no-store').send(rendered.body);
}

/** Builds the onRequest hook that sets `request.tenant` or sends a 400, 404, 500 or 503 response itself. */
export function createTenantResolver(context: AppContext) {
  return async function resolveTenant(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const path = request.url.split('?')[0] ?? '/';
    if (TENANTLESS_PATHS.has(path)) return undefined;

    const rawHost = readRequestHost(request, context.defaults);
    let tenant: Tenant | null;
    try {
      tenant = context.registry.resolve(parseTenantHost(rawHost));
    } catch (error) {
      if (isFootfallError(error, 'HOST_INVALID')) return sendResolverError(request, reply, 'HOST_INVALID', error.message);
      if (isFootfallError(error, 'CONFIG_INVALID')) {
        context.logger.error({ host: rawHost, err: error }, 'tenant config invalid');
        return sendResolverError(request, reply, 'CONFIG_INVALID', 'This host is misconfigured. The operator can find the details in the server log.');
      }
      throw error;
    }

    if (!tenant) return sendResolverError(request, reply, 'TENANT_NOT_FOUND', `No Footfall tenant is configured for host ${quote(rawHost ?? '')}.`);
    if (tenant.disabled) return sendResolverError(request, reply, 'TENANT_DISABLED', 'This host is disabled. Its data is kept; the operator can enable it again.');
    request.tenant = tenant;
    return undefined;
  };
}

/**
 * Answers 503 "maintenance" when the tenant's schema is behind the code; tracking routes skip
 * this check, so hits are still accepted during an update.
 *
 * @throws FootfallError TENANT_DATABASE_UNAVAILABLE when the database cannot be reached.
 */
export async function ensureTenantCurrent(tenant: Tenant): Promise<void> {
  let behind: boolean;
  try {
    behind = await tenant.needsUpdate();
  } catch (error) {
    throw new FootfallError('TENANT_DATABASE_UNAVAILABLE', 'The database of this host cannot be reached. Try again later.', { cause: error });
  }
  if (behind) throw new FootfallError('TENANT_MAINTENANCE', 'This host is in maintenance: its database is being updated. Try again in a few minutes.');
}
