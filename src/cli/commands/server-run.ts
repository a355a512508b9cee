/** `server:run`: serves every tenant from one process until stopped. */
import { existsSync } from 'node:fs';
import { buildApiMethodRegistry } from '../../api/modules/index.js';
import { Settings } from '../../config/settings.js';
import { provisionDatabase } from '../../db/database-provisioner.js';
import { FootfallError } from '../../errors.js';
import { buildServer } from '../../http/server.js';
import { TenantRegistry } from '../../tenancy/tenant-registry.js';
import { createTenant, type CreateTenantResult } from '../../tenancy/tenant-provisioner.js';
import type { CommandContext, GlobalCommand } from '../command-definition.js';
import { parseListenHost, parsePort } from '../option-parsers.js';

/** Port of `server:run` when --port is not given. */
export const DEFAULT_PORT = 8080;

/** Whether the root has no config of any tenant, so a first start should create the single-tenant install. */
function isFirstStart(context: CommandContext): boolean {
  return !existsSync(context.rootPaths.singleTenantConfig) && context.registry.listHosts().length === 0;
}

function formatFirstStart(created: CreateTenantResult, url: string): string {
  return [
    '',
    'Footfall created the single-tenant install on SQLite (config/config.ini.php).',
    'Keep these now: the password and token are shown this once only.',
    `  login:      ${created.login}`,
    `  password:   ${created.password}`,
    `  token_auth: ${created.tokenAuth}`,
    `  site:       idSite ${created.idSite}`,
    `Try: curl '${url}/index.php?module=API&method=SitesManager.getSitesWithAtLeastViewAccess&format=json&token_auth=${created.tokenAuth}'`,
    '',
  ].join('\n');
}

async function createFirstInstall(context: CommandContext, url: string): Promise<void> {
  const created = await createTenant(context.registry, {
    host: null, dbAdapter: 'sqlite', superuserLogin: 'admin', superuserEmail: 'admin@localhost',
    siteName: 'My first site', siteUrl: 'http://localhost', clock: context.clock,
  }, provisionDatabase);
  process.stdout.write(formatFirstStart(created, url));
  context.logger.info({ tenant: '_default', idSite: created.idSite }, 'single-tenant install created');
}

/** Returns the advice for a failed `listen`, naming the option to change, by Node's error code. */
function adviseOnListenError(code: string | undefined, port: number): string {
  switch (code) {
    case 'EADDRINUSE':
      return `Another process listens on port ${port}. Stop it, or pass a free port with --port.`;
    case 'EACCES':
      return `Ports below 1024 need root or the CAP_NET_BIND_SERVICE capability. Pass a port of 1024 or more with --port.`;
    case 'EADDRNOTAVAIL':
      return 'The address is not one of this machine. Pass one of its addresses with --host, or 0.0.0.0 for every IPv4 interface.';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'The host name does not resolve to an address. Pass an address of this machine with --host, such as 127.0.0.1.';
    default:
      return 'Check --host and --port.';
  }
}

/** Returns the error to raise for a failed `listen`: one that names the address, the cause and the option to change. */
export function describeListenError(error: unknown, host: string, port: number): FootfallError {
  const code = (error as { code?: unknown } | null)?.code;
  const reason = error instanceof Error ? error.message : String(error);
  return new FootfallError('SERVER_LISTEN_FAILED',
    `Failed to listen on ${host}:${port} (${reason}). ${adviseOnListenError(typeof code === 'string' ? code : undefined, port)}`,
    { cause: error });
}

function waitForStopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => resolve(signal);
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

export const serverRunCommand: GlobalCommand = {
  kind: 'global',
  name: 'server:run',
  description: 'Serve every tenant from one process, in the foreground, logging JSON lines to stderr.',
  options: [
    { flags: '--port <port>', description: `TCP port to listen on (default: ${DEFAULT_PORT})` },
    { flags: '--host <address>', description: 'address to bind (default: 0.0.0.0, every IPv4 interface)' },
  ],
  async run(context, _args, options) {
    const port = options.port === undefined ? DEFAULT_PORT : parsePort(String(options.port));
    const host = typeof options.host === 'string' ? parseListenHost(options.host) : '0.0.0.0';
    const displayHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
    const url = `http://${displayHost}:${port}`;
    if (isFirstStart(context)) await createFirstInstall(context, url);

    const defaults = Settings.load({ global: context.rootPaths.globalConfig, common: context.rootPaths.commonConfig, local: null });
    // The console's registry rereads config files on every lookup, which suits one-shot commands;
    // the server trusts a lookup for DEFAULT_RECHECK_MS so a request costs no file-system calls.
    const registry = new TenantRegistry(context.rootPaths, { logger: context.logger });
    const app = await buildServer({ registry, apiMethods: buildApiMethodRegistry(), defaults, logger: context.logger, clock: context.clock, warmUpDeviceDetection: true });
    try {
      await app.listen({ port, host });
    } catch (error) {
      await app.close();
      await registry.close();
      throw describeListenError(error, host, port);
    }
    const address = app.server.address();
    const boundPort = typeof address === 'object' && address !== null ? address.port : port;
    context.logger.info({ port: boundPort, host, root: context.rootPaths.root, tenants: context.registry.listHosts().length }, 'server started');

    const signal = await waitForStopSignal();
    context.logger.info({ signal }, 'server stopping');
    await app.close();
    await registry.close();
    context.logger.info({}, 'server stopped');
    return { data: { stopped: signal } };
  },
};
