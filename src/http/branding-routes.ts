/** `POST /ui/branding`: a superuser sets the tenant's product name, accent colour, logo and favicon. */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { renderApiError } from '../api/api-response.js';
import { findUser } from '../auth/user-store.js';
import { FootfallError, isFootfallError } from '../errors.js';
import type { Tenant } from '../tenancy/tenant.js';
import type { AppContext } from './app-context.js';
import { parseBrandingUpload, MAX_BRANDING_IMAGE_BYTES, type BrandingImage, type BrandingUpload } from './branding-upload.js';
import { FAVICON_FILES, loadBranding, LOGO_FILES } from './dashboard-routes.js';
import { ensureSameOrigin, ensureSessionToken, loadRequestSession } from './session-routes.js';
import { ensureTenantCurrent } from './tenant-resolver.js';

/** Largest request body of the upload: two images in base64 (4 bytes per 3) and the other fields. */
const MAX_UPLOAD_BODY_BYTES = Math.ceil((2 * MAX_BRANDING_IMAGE_BYTES * 4) / 3) + 16 * 1024;

/** Writes a file by renaming a finished temporary file over it, so a reader never sees half a file. */
function writeFileAtomically(path: string, data: Buffer | string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, path);
}

/** Replaces `<base>.png`/`<base>.svg` with the image, removing the other extension so only one is served. */
function saveImage(tenant: Tenant, names: readonly string[], base: string, image: BrandingImage | undefined, remove: boolean): void {
  if (!image && !remove) return;
  for (const name of names) {
    if (!image || name !== `${base}.${image.extension}`) rmSync(resolve(tenant.paths.filesDir, name), { force: true });
  }
  if (image) writeFileAtomically(resolve(tenant.paths.filesDir, `${base}.${image.extension}`), image.bytes);
}

/** Stores an upload in `misc/user/<host>/`; the file names are fixed, so nothing from the request picks a path. */
function saveBranding(tenant: Tenant, upload: BrandingUpload): void {
  const current = loadBranding(tenant);
  const fields = { productName: upload.productName ?? current.productName, accentColor: upload.accentColor ?? current.accentColor };
  writeFileAtomically(resolve(tenant.paths.filesDir, 'branding.json'), `${JSON.stringify(fields, null, 2)}\n`);
  saveImage(tenant, LOGO_FILES, 'logo', upload.logo, upload.removeLogo);
  saveImage(tenant, FAVICON_FILES, 'favicon', upload.favicon, upload.removeFavicon);
}

async function handleBrandingUpload(context: AppContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  ensureSameOrigin(request, context);
  await ensureTenantCurrent(request.tenant);
  const session = await loadRequestSession(request, context);
  if (!session) throw new FootfallError('SESSION_INVALID', 'Changing the branding needs a signed-in session on this host. Sign in again.');
  ensureSessionToken(request, session);
  const user = await findUser(request.tenant.db(), session.login);
  if (!user?.superuser) throw new FootfallError('ACCESS_DENIED', "You can't change the branding, because it requires superuser access.");

  const upload = parseBrandingUpload(request.body);
  saveBranding(request.tenant, upload);
  context.logger.info({ tenant: request.tenant.key, login: session.login, logo: upload.logo?.extension ?? null, favicon: upload.favicon?.extension ?? null }, 'branding changed');
  return reply.header('cache-control', 'no-store').send(loadBranding(request.tenant));
}

/** Registers `POST /ui/branding`, which takes JSON: productName, accentColor, logo and favicon ({type, data}), removeLogo, removeFavicon. */
export function registerBrandingRoutes(app: FastifyInstance, context: AppContext): void {
  app.post('/ui/branding', { bodyLimit: MAX_UPLOAD_BODY_BYTES }, async (request, reply) => {
    try {
      return await handleBrandingUpload(context, request, reply);
    } catch (error) {
      if (!isFootfallError(error)) throw error;
      const rendered = renderApiError(error.message, error.code, 'json');
      return reply.code(error.statusCode).header('content-type', rendered.contentType).header('cache-control', 'no-store').send(rendered.body);
    }
  });
}
