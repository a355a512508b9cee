/** Serves published Tag Manager containers at `/js/container_<id>.js`, each from its own tenant's folder only. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { buildContainerFilePath } from '../tag-manager/container-publisher.js';
import type { AppContext } from './app-context.js';

const CONTAINER_FILE_PATTERN = /^container_([A-Za-z0-9]{8})\.js$/;

function sendNotFound(reply: FastifyReply): FastifyReply {
  reply.callNotFound();
  return reply;
}

async function serveContainerFile(request: FastifyRequest<{ Params: { file: string } }>, reply: FastifyReply): Promise<FastifyReply> {
  const match = CONTAINER_FILE_PATTERN.exec(request.params.file);
  if (!match) return sendNotFound(reply);

  let body: Buffer;
  try {
    body = await readFile(buildContainerFilePath(request.tenant, match[1]!));
  } catch {
    return sendNotFound(reply);
  }
  const entityTag = `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
  // A publish replaces the file in place, so browsers revalidate every time and get 304 until then.
  reply.header('content-type', 'application/javascript; charset=utf-8').header('cache-control', 'no-cache').header('etag', entityTag);
  if (request.headers['if-none-match'] === entityTag) return reply.code(304).send();
  return reply.send(body);
}

/** Registers the container file route. */
export function registerContainerFileRoutes(app: FastifyInstance, _context: AppContext): void {
  app.get<{ Params: { file: string } }>('/js/:file', serveContainerFile);
}
