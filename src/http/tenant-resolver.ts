/** Choosing the tenant of a request from its Host header, before any route runs. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Settings } from '../config/settings.js';
import { ApiParams, type RawParam } from '../api/api-params.js';
import { parseApiFormat, renderApiError, type ApiFormat } from '../api/api-response.js';
import { ERROR_CODES, FootfallError, isFootfallError, quote, type ErrorCode } from '../errors.js';
import { parseTenantHost, type ParsedHost } from '../tenancy/tenant-host.js';
import type { Tenant } from '../tenancy/tenant.js';
import type { AppContext } from './app-context.js';
import { isTrackingRequest, sendTrackingError } from './tracking-routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The tenant serving this request; set by the tenant resolver for every route but health checks. */
    tenant: Tenant;
    /** The code of an error sent before the tenant is known, for the request log; unset otherwise. */
    resolverErrorCode?: ErrorCode;
  }
}

/** Routes served without a tenant. */
const TENANTLESS_ROUTES = new Set(['/healthz', '/readyz']);

/** A request target in absolute form, such as `http://stats.example.com/index.php` (RFC 9112, section 3.2.2). */
const ABSOLUTE_FORM_PATTERN = /^[a-z][a-z0-9+.-]*:\/\//i;

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

/**
 * Throws HOST_INVALID when the request has more than one Host header. RFC 9112, section 3.2,
 * requires a 400 here. Node keeps the first header, so a proxy that reads the last one would
 * check or route the request for another tenant than the one that serves it.
 */
function ensureOneHostHeader(request: FastifyRequest): void {
  const rawHeaders = request.raw.rawHeaders;
  const hosts: string[] = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    if (rawHeaders[index]?.toLowerCase() === 'host') hosts.push(rawHeaders[index + 1] ?? '');
  }
  if (hosts.length > 1) {
    throw new FootfallError('HOST_INVALID', `The request has ${hosts.length} Host headers (${hosts.map(quote).join(', ')}). Send exactly one Host header.`);
  }
}

/**
 * Throws HOST_INVALID when an HTTP/1.1 request has no Host header. RFC 9112, section 3.2,
 * requires a 400 for it on every path. HTTP/1.0 requests may leave Host out, and then only the
 * paths served without a tenant respond with 200.
 */
function ensureHostHeaderSent(request: FastifyRequest): void {
  const { httpVersionMajor, httpVersionMinor } = request.raw;
  const atLeastHttp11 = httpVersionMajor > 1 || (httpVersionMajor === 1 && httpVersionMinor >= 1);
  if (atLeastHttp11 && request.headers.host === undefined) {
    throw new FootfallError('HOST_INVALID', "The request has no Host header, which HTTP/1.1 requires. Send the tenant's host name in the Host header.");
  }
}

function hostKey(parsed: ParsedHost): string {
  return parsed.kind === 'ipv6' ? parsed.address : parsed.host;
}

/**
 * Returns the host and port of an absolute-form request target as sent, without user info.
 * The WHATWG URL parser would turn a shorthand IPv4 address such as `0x7f.1` into 127.0.0.1,
 * so the text goes to parseTenantHost, which rejects such forms. The authority ends at the
 * first `/`, `?`, `#` or `\`, as the URL parser ends it for http and https.
 */
function readTargetAuthority(target: string): string {
  const afterScheme = target.slice(target.indexOf('//') + 2);
  const authority = afterScheme.split(/[/?#\\]/, 1)[0]!;
  return authority.slice(authority.lastIndexOf('@') + 1);
}

/**
 * Throws HOST_INVALID when the request line is in absolute form and names another host than
 * the Host header. Ports are ignored, because they do not pick the tenant.
 *
 * RFC 9112, section 3.2.2, requires an origin server to ignore Host and take the host from such
 * a request line. Footfall rejects the mismatch instead, because a proxy in front may check or route the
 * request by its Host header and pass the request line on unchanged. Following either host
 * alone could then serve a tenant that the proxy never checked. A client that follows
 * section 3.2 sends the same host in both, so it never gets this error.
 */
function ensureTargetMatchesHost(request: FastifyRequest): void {
  const target = request.raw.url ?? '';
  const host = request.headers.host;
  if (!ABSOLUTE_FORM_PATTERN.test(target) || host === undefined) return;

  const targetHost = URL.canParse(target) && new URL(target).host !== '' ? readTargetAuthority(target) : '';
  if (targetHost === '') throw new FootfallError('HOST_INVALID', `Invalid request target ${quote(target)}: expected a URL with a host name, or a path such as /index.php.`);
  if (hostKey(parseTenantHost(targetHost)) !== hostKey(parseTenantHost(host))) {
    throw new FootfallError('HOST_INVALID',
      `The request line names host ${quote(targetHost)} but the Host header is ${quote(host)}. Send the same host in both, or send a path such as /index.php as the request target.`);
  }
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

/**
 * Sends an error found before the tenant is known. A tracking request gets the response of a
 * rejected hit (the GIF, the status and `X-Footfall-Error`), and a client error is logged as
 * `tracking request rejected` at info, as for hits the tracking routes reject. Any other
 * request gets `sendResolverError`'s response.
 */
function sendPreTenantError(context: AppContext, request: FastifyRequest, reply: FastifyReply, code: ErrorCode, message: string): FastifyReply {
  if (!isTrackingRequest(request)) return sendResolverError(request, reply, code, message);
  request.resolverErrorCode = code;
  if (ERROR_CODES[code] < 500) context.logger.info({ reqId: request.id, code }, 'tracking request rejected');
  return sendTrackingError(request, reply, new FootfallError(code, message));
}

/** Builds the onRequest hook that sets `request.tenant` or sends a 400, 404, 500 or 503 response itself. */
export function createTenantResolver(context: AppContext) {
  return async function resolveTenant(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    let rawHost: string | undefined;
    let tenant: Tenant | null;
    try {
      // Health checks are checked too, because RFC 9112 requires the 400 for any HTTP/1.1
      // request without Host and for any request with two Host headers.
      ensureHostHeaderSent(request);
      ensureOneHostHeader(request);
      ensureTargetMatchesHost(request);
      if (TENANTLESS_ROUTES.has(request.routeOptions.url ?? '')) return undefined;

      rawHost = readRequestHost(request, context.defaults);
      tenant = context.registry.resolve(parseTenantHost(rawHost));
    } catch (error) {
      if (isFootfallError(error, 'HOST_INVALID')) return sendPreTenantError(context, request, reply, 'HOST_INVALID', error.message);
      if (isFootfallError(error, 'CONFIG_INVALID')) {
        context.logger.error({ host: rawHost, err: error }, 'tenant config invalid');
        return sendPreTenantError(context, request, reply, 'CONFIG_INVALID', 'This host is misconfigured. The operator can find the details in the server log.');
      }
      throw error;
    }

    if (!tenant) return sendPreTenantError(context, request, reply, 'TENANT_NOT_FOUND', `No Footfall tenant is configured for host ${quote(rawHost ?? '')}.`);
    if (tenant.disabled) return sendPreTenantError(context, request, reply, 'TENANT_DISABLED', 'This host is disabled. Its data is kept; the operator can enable it again.');
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
