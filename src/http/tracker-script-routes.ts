/** The tracker script routes: `/matomo.js`, `/piwik.js` and the query-less GET of `/js/`, each tenant's own build. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readEnvironment } from '../config/environment.js';
import { isFootfallError } from '../errors.js';
import { TenantTrackerBuilder, type TrackerScriptBuild } from '../tracker/tenant-tracker-build.js';
import type { AppContext } from './app-context.js';

/** Options of the tracker script routes. */
export interface TrackerScriptRouteOptions {
  /** Folder holding `dist/tracker/matomo.js`; the code tree by default. */
  codeRoot?: string;
  /**
   * Handles a GET of `/js/` that carries a query string, which is a tracking request in
   * Matomo's interface. Until a tracking route passes its handler here, such requests get 404.
   */
  handleTrackingRequest?: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> | FastifyReply;
}

type ContentEncoding = 'br' | 'gzip' | 'identity';

/** Picks the best encoding the client accepts: brotli, then gzip, else none; `q=0` refuses one. */
export function chooseContentEncoding(acceptEncoding: string | undefined): ContentEncoding {
  const weights = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...parameters] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qParameter = parameters.map((item) => item.trim()).find((item) => item.startsWith('q='));
    const weight = qParameter === undefined ? 1 : Number(qParameter.slice(2));
    weights.set(name, Number.isNaN(weight) ? 0 : weight);
  }
  const weightOf = (name: string): number => weights.get(name) ?? weights.get('*') ?? 0;
  if (weightOf('br') > 0 && weightOf('br') >= weightOf('gzip')) return 'br';
  if (weightOf('gzip') > 0) return 'gzip';
  return 'identity';
}

/** Returns the ETag of one encoding of a build; encodings differ so caches never mix them. */
export function buildEntityTag(build: TrackerScriptBuild, encoding: ContentEncoding): string {
  return encoding === 'identity' ? `"${build.digest}"` : `"${build.digest}-${encoding}"`;
}

function matchesEntityTag(ifNoneMatch: string | undefined, build: TrackerScriptBuild): boolean {
  if (ifNoneMatch === undefined) return false;
  const current = (['identity', 'gzip', 'br'] as const).map((encoding) => buildEntityTag(build, encoding));
  return ifNoneMatch.split(',').map((tag) => tag.trim().replace(/^W\//, '')).some((tag) => tag === '*' || current.includes(tag));
}

/** Returns whether the client's copy is current: by ETag, or by date when it sent no ETag (RFC 9110, 13.1.3). */
function isNotModified(request: FastifyRequest, build: TrackerScriptBuild): boolean {
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined) return matchesEntityTag(ifNoneMatch, build);
  const since = Date.parse(request.headers['if-modified-since'] ?? '');
  return !Number.isNaN(since) && build.lastModified.getTime() <= since;
}

function sendBuild(request: FastifyRequest, reply: FastifyReply, build: TrackerScriptBuild): FastifyReply {
  const encoding = chooseContentEncoding(request.headers['accept-encoding']);
  reply
    .header('content-type', 'application/javascript; charset=utf-8')
    .header('cache-control', `public, max-age=${build.maxAgeSeconds}`)
    .header('last-modified', build.lastModified.toUTCString())
    .header('etag', buildEntityTag(build, encoding))
    .header('vary', 'Accept-Encoding');
  if (isNotModified(request, build)) return reply.code(304).send();

  if (encoding === 'identity') return reply.send(build.identity);
  return reply.header('content-encoding', encoding).send(encoding === 'br' ? build.brotli : build.gzip);
}

/** Registers the tracker script routes. */
export function registerTrackerScriptRoutes(app: FastifyInstance, context: AppContext, options: TrackerScriptRouteOptions = {}): void {
  const builder = new TenantTrackerBuilder(options.codeRoot ?? readEnvironment({}).codeRoot, context.logger);
  const handleTrackingRequest = options.handleTrackingRequest ?? ((_request: FastifyRequest, reply: FastifyReply) => reply.callNotFound());

  const serveScript = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    try {
      return sendBuild(request, reply, builder.get(request.tenant));
    } catch (error) {
      if (!isFootfallError(error, 'TRACKER_SCRIPT_MISSING')) throw error;
      context.logger.error({ tenant: request.tenant.key, code: error.code, bundle: builder.bundlePath }, 'tracker script missing');
      return reply.code(500).header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store')
        .send('The tracker script is not built on this server. The operator can find the details in the server log.\n');
    }
  };

  app.get('/matomo.js', serveScript);
  app.get('/piwik.js', serveScript);
  app.get('/js/', async (request, reply) => {
    // Matomo's js/ serves the script only to a GET without a query; anything else is a tracking request.
    const hasQuery = request.url.includes('?') && request.url.slice(request.url.indexOf('?') + 1) !== '';
    return hasQuery ? handleTrackingRequest(request, reply) : serveScript(request, reply);
  });
}
