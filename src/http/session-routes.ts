/** Dashboard sign-in, session and sign-out routes: `GET /session`, `POST /login`, `POST /logout`. */
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { renderApiError } from '../api/api-response.js';
import { SESSION_COOKIE_NAME } from '../auth/api-session.js';
import { deleteSession, isSameToken, loadSession, type SessionRecord } from '../auth/session-store.js';
import { formatRetryDelay, signIn } from '../auth/sign-in.js';
import { findUser } from '../auth/user-store.js';
import { FootfallError, isFootfallError, quote } from '../errors.js';
import type { AppContext } from './app-context.js';
import { ensureTenantCurrent, readRequestHost } from './tenant-resolver.js';

/** Header that carries the session's token on state-changing requests; the form field `token` works too. */
export const SESSION_TOKEN_HEADER = 'x-footfall-token';

/** Session state returned by `GET /session` and a successful `POST /login`. */
export type SessionView =
  | { signedIn: false }
  | { signedIn: true; login: string; superuser: boolean; token: string; expiresAt: number };

function isTrustedProxy(request: FastifyRequest, context: AppContext): boolean {
  const proxyIps = context.defaults.list('General', 'proxy_ips');
  return proxyIps.length > 0 && proxyIps.includes(request.socket.remoteAddress ?? '');
}

function firstHeaderValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim() || undefined;
}

/**
 * Returns whether the browser reached us over HTTPS: a TLS socket, or `X-Forwarded-Proto:
 * https` from a trusted proxy (`[General] proxy_ips[]`), which ends TLS in front of us.
 */
export function isSecureRequest(request: FastifyRequest, context: AppContext): boolean {
  if (request.protocol === 'https') return true;
  return isTrustedProxy(request, context) && firstHeaderValue(request, 'x-forwarded-proto') === 'https';
}

/**
 * Returns the client's IP address. From a trusted proxy it is the last address of the first
 * `proxy_client_headers[]` header that is not itself in `proxy_ips[]`: each proxy appends
 * the address it saw, so entries further left may have been made up by the client. From any
 * other peer it is the peer's address.
 */
export function readClientIp(request: FastifyRequest, context: AppContext): string {
  const peer = request.socket.remoteAddress ?? '';
  if (!isTrustedProxy(request, context)) return peer;

  const proxyIps = context.defaults.list('General', 'proxy_ips');
  for (const header of context.defaults.list('General', 'proxy_client_headers')) {
    const raw = request.headers[header.toLowerCase()];
    const addresses = (Array.isArray(raw) ? raw.join(',') : raw ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
    const client = addresses.reverse().find((address) => !proxyIps.includes(address));
    if (client) return client;
  }
  return peer;
}

function sendError(reply: FastifyReply, error: FootfallError): FastifyReply {
  const rendered = renderApiError(error.message, error.code, 'json');
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  return reply.code(error.statusCode).header('content-type', rendered.contentType).header('cache-control', 'no-store').send(rendered.body);
}

function readBodyField(request: FastifyRequest, name: string): string | undefined {
  const body = request.body;
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Rejects a POST whose `Origin` header names another host, so another site cannot make a
 * browser sign in or out. Requests without `Origin` (non-browser clients) pass.
 *
 * @throws FootfallError CSRF_TOKEN_INVALID naming the origin.
 */
export function ensureSameOrigin(request: FastifyRequest, context: AppContext): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    originHost = '';
  }
  if (originHost.toLowerCase() === (readRequestHost(request, context.defaults) ?? '').toLowerCase()) return;
  throw new FootfallError('CSRF_TOKEN_INVALID', `Cross-site request rejected: origin ${quote(origin)} is not this host.`);
}

/** Returns the session of the request's cookie on its tenant, or null without a valid one. */
export async function loadRequestSession(request: FastifyRequest, context: AppContext): Promise<SessionRecord | null> {
  const tenant = request.tenant;
  return loadSession(tenant.db(), request.cookies[SESSION_COOKIE_NAME], { tenantKey: tenant.key, salt: tenant.salt, clock: context.clock });
}

async function buildSessionView(request: FastifyRequest, session: SessionRecord | null): Promise<SessionView> {
  if (!session) return { signedIn: false };
  const user = await findUser(request.tenant.db(), session.login);
  if (!user) return { signedIn: false };
  return { signedIn: true, login: user.login, superuser: user.superuser, token: session.token, expiresAt: session.expiresAt };
}

async function handleSession(context: AppContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  await ensureTenantCurrent(request.tenant);
  const view = await buildSessionView(request, await loadRequestSession(request, context));
  return reply.header('cache-control', 'no-store').send(view);
}

