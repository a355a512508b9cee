/** The dashboard: its page at `/`, its hashed assets under `/ui/assets/`, and each tenant's branding. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readEnvironment } from '../config/environment.js';
import { FootfallError, isFootfallError } from '../errors.js';
import type { Tenant } from '../tenancy/tenant.js';
import { ensureTenantCurrent } from './tenant-resolver.js';
import { MAX_PRODUCT_NAME_LENGTH } from './branding-upload.js';
import { readDefaultDate, readDefaultPeriod } from '../api/modules/core-admin-home-module.js';

/** Folder in the code tree that `npm run build:ui` writes the dashboard to. */
export const DEFAULT_UI_DIR = resolve(readEnvironment().codeRoot, 'dist', 'ui');

/**
 * Policy of the dashboard page: every script, style, image and API call comes from the
 * tenant's own host. Inline styles are allowed because uPlot positions its parts with them.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
  "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

/** Policy of a tenant's logo and favicon, so an SVG opened directly cannot run scripts on the tenant's host. */
const LOGO_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

/** Cache lifetime of hashed assets: a year, since a changed file gets a new name. */
const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

/** The branding a tenant's dashboard shows, from `misc/user/<host>/branding.json` over the defaults. */
export interface Branding {
  productName: string;
  /** A CSS hex colour such as `#1f6feb`. */
  accentColor: string;
  /** URL of the tenant's logo on its own host, or null to show the product name alone. */
  logoUrl: string | null;
  /** URL of the tenant's favicon on its own host, or null for none. */
  faviconUrl: string | null;
}

/** Branding of a tenant without a `branding.json`. */
export const DEFAULT_BRANDING: Branding = { productName: 'Footfall', accentColor: '#1f6feb', logoUrl: null, faviconUrl: null };

/** Logo files a tenant may have, in the order they are looked for. */
export const LOGO_FILES = ['logo.svg', 'logo.png'] as const;
/** Favicon files a tenant may have, in the order they are looked for. */
export const FAVICON_FILES = ['favicon.svg', 'favicon.png'] as const;
const HEX_COLOR_PATTERN = /^#[0-9a-fA-F]{6}$/;

/**
 * Reads a tenant's branding. Fields that are missing or malformed keep their default, so a
 * hand-edited file cannot break the page. The logo is `misc/user/<host>/logo.svg` or
 * `logo.png`, the names Matomo uses for custom logos.
 */
export function loadBranding(tenant: Tenant): Branding {
  const logoFile = LOGO_FILES.find((name) => existsSync(resolve(tenant.paths.filesDir, name)));
  const faviconFile = FAVICON_FILES.find((name) => existsSync(resolve(tenant.paths.filesDir, name)));
  const branding: Branding = { ...DEFAULT_BRANDING, logoUrl: logoFile ? `/ui/${logoFile}` : null, faviconUrl: faviconFile ? `/ui/${faviconFile}` : null };
  const raw = readJsonFile(resolve(tenant.paths.filesDir, 'branding.json'));
  if (typeof raw !== 'object' || raw === null) return branding;

  const fields = raw as Record<string, unknown>;
  const productName = typeof fields.productName === 'string' ? fields.productName.trim() : '';
  if (productName !== '' && productName.length <= MAX_PRODUCT_NAME_LENGTH) branding.productName = productName;
  if (typeof fields.accentColor === 'string' && HEX_COLOR_PATTERN.test(fields.accentColor)) branding.accentColor = fields.accentColor;
  return branding;
}

