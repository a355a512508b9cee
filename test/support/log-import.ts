/** Helpers for log import tests: the shared access-log samples and running `log:import` in-process. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandContext, OptionValues } from '../../src/cli/command-definition.js';
import { logImportCommand } from '../../src/cli/commands/log-import.js';
import type { LogImportResult } from '../../src/import/log-importer.js';
import { createSilentLogger } from '../../src/logging.js';
import { parseTenantHost } from '../../src/tenancy/tenant-host.js';
import { SYSTEM_CLOCK, type Clock } from '../../src/time.js';
import type { TestRoot } from './test-root.js';

/** The repository root: tests run from `dist/test/...`, three folders below it. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The folder of sample access logs, in `shared/` beside the repository (as CI clones it). */
export const ACCESS_LOGS_DIR = resolve(REPOSITORY_ROOT, '..', 'shared', 'data', 'access-logs');

/** Returns the path of a sample access log, failing clearly when the samples are not beside the repository. */
export function accessLog(name: string): string {
  const path = resolve(ACCESS_LOGS_DIR, name);
  if (!existsSync(path)) throw new Error(`Sample access log ${path} not found; clone shared/ beside the repository.`);
  return path;
}

/**
 * Runs `log:import` in-process in a tenant of a test root and returns its JSON result. Throws
 * the error of an import that stopped early, as the console reports it after the result.
 */
export async function runLogImport(root: TestRoot, host: string, files: string[], options: OptionValues, clock: Clock = SYSTEM_CLOCK): Promise<LogImportResult> {
  const tenant = root.registry.resolve(parseTenantHost(host));
  if (!tenant) throw new Error(`No test tenant ${host}`);
  const context: CommandContext = {
    environment: root.environment, rootPaths: root.rootPaths, registry: root.registry, logger: createSilentLogger(),
    clock, json: true, say: () => undefined, interactive: false,
  };
  const result = await logImportCommand.run(context, tenant, files, options);
  if (result.error) throw result.error;
  return result.data as LogImportResult;
}