async function handleLogin(context: AppContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  ensureSameOrigin(request, context);
  await ensureTenantCurrent(request.tenant);
  const login = readBodyField(request, 'login')?.trim();
  const password = readBodyField(request, 'password');
  if (!login || !password) throw new FootfallError('PARAMETER_MISSING', 'Missing login or password. Send both as the fields login and password.');
  // No login contains U+0000, and PostgreSQL rejects the character in a query parameter.
  if (login.includes('\u0000')) throw new FootfallError('PARAMETER_INVALID', "Invalid login, because it contains a NUL character. Send the login without it.");

  const result = await signIn(request.tenant, { login, password, ip: readClientIp(request, context), logger: context.logger, clock: context.clock });
  if (result.kind === 'blocked') {
    throw new FootfallError('LOGIN_BLOCKED',
      `Too many failed sign-ins from this address or for login ${quote(login)}. Try again in ${formatRetryDelay(result.retryAfterSeconds)}, or ask a superuser to reset the password.`,
      { retryAfterSeconds: result.retryAfterSeconds });
  }
  if (result.kind === 'failed') throw new FootfallError('LOGIN_FAILED', 'Wrong login or password. Check both and try again.');

  // A new session id on every sign-in, and the previous session of this browser ended, so a
  // session id planted before sign-in is never promoted to a signed-in one.
  const previousSessionId = request.cookies[SESSION_COOKIE_NAME];
  if (previousSessionId !== undefined) await deleteSession(request.tenant.db(), previousSessionId);

  reply.setCookie(SESSION_COOKIE_NAME, result.sessionId, {
    httpOnly: true, sameSite: 'lax', secure: isSecureRequest(request, context), path: '/',
    // The lifetime stored with the session, because a second clock reading here could shorten it.
    maxAge: result.session.lifetimeSeconds,
  });
  return reply.header('cache-control', 'no-store').send(await buildSessionView(request, result.session));
}

/**
 * Checks the session's token on a state-changing request made with the session cookie: the
 * `X-Footfall-Token` header or the form field `token`. Another site can make a browser send
 * the cookie but cannot read the token, so the check tells this page's requests apart.
 *
 * @throws FootfallError CSRF_TOKEN_INVALID when the token is missing or wrong.
 */
export function ensureSessionToken(request: FastifyRequest, session: SessionRecord): void {
  const sent = firstHeaderValue(request, SESSION_TOKEN_HEADER) ?? readBodyField(request, 'token');
  if (isSameToken(sent, session.token)) return;
  throw new FootfallError('CSRF_TOKEN_INVALID', `Missing or wrong session token. Send the token from GET /session in the ${SESSION_TOKEN_HEADER} header.`);
}

async function handleLogout(context: AppContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  ensureSameOrigin(request, context);
  await ensureTenantCurrent(request.tenant);
  const sessionId = request.cookies[SESSION_COOKIE_NAME];
  const session = await loadRequestSession(request, context);
  if (session && sessionId !== undefined) {
    ensureSessionToken(request, session);
    await deleteSession(request.tenant.db(), sessionId);
    context.logger.info({ tenant: request.tenant.key, login: session.login }, 'signed out');
  }
  reply.clearCookie(SESSION_COOKIE_NAME, { httpOnly: true, sameSite: 'lax', secure: isSecureRequest(request, context), path: '/' });
  return reply.header('cache-control', 'no-store').send({ signedIn: false } satisfies SessionView);
}

/** Wraps a handler so a FootfallError becomes its status with Matomo's JSON error shape. */
function withErrors(context: AppContext, handler: (context: AppContext, request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    try {
      return await handler(context, request, reply);
    } catch (error) {
      if (!isFootfallError(error)) {
        // The driver's message (a database error, for example) stays in the server log.
        context.logger.error({ tenant: request.tenant?.key, reqId: request.id, err: error }, 'session request errored');
        return sendError(reply, new FootfallError('INTERNAL', 'An internal error occurred. The operator can find the details in the server log.'));
      }
      if (error.statusCode >= 500) context.logger.error({ tenant: request.tenant?.key, code: error.code, reqId: request.id, err: error.cause }, 'session request failed');
      return sendError(reply, error);
    }
  };
}

/**
 * Registers the cookie parser and the session routes. The session cookie has no Domain
 * attribute, so the browser sends it back only to the host that set it, and a session is
 * stored in that tenant's own database.
 */
export async function registerSessionRoutes(app: FastifyInstance, context: AppContext): Promise<void> {
  await app.register(cookie);
  app.get('/session', withErrors(context, handleSession));
  app.post('/login', withErrors(context, handleLogin));
  app.post('/logout', withErrors(context, handleLogout));
}
