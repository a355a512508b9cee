/** Throwaway Footfall roots, tenants and servers for tests. */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApiMethodRegistry } from '../../src/api/modules/index.js';
import { readEnvironment, type Environment } from '../../src/config/environment.js';
import { Settings } from '../../src/config/settings.js';
import type { DatabaseAdapter } from '../../src/db/database-config.js';
import { provisionDatabase } from '../../src/db/database-provisioner.js';
import { buildServer } from '../../src/http/server.js';
import { createSilentLogger } from '../../src/logging.js';
import { buildRootPaths, type RootPaths } from '../../src/tenancy/root-paths.js';
import { parseTenantHostName } from '../../src/tenancy/tenant-host.js';
import { createTenant, type CreateTenantResult } from '../../src/tenancy/tenant-provisioner.js';
import { TenantRegistry } from '../../src/tenancy/tenant-registry.js';
import { SYSTEM_CLOCK, type Clock } from '../../src/time.js';

/** Admin connections of the local test servers; override with FOOTFALL_TEST_MYSQL_* / FOOTFALL_TEST_PGSQL_*. */
export const TEST_ADMIN = {
  mysql: {
    host: process.env.FOOTFALL_TEST_MYSQL_HOST ?? '127.0.0.1',
    port: Number(process.env.FOOTFALL_TEST_MYSQL_PORT ?? 3306),
    username: process.env.FOOTFALL_TEST_MYSQL_USER ?? 'root',
    password: process.env.FOOTFALL_TEST_MYSQL_PASSWORD ?? '',
  },
  pgsql: {
    host: process.env.FOOTFALL_TEST_PGSQL_HOST ?? '127.0.0.1',
    port: Number(process.env.FOOTFALL_TEST_PGSQL_PORT ?? 5432),
    username: process.env.FOOTFALL_TEST_PGSQL_USER ?? 'postgres',
    password: process.env.FOOTFALL_TEST_PGSQL_PASSWORD ?? '',
  },
} as const;

/** A temporary FOOTFALL_ROOT with its registry. */
export interface TestRoot {
  dir: string;
  environment: Environment;
  rootPaths: RootPaths;
  registry: TenantRegistry;
  /** Removes the folder and closes every database. */
  cleanup(): Promise<void>;
}

function commonConfigText(): string {
  return [
    '; <?php exit; ?> DO NOT REMOVE THIS LINE',
    '[database_admin_mysql]',
    `host = "${TEST_ADMIN.mysql.host}"`, `port = ${TEST_ADMIN.mysql.port}`,
    `username = "${TEST_ADMIN.mysql.username}"`, `password = "${TEST_ADMIN.mysql.password}"`,
    '[database_admin_pgsql]',
    `host = "${TEST_ADMIN.pgsql.host}"`, `port = ${TEST_ADMIN.pgsql.port}`,
    `username = "${TEST_ADMIN.pgsql.username}"`, `password = "${TEST_ADMIN.pgsql.password}"`,
    '[General]',
    '; Low bcrypt cost keeps tests fast; never use it in production.',
    'password_hash_cost = 4',
    '',
  ].join('\n');
}

/**
 * Creates an empty root in the system temp folder (or in `parentDir`), with a common config
 * that points at the test database servers.
 */
export function createTestRoot(options: {
  commonConfig?: string;
  parentDir?: string;
  /** How long a tenant lookup is trusted; 0 (every request checks the config files) unless a benchmark mirrors `server:run`. */
  recheckMs?: number;
} = {}): TestRoot {
  const dir = mkdtempSync(join(options.parentDir ?? tmpdir(), 'footfall-test-'));
  mkdirSync(resolve(dir, 'config'), { recursive: true });
  writeFileSync(resolve(dir, 'config', 'common.config.ini.php'), options.commonConfig ?? commonConfigText());
  const environment = { ...readEnvironment({}), root: dir };
  const rootPaths = buildRootPaths(environment);
  const registry = new TenantRegistry(rootPaths, { recheckMs: options.recheckMs ?? 0 });
  return {
    dir, environment, rootPaths, registry,
    async cleanup() {
      await registry.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Returns a unique test host name such as `t1a2b3c.test.example`, so engine databases never collide between runs. */
export function uniqueHost(label = 't'): string {
  return `${label}${process.pid.toString(36)}${Math.random().toString(36).slice(2, 8)}.test.example`;
}

/** Creates a tenant in a test root; `host` defaults to a unique name. */
export async function createTestTenant(
  root: TestRoot, options: { host?: string; adapter?: DatabaseAdapter; clock?: Clock; timezone?: string; siteUrl?: string } = {},
): Promise<CreateTenantResult & { host: string }> {
  const host = parseTenantHostName(options.host ?? uniqueHost());
  const created = await createTenant(root.registry, {
    host, dbAdapter: options.adapter ?? 'sqlite', superuserLogin: 'admin', superuserPassword: 'secret-password',
    superuserEmail: `admin@${host}`, siteName: `Site of ${host}`, siteUrl: options.siteUrl ?? `https://${host}`,
    timezone: options.timezone, clock: options.clock ?? SYSTEM_CLOCK,
  }, provisionDatabase);
  return { ...created, host };
}

/** Creates the single-tenant install (`config/config.ini.php`) of a test root on SQLite, as a first `server:run` does. */
export async function createSingleTenantInstall(root: TestRoot): Promise<CreateTenantResult> {
  return createTenant(root.registry, {
    host: null, dbAdapter: 'sqlite', superuserLogin: 'admin', superuserPassword: 'secret-password', superuserEmail: 'admin@localhost',
    siteName: 'Single', siteUrl: 'http://localhost', clock: SYSTEM_CLOCK,
  }, provisionDatabase);
}

/** Builds the server for a test root, to drive with `inject` or `listen` on 127.0.0.1. */
export async function buildTestServer(root: TestRoot, clock: Clock = SYSTEM_CLOCK, options: { warmUp?: boolean } = {}): Promise<FastifyInstance> {
  const defaults = Settings.load({ global: root.rootPaths.globalConfig, common: root.rootPaths.commonConfig, local: null });
  return buildServer({
    registry: root.registry, apiMethods: buildApiMethodRegistry(), defaults, logger: createSilentLogger(), clock, warmUpDeviceDetection: options.warmUp,
  });
}

/** A test tenant and the server built for its root. */
export interface TenantServer {
  app: FastifyInstance;
  host: string;
  /** token_auth of the tenant's superuser. */
  token: string;
}

/**
 * Creates a tenant in `root` and builds the server, for a suite's `before` hook. The caller
 * creates `root` first, so that its `after` hook can clean up even when this fails.
 */
export async function createTenantServer(root: TestRoot, tenantOptions: Parameters<typeof createTestTenant>[1] = {}): Promise<TenantServer> {
  const tenant = await createTestTenant(root, tenantOptions);
  const app = await buildTestServer(root);
  return { app, host: tenant.host, token: tenant.tokenAuth };
}

/** Starts `app` listening on 127.0.0.1 at a free port, for clients outside `inject` such as a browser, and returns the port. */
export async function listenOnLoopback(app: FastifyInstance): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as AddressInfo).port;
}
