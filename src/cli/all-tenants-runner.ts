/** The `--all-tenants` runner: one tenant command run for every tenant in turn. */
import { existsSync } from 'node:fs';
import { isFootfallError } from '../errors.js';
import { SINGLE_TENANT_KEY } from '../tenancy/root-paths.js';
import type { TenantHost } from '../tenancy/tenant-host.js';
import type { CommandContext, CommandResult, OptionValues, TenantCommand } from './command-definition.js';
import { isRejectedAsDisabled } from './disabled-tenant-check.js';
import { ProgressBar } from './progress-bar.js';

/** The outcome of one tenant under `--all-tenants`; host null is the single-tenant install. */
export interface TenantOutcome {
  host: string | null;
  ok: boolean;
  data?: unknown;
  error?: string;
  /** Reason the command did not run on this tenant. A skipped tenant does not count as failed. */
  skipped?: 'disabled';
}

/** The summary's name for the single-tenant install, which has no host of its own. */
export const SINGLE_TENANT_LABEL = 'single-tenant install';

/**
 * Lists the tenants that `--all-tenants` runs on and `tenant:list` shows: null for the
 * single-tenant install (`config/config.ini.php`) first when its file exists, even with a bad
 * value, then every host in order.
 */
export function listAllTenants(context: CommandContext): (TenantHost | null)[] {
  const single = existsSync(context.rootPaths.singleTenantConfig) ? [null] : [];
  return [...single, ...context.registry.listHosts()];
}

/**
 * Runs `definition` once per tenant of `listAllTenants` and goes on past failures. A disabled
 * tenant is skipped when the command does not run on one, so an hourly `core:archive
 * --all-tenants` does not fail while a tenant is disabled. Returns a summary, with `failed`
 * true when any tenant failed.
 */
export async function runForAllTenants(
  context: CommandContext, definition: TenantCommand, args: string[], options: OptionValues,
): Promise<{ result: CommandResult; failed: boolean }> {
  const hosts = listAllTenants(context);
  const progress = new ProgressBar(context, definition.name, hosts.length);
  const outcomes: TenantOutcome[] = [];

  for (const host of hosts) {
    progress.tick(host ?? SINGLE_TENANT_LABEL);
    try {
      const tenant = context.registry.require(host ?? undefined);
      if (isRejectedAsDisabled(definition, tenant)) {
        outcomes.push({ host, ok: true, skipped: 'disabled' });
        continue;
      }
      const result = await definition.run(context, tenant, args, options);
      if (result.error) {
        context.logger.error({ tenant: host ?? SINGLE_TENANT_LABEL, job: definition.name, code: result.error.code }, 'tenant command failed');
        outcomes.push({ host, ok: false, data: result.data, error: result.error.message });
      } else {
        outcomes.push({ host, ok: true, data: result.data });
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      context.logger.error({ tenant: host ?? SINGLE_TENANT_LABEL, job: definition.name, err: isFootfallError(error) ? undefined : error }, 'tenant command failed');
      outcomes.push({ host, ok: false, error: message });
    } finally {
      await context.registry.forget(host ?? SINGLE_TENANT_KEY);
    }
  }
  progress.finish();

  const failures = outcomes.filter((outcome) => !outcome.ok);
  const skipped = outcomes.filter((outcome) => outcome.skipped !== undefined);
  const succeeded = outcomes.length - failures.length - skipped.length;
  const lines = [`${definition.name}: ${succeeded} of ${outcomes.length} tenants succeeded${skipped.length > 0 ? `, ${skipped.length} skipped` : ''}.`];
  for (const failure of failures) lines.push(`  failed: ${failure.host ?? SINGLE_TENANT_LABEL}: ${failure.error}`);
  for (const skip of skipped) lines.push(`  skipped: ${skip.host ?? SINGLE_TENANT_LABEL}: disabled, so ${definition.name} does not write to its database`);
  context.say(lines.join('\n'));
  return { result: { data: { tenants: outcomes, succeeded, skipped: skipped.length, failed: failures.length } }, failed: failures.length > 0 };
}
