/** The Tracking API endpoints: `/matomo.php`, `/piwik.php` and `/js/`, single hits and bulk JSON. */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorStatusCode, FootfallError, isFootfallError, quote } from '../errors.js';
import { parseBulkRequest, readBulkBody, type BulkBody } from '../tracking/bulk-request.js';
import type { Tenant } from '../tenancy/tenant.js';
import { QueuedTracking } from '../tracking/queue/queued-tracking.js';
import { TrackingPipeline, type TrackRequestContext } from '../tracking/tracking-pipeline.js';
import { TrackingParams, type RawTrackingValue } from '../tracking/tracking-params.js';
import { EMPTY_REQUEST_TEXT, sendPixel, setTrackingHeaders, TRANSPARENT_GIF } from '../tracking/tracker-response.js';
import type { AppContext } from './app-context.js';
import { describeFailedEntries, summarizeBulkResults } from './bulk-summary.js';
import { readBodyWithinLimit, type BodyStream } from './request-body.js';

/** Paths of the tracking endpoint, as Matomo serves it. */
export const TRACKING_PATHS: readonly string[] = ['/matomo.php', '/piwik.php', '/js/'];

type ParamRecord = Record<string, RawTrackingValue>;

declare module 'fastify' {
  interface FastifyRequest {
    /** The raw body of a tracking request, kept because bulk JSON may arrive with a form content type. */
    trackingBody?: string;
  }
}

/**
 * Keeps a copy of the raw body before Fastify parses it: the JavaScript tracker sends bulk
 * JSON as `application/x-www-form-urlencoded`, which the form parser would mangle. The body is
 * already decoded from its Content-Encoding here, because decodeRequestBody, the server's own
 * preParsing hook, runs before the hooks of a route.
 */
async function keepRawBody(request: FastifyRequest, _reply: FastifyReply, payload: BodyStream): Promise<BodyStream> {
  const raw = await readBodyWithinLimit(request, payload);
  request.trackingBody = raw.toString('utf8');
  const copy: BodyStream = Readable.from([raw]);
  copy.receivedEncodedLength = payload.receivedEncodedLength ?? raw.length;
  return copy;
}

/** The `[General]` proxy settings, read once per server because `context.defaults` does not change while it runs. */
interface ProxySettings {
  proxyIps: readonly string[];
  clientHeaders: readonly string[];
}

function readProxySettings(context: AppContext): ProxySettings {
  return {
    proxyIps: context.defaults.list('General', 'proxy_ips'),
    clientHeaders: context.defaults.list('General', 'proxy_client_headers').map((header) => header.toLowerCase()),
  };
}

