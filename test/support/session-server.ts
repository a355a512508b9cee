/** A test server whose log lines are captured, with helpers to sign in through `app.inject`. */
import { appendFileSync } from 'node:fs';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type pino from 'pino';
import { buildApiMethodRegistry } from '../../src/api/modules/index.js';
import { Settings } from '../../src/config/settings.js';
import { buildServer } from '../../src/http/server.js';
import { createLogger } from '../../src/logging.js';
import type { Clock } from '../../src/time.js';
import type { DatabaseAdapter } from '../../src/db/database-config.js';
import { createTestTenant, type TestRoot } from './test-root.js';

/** A server built on a test root, and every JSON line it logged. */
export interface CapturedServer {
  app: FastifyInstance;
  /** Parsed log lines, oldest first. */
  logLines(): Record<string, unknown>[];
}

/** Builds the server with a debug-level logger whose lines are kept in memory. */
export async function buildCapturedServer(root: TestRoot, clock: Clock = () => new Date()): Promise<CapturedServer> {
  const lines: string[] = [];
  const stream: pino.DestinationStream = { write: (line: string) => { lines.push(line); } };
  const defaults = Settings.load({ global: root.rootPaths.globalConfig, common: root.rootPaths.commonConfig, local: null });
  const app = await buildServer({ registry: root.registry, apiMethods: buildApiMethodRegistry(), defaults, logger: createLogger('debug', stream), clock });
  return { app, logLines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

/**
 * Creates a tenant in `root`, appends `commonConfig` (INI text) to the root's common config,
 * then builds a captured server, which reads that config.
 */
export async function createCapturedTenantServer(
  root: TestRoot, options: { adapter: DatabaseAdapter; clock?: Clock; commonConfig?: string },
): Promise<{ host: string; tokenAuth: string; server: CapturedServer }> {
  const { host, tokenAuth } = await createTestTenant(root, { adapter: options.adapter });
  if (options.commonConfig !== undefined) appendFileSync(root.rootPaths.commonConfig, options.commonConfig);
  const server = await buildCapturedServer(root, options.clock);
  return { host, tokenAuth, server };
}

/** Posts a sign-in as JSON to a tenant's host. */
export function postLogin(app: FastifyInstance, host: string, login: string, password: string, remoteAddress = '192.0.2.1'): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/login', headers: { host }, payload: { login, password }, remoteAddress });
}

/** Signs in and returns the session cookie value and the session's token. */
export async function signInForTest(app: FastifyInstance, host: string, login = 'admin', password = 'secret-password'): Promise<{ cookie: string; token: string }> {
  const response = await postLogin(app, host, login, password);
  if (response.statusCode !== 200) throw new Error(`sign-in failed with ${response.statusCode}: ${response.body}`);
  const cookie = response.cookies.find((entry) => entry.name === 'footfall_session');
  if (!cookie) throw new Error('sign-in set no session cookie');
  return { cookie: cookie.value, token: (response.json() as { token: string }).token };
}