function readJsonFile(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** A static file held in memory with its gzip form. */
interface StaticFile {
  body: Buffer;
  gzipped: Buffer;
  contentType: string;
}

/**
 * Reads the built dashboard files on first use and keeps them, since a deploy restarts the
 * process. Missing files are looked up again on each request, so a build made after the
 * start is served without a restart.
 */
class StaticFiles {
  readonly #dir: string;
  readonly #files = new Map<string, StaticFile>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Returns a file under the folder by its relative path, or null when it is missing or outside the folder. */
  get(relativePath: string): StaticFile | null {
    const cached = this.#files.get(relativePath);
    if (cached) return cached;
    const file = this.#read(relativePath);
    if (file) this.#files.set(relativePath, file);
    return file;
  }

  #read(relativePath: string): StaticFile | null {
    const fullPath = resolve(this.#dir, relativePath);
    if (!fullPath.startsWith(this.#dir + sep)) return null;
    const contentType = CONTENT_TYPES[extname(fullPath)];
    if (!contentType || !isFile(fullPath)) return null;
    const body = readFileSync(fullPath);
    return { body, gzipped: gzipSync(body), contentType };
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function acceptsGzip(request: FastifyRequest): boolean {
  return /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
}

function sendStatic(request: FastifyRequest, reply: FastifyReply, file: StaticFile, cacheControl: string): FastifyReply {
  reply.header('content-type', file.contentType).header('cache-control', cacheControl).header('vary', 'accept-encoding');
  reply.header('x-content-type-options', 'nosniff');
  if (acceptsGzip(request)) return reply.header('content-encoding', 'gzip').send(file.gzipped);
  return reply.send(file.body);
}

function sendNotFound(reply: FastifyReply, what: string): FastifyReply {
  return reply.code(404).header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store').send(`${what} not found.\n`);
}

function sendIndex(request: FastifyRequest, reply: FastifyReply, files: StaticFiles): FastifyReply {
  const index = files.get('index.html');
  if (!index) {
    return reply.code(503).header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store')
      .send('The dashboard is not built. The operator can build it with npm run build:ui.\n');
  }
  reply.header('content-security-policy', DASHBOARD_CSP).header('x-frame-options', 'DENY').header('referrer-policy', 'same-origin');
  return sendStatic(request, reply, index, 'no-cache');
}

/** Returns the error that keeps the dashboard from working (schema behind the code, database down), or null. */
async function findUnavailableReason(tenant: Tenant): Promise<FootfallError | null> {
  try {
    await ensureTenantCurrent(tenant);
    return null;
  } catch (error) {
    if (isFootfallError(error)) return error;
    throw error;
  }
}

/** Returns whether a request is for the dashboard page: `GET /` without `module`, which the Reporting API would otherwise take. */
function isDashboardPageRequest(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const [path, query = ''] = request.url.split('?', 2);
  return path === '/' && !new URLSearchParams(query).has('module');
}

/**
 * Registers the dashboard. `GET /` without a `module` parameter is served from an onRequest
 * hook, because the Reporting API owns the `/` route for `/?module=API` calls. The hook runs
 * after the tenant resolver, so unknown hosts still get their 404.
 */
export function registerDashboardRoutes(app: FastifyInstance, uiDir: string = DEFAULT_UI_DIR): void {
  const files = new StaticFiles(resolve(uiDir));
  const assets = new StaticFiles(resolve(uiDir, 'assets'));

  app.addHook('onRequest', async (request, reply) => {
    if (!isDashboardPageRequest(request) || !request.tenant) return undefined;
    const unavailable = files.get('index.html') ? await findUnavailableReason(request.tenant) : null;
    if (unavailable) {
      return reply.code(503).header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store').header('retry-after', '120')
        .send(`${unavailable.message}\n`);
    }
    return sendIndex(request, reply, files);
  });

  app.get('/ui/assets/*', async (request, reply) => {
    const file = assets.get((request.params as { '*': string })['*']);
    return file ? sendStatic(request, reply, file, IMMUTABLE_CACHE) : sendNotFound(reply, 'Dashboard file');
  });

  app.get('/ui/branding.json', async (request, reply) => {
    return reply.header('cache-control', 'no-cache').send(loadBranding(request.tenant));
  });

  // The period and date the dashboard opens on when its URL names none, from the general settings.
  app.get('/ui/report-defaults.json', async (request, reply) => {
    const settings = request.tenant.settings;
    return reply.header('cache-control', 'no-cache').send({ period: readDefaultPeriod(settings), date: readDefaultDate(settings) });
  });

  for (const name of [...LOGO_FILES, ...FAVICON_FILES]) {
    app.get(`/ui/${name}`, async (request, reply) => {
      const image = new StaticFiles(request.tenant.paths.filesDir).get(name);
      if (!image) return sendNotFound(reply, name.startsWith('logo') ? 'Logo' : 'Favicon');
      // An <img> or icon link ignores Content-Disposition, but a browser that opens the URL directly downloads the file instead of rendering it.
      reply.header('content-security-policy', LOGO_CSP).header('content-disposition', `attachment; filename="${name}"`);
      return sendStatic(request, reply, image, 'no-cache');
    });
  }
}