function clientIp(request: FastifyRequest, proxies: ProxySettings): string {
  const peer = request.socket.remoteAddress ?? '';
  let ip = peer;
  if (proxies.proxyIps.includes(peer)) {
    for (const header of proxies.clientHeaders) {
      const value = request.headers[header];
      const first = (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim();
      if (first) {
        ip = first;
        break;
      }
    }
  }
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

function firstHeader(request: FastifyRequest, name: string): string {
  const value = request.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

function requestContext(request: FastifyRequest, context: AppContext, proxies: ProxySettings): TrackRequestContext {
  return {
    ip: clientIp(request, proxies), userAgent: firstHeader(request, 'user-agent'), acceptLanguage: firstHeader(request, 'accept-language'),
    now: context.clock(), doNotTrack: firstHeader(request, 'dnt') === '1',
  };
}

/** A Content-Type whose body Fastify hands to the JSON parser. */
const JSON_CONTENT_TYPE_PATTERN = /^\s*application\/json\s*(?:;|$)/i;

/**
 * Returns the parameters of a single hit: the query string with the body laid over it. The
 * body is a parsed form, a JSON object (Content-Type application/json), or a query string
 * sent as text/plain (some trackers send beacons that way).
 *
 * @throws FootfallError TRACKING_PARAMETER_INVALID when a value of a JSON body is an array
 *   or an object, TRACKING_BULK_INVALID when a JSON body is not an object.
 */
function readHitParams(request: FastifyRequest): TrackingParams {
  const query = request.query as ParamRecord;
  const body = request.body;
  if (JSON_CONTENT_TYPE_PATTERN.test(firstHeader(request, 'content-type'))) {
    if (body === undefined) return TrackingParams.fromRecords(query);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new FootfallError('TRACKING_BULK_INVALID',
        `Invalid JSON tracking body ${quote(body)}: expected an object of parameters such as {"idsite":1,"rec":1}, or {"requests":[...]} for a bulk request.`);
    }
    return TrackingParams.fromJsonObject(body as Record<string, unknown>, TrackingParams.fromRecords(query));
  }
  if (typeof body === 'object' && body !== null && !Buffer.isBuffer(body)) return TrackingParams.fromRecords(query, body as ParamRecord);
  if (typeof body !== 'string' || body.trim() === '') return TrackingParams.fromRecords(query);
  return TrackingParams.fromRecords(query, Object.fromEntries(new URLSearchParams(body.trim())));
}

/** Tenants already logged as having no schema, so a stream of hits logs one line per tenant config. */
const warnedWithoutSchema = new WeakSet<Tenant>();

/**
 * Tenants whose database was seen with a schema, so later hits skip the check. Only deleting
 * a tenant removes its schema, and the registry then drops that Tenant object.
 */
const tenantsWithSchema = new WeakSet<Tenant>();

/**
 * Returns whether the tenant's database has no schema at all (version 0), where no hit can be
 * stored. A schema that is only behind the code still takes hits.
 */
async function hasNoSchema(tenant: Tenant): Promise<boolean> {
  try {
    const version = await tenant.schemaVersion();
    if (version > 0) tenantsWithSchema.add(tenant);
    return version === 0;
  } catch {
    return false;
  }
}

/** Sets `X-Footfall-Error` to the error's code and message in printable ASCII, at most 300 characters. */
export function setErrorHeader(reply: FastifyReply, error: FootfallError): void {
  reply.header('x-footfall-error', `${error.code}: ${error.message}`.replace(/[^\x20-\x7e]/g, '?').slice(0, 300));
}

/**
 * Returns whether a request goes to a tracking handler: any method on a tracking path, except
 * a GET or HEAD of `/js/` without a query string, which requests the tracker script.
 */
export function isTrackingRequest(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  if (route === undefined || !TRACKING_PATHS.includes(route)) return false;
  if (route !== '/js/' || (request.method !== 'GET' && request.method !== 'HEAD')) return true;
  const queryStart = request.url.indexOf('?');
  return queryStart >= 0 && queryStart < request.url.length - 1;
}

/**
 * Sends a tracking error found before any tracking route runs, such as an invalid host or an
 * unknown tenant, as the response of a rejected hit. It has the error's status, the GIF (no
 * body when the query string has `send_image=0`) and the reason in `X-Footfall-Error`.
 */
export function sendTrackingError(request: FastifyRequest, reply: FastifyReply, error: FootfallError): FastifyReply {
  setTrackingHeaders(request, reply);
  setErrorHeader(reply, error);
  const query = (request.query ?? {}) as ParamRecord;
  return sendPixel(reply, error.statusCode, query.send_image !== '0');
}

/** Tracks one hit now, or puts it in the queue when the tenant uses queued tracking. */
async function trackOrQueue(pipeline: TrackingPipeline, queued: QueuedTracking, tenant: Tenant, params: TrackingParams, trackContext: TrackRequestContext): Promise<void> {
  if (!queued.isQueued(tenant, params)) {
    await pipeline.track(tenant, params, trackContext);
    return;
  }
  const [result] = await queued.enqueueAll(tenant, [params], trackContext);
  if (result instanceof Error) throw result;
}

/** The pipeline, queue, context and proxy settings that every tracking handler of one server shares. */
interface TrackingRouteState {
  pipeline: TrackingPipeline;
  queued: QueuedTracking;
  context: AppContext;
  proxies: ProxySettings;
}

/** Sends the response of a hit that was not recorded: the error's status, the image unless `send_image=0`, and the reason in `X-Footfall-Error`. */
function sendHitError(context: AppContext, request: FastifyRequest, reply: FastifyReply, error: unknown, sendImage: boolean): FastifyReply {
  const statusCode = errorStatusCode(error);
  if (statusCode >= 500) context.logger.error({ tenant: request.tenant.key, reqId: request.id, err: error }, 'tracking request errored');
  else context.logger.info({ tenant: request.tenant.key, reqId: request.id, code: isFootfallError(error) ? error.code : undefined }, 'tracking request rejected');
  // Trackers read only the status and the image, so the header shows an operator with curl why a hit was rejected.
  if (isFootfallError(error)) setErrorHeader(reply, error);
  return sendPixel(reply, statusCode, sendImage);
}

async function handleSingle({ pipeline, queued, context, proxies }: TrackingRouteState, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  let params: TrackingParams;
  try {
    params = readHitParams(request);
  } catch (error) {
    const sendImage = TrackingParams.fromRecords(request.query as ParamRecord).get('send_image') !== '0';
    return sendHitError(context, request, reply, error, sendImage);
  }
  if (params.size === 0) {
    if (request.method === 'GET') return reply.header('content-type', 'text/plain; charset=utf-8').send(EMPTY_REQUEST_TEXT);
    return sendPixel(reply, 400, true);
  }

  const sendImage = params.get('send_image') !== '0';
  try {
    await trackOrQueue(pipeline, queued, request.tenant, params, requestContext(request, context, proxies));
    return sendPixel(reply, 200, sendImage);
  } catch (error) {
    return sendHitError(context, request, reply, error, sendImage);
  }
}

/**
 * Sends the response of a bulk request rejected as a whole, such as one whose body is not
 * JSON: the error's status, `{"status":"error","tracked":0,"invalid":0}` with the message and
 * code, and the reason in `X-Footfall-Error`.
 */
export function sendBulkRequestError(request: FastifyRequest, reply: FastifyReply, error: FootfallError): FastifyReply {
  setTrackingHeaders(request, reply);
  setErrorHeader(reply, error);
  return reply.code(error.statusCode).send({ status: 'error', tracked: 0, invalid: 0, message: error.message, code: error.code });
}

async function handleBulk({ pipeline, queued, context, proxies }: TrackingRouteState, request: FastifyRequest, reply: FastifyReply, body: BulkBody): Promise<FastifyReply> {
  let bulk;
  try {
    bulk = parseBulkRequest(body);
  } catch (error) {
    if (isFootfallError(error)) return sendBulkRequestError(request, reply, error);
    context.logger.error({ tenant: request.tenant.key, reqId: request.id, err: error }, 'bulk tracking request errored');
    return reply.code(500).send({ status: 'error', tracked: 0, invalid: 0, message: 'An internal error occurred. The operator can find the details in the server log.' });
  }

  const tenant = request.tenant;
  const requireToken = tenant.settings.bool('Tracker', 'bulk_requests_require_authentication');
  const bulkContext = { ...requestContext(request, context, proxies), bulkToken: bulk.tokenAuth, requireToken };
  let results;
  if (tenant.settings.bool('QueuedTracking', 'enabled')) {
    try {
      results = await queued.enqueueAll(tenant, bulk.entries, bulkContext);
    } catch (error) {
      // The queue logged the Redis error; no entry was stored, so the client may send the batch again.
      const code = isFootfallError(error) ? error.code : 'INTERNAL';
      return reply.code(errorStatusCode(error)).send({ status: 'error', tracked: 0, invalid: 0, code });
    }
  } else {
    results = await pipeline.trackAll(tenant, bulk.entries, bulkContext);
  }
  const { tracked, invalidIndices, failedIndices } = summarizeBulkResults(results);
  if (failedIndices.length > 0) {
    context.logger.error({
      tenant: tenant.key, reqId: request.id, tracked, invalid: invalidIndices.length - failedIndices.length,
      failed: failedIndices.length, failedEntries: describeFailedEntries(results, failedIndices),
    }, 'bulk tracking entries failed');
    // With no entry stored, the error status lets a client send the whole body again. Once an
    // entry is stored, the response is 200, so that such a client does not store it twice.
    if (tracked === 0) {
      return reply.code(errorStatusCode(results[failedIndices[0]!])).send({
        status: 'error', tracked, invalid: invalidIndices.length, failed_indices: failedIndices,
        message: `No entry was stored: ${failedIndices.length} failed because of a server error. The operator can find the details in the server log. Send the request again later.`,
      });
    }
  }

  if (!bulk.sendImage) return reply.code(204).send();
  const answer: Record<string, unknown> = { status: 'success', tracked, invalid: invalidIndices.length };
  if (bulk.tokenAuth !== undefined && await pipeline.isSuperuserToken(tenant, bulk.tokenAuth)) answer.invalid_indices = invalidIndices;
  if (failedIndices.length > 0) answer.failed_indices = failedIndices;
  return reply.send(answer);
}

/** A route handler for tracking requests. */
export type TrackingHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

/**
 * Registers the tracking endpoints; their hits are written through one pipeline per server.
 * GET `/js/` is left to the tracker script route, which serves the script to a query-less GET
 * and hands every other GET to the returned handler.
 */
export function registerTrackingRoutes(app: FastifyInstance, context: AppContext): TrackingHandler {
  const pipeline = new TrackingPipeline(context.logger);
  if (context.warmUpDeviceDetection === true) void pipeline.warmUp();
  const queued = new QueuedTracking(context.defaults, pipeline, context.logger);
  queued.startWorker(context.registry);
  app.addHook('onClose', async () => {
    await queued.close();
    await pipeline.close();
  });
  const state: TrackingRouteState = { pipeline, queued, context, proxies: readProxySettings(context) };

  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    setTrackingHeaders(request, reply);
    // Tracking skips the schema check: hits are accepted while the tenant's schema is being updated.
    if (!request.tenant.settings.bool('Tracker', 'record_statistics')) {
      return reply.code(503).header('content-type', 'image/gif').send(TRANSPARENT_GIF);
    }
    if (!tenantsWithSchema.has(request.tenant) && await hasNoSchema(request.tenant)) {
      if (!warnedWithoutSchema.has(request.tenant)) context.logger.warn({ tenant: request.tenant.key }, 'tracking request without schema');
      warnedWithoutSchema.add(request.tenant);
      return reply.code(503).header('x-footfall-error', `TENANT_MAINTENANCE: the database of this host has no schema yet; run ./console core:update`)
        .header('content-type', 'image/gif').send(TRANSPARENT_GIF);
    }
    const bulkBody = request.method === 'POST' ? readBulkBody(request.trackingBody) : null;
    if (bulkBody !== null) return handleBulk(state, request, reply, bulkBody);
    return handleSingle(state, request, reply);
  };
  const preflight = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    setTrackingHeaders(request, reply);
    return reply.header('access-control-allow-methods', 'GET, POST, OPTIONS')
      // Content-Encoding lets a browser client send a compressed body, which every tracking path decodes.
      .header('access-control-allow-headers', 'Content-Type, Content-Encoding').code(204).send();
  };
  for (const path of TRACKING_PATHS) {
    if (path !== '/js/') app.get(path, handler);
    app.post(path, { preParsing: keepRawBody }, handler);
    app.options(path, preflight);
  }
  return handler;
}
