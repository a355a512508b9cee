/**
 * Serves published Tag Manager containers at `/js/container_<id>.js` and the files of extra
 * environments, each from its own tenant's folder only, and the preview of a container's draft
 * at `/js/container_<id>_preview.js` to the signed-in user who enabled it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Access } from '../auth/access.js';
import { findUser, loadRoles } from '../auth/user-store.js';
import { readEnvironment } from '../config/environment.js';
import { buildContainerScript, PREVIEW_ENVIRONMENT, readContainerRuntime, resolveContainerFile } from '../tag-manager/container-publisher.js';
import { loadContainerContent } from '../tag-manager/container-store.js';
import type { AppContext } from './app-context.js';
import { loadRequestSession } from './session-routes.js';

/** Live files `container_<id>.js` and files of extra environments `container_<id>_<env>_<hash>.js`. */
const CONTAINER_FILE_PATTERN = /^container_[A-Za-z0-9]{8}(_[a-z0-9]{1,40}_[0-9a-f]{24})?\.js$/;

const PREVIEW_FILE_PATTERN = /^container_([A-Za-z0-9]{8})_preview\.js$/;

function sendNotFound(reply: FastifyReply): FastifyReply {
  reply.callNotFound();
  return reply;
}

async function servePublishedFile(request: FastifyRequest<{ Params: { file: string } }>, reply: FastifyReply): Promise<FastifyReply> {
  let body: Buffer;
  try {
    body = await readFile(resolveContainerFile(request.tenant, request.params.file));
  } catch {
    return sendNotFound(reply);
  }
  const entityTag = `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
  // A publish replaces the file in place, so browsers revalidate every time and get 304 until then.
  reply.header('content-type', 'application/javascript; charset=utf-8').header('cache-control', 'no-cache').header('etag', entityTag);
  if (request.headers['if-none-match'] === entityTag) return reply.code(304).send();
  return reply.send(body);
}

/**
 * Builds the preview of a container's draft from the database on every request, so that a
 * reload shows the latest edit. Any caller other than the preview's user, or that user once
 * their write access to the site is gone, gets the same 404 as for a missing container.
 */
async function servePreview(context: AppContext, request: FastifyRequest, reply: FastifyReply, containerId: string): Promise<FastifyReply> {
  const db = request.tenant.db();
  const release = await db.selectFrom('tagmanager_container_release').selectAll()
    .where('idcontainer', '=', containerId).where('environment', '=', PREVIEW_ENVIRONMENT).executeTakeFirst();
  if (!release) return sendNotFound(reply);
  const session = await loadRequestSession(request, context);
  if (!session || session.login !== release.release_login) return sendNotFound(reply);
  const user = await findUser(db, session.login);
  if (!user || !new Access(user.login, user.superuser, await loadRoles(db, user.login)).has('write', Number(release.idsite))) return sendNotFound(reply);

  const content = await loadContainerContent(db, Number(release.idsite), containerId, Number(release.idcontainerversion), PREVIEW_ENVIRONMENT);
  const script = buildContainerScript(readContainerRuntime(readEnvironment({}).codeRoot), content);
  // The response depends on the session cookie, so neither the browser nor a proxy may reuse it.
  return reply.header('content-type', 'application/javascript; charset=utf-8').header('cache-control', 'private, no-store').send(script);
}

/** Registers the container file routes. */
export function registerContainerFileRoutes(app: FastifyInstance, context: AppContext): void {
  app.get<{ Params: { file: string } }>('/js/:file', async (request, reply) => {
    const preview = PREVIEW_FILE_PATTERN.exec(request.params.file);
    if (preview) return servePreview(context, request, reply, preview[1]!);
    if (!CONTAINER_FILE_PATTERN.test(request.params.file)) return sendNotFound(reply);
    return servePublishedFile(request, reply);
  });
}
