/** Running one tenant command for every tenant, as `--all-tenants` asks. */
import { isFootfallError } from '../errors.js';
import type { CommandContext, CommandResult, OptionValues, TenantCommand } from './command-definition.js';
import { ProgressBar } from './progress-bar.js';

/** The outcome of one tenant under `--all-tenants`. */
export interface TenantOutcome {
  host: string;
  ok: boolean;
  data?: unknown;
  error?: string;
}

/**
 * Runs `definition` once per tenant in host order, going on past failures, and returns a
 * summary; `failed` is true when any tenant failed.
 */
export async function runForAllTenants(
  context: CommandContext, definition: TenantCommand, args: string[], options: OptionValues,
): Promise<{ result: CommandResult; failed: boolean }> {
  const hosts = context.registry.listHosts();
  const progress = new ProgressBar(context, definition.name, hosts.length);
  const outcomes: TenantOutcome[] = [];

  for (const host of hosts) {
    progress.tick(host);
    try {
      const tenant = context.registry.require(host);
      const result = await definition.run(context, tenant, args, options);
      outcomes.push({ host, ok: true, data: result.data });
    } catch (error) {
      const message = isFootfallError(error) ? error.message : error instanceof Error ? error.message : String(error);
      context.logger.error({ tenant: host, job: definition.name, err: isFootfallError(error) ? undefined : error }, 'tenant command failed');
      outcomes.push({ host, ok: false, error: message });
    } finally {
      await context.registry.forget(host);
    }
  }
  progress.finish();

  const failures = outcomes.filter((outcome) => !outcome.ok);
  const lines = [`${definition.name}: ${outcomes.length - failures.length} of ${outcomes.length} tenants succeeded.`];
  for (const failure of failures) lines.push(`  failed: ${failure.host}: ${failure.error}`);
  context.say(lines.join('\n'));
  return { result: { data: { tenants: outcomes, succeeded: outcomes.length - failures.length, failed: failures.length } }, failed: failures.length > 0 };
}
