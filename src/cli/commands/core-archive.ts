/** `core:archive`: archives what tracking changed since the last run, plus what the force options ask for. */
import type { Kysely } from 'kysely';
import { MAX_VALUES_PER_IN_LIST, runCoreArchive, type CoreArchiveOptions, type CoreArchiveResult, type SkippedDays } from '../../archiving/core-archive.js';
import type { LogDeletionResult } from '../../archiving/log-deletion.js';
import { addDays, type PeriodKind } from '../../archiving/period.js';
import { MAX_RANGE_DAYS } from '../../archiving/period-request.js';
import { splitIntoChunks } from '../../db/chunks.js';
import type { Database } from '../../db/schema.js';
import { FootfallError, quote } from '../../errors.js';
import type { Tenant } from '../../tenancy/tenant.js';
import type { CommandContext, TenantCommand } from '../command-definition.js';
import { ProgressBar } from '../progress-bar.js';

const ARCHIVABLE_PERIODS = ['day', 'week', 'month', 'year'] as const;

/** @throws FootfallError PARAMETER_INVALID unless every id is a positive whole number. */
export function parseForceSiteIds(raw: string | undefined): number[] | undefined {
  if (raw === undefined) return undefined;
  return raw.split(',').map((part) => {
    if (!/^\s*[0-9]+\s*$/.test(part) || Number(part) < 1) throw new FootfallError('PARAMETER_INVALID', `Invalid --force-idsites ${quote(raw)}. Use site ids separated by commas, such as 1,2.`);
    return Number(part);
  });
}

/** @throws FootfallError PARAMETER_INVALID unless every period is day, week, month or year. */
export function parseForcePeriods(raw: string | undefined): Exclude<PeriodKind, 'range'>[] | undefined {
  if (raw === undefined) return undefined;
  return raw.split(',').map((part) => {
    const kind = part.trim().toLowerCase();
    if (!(ARCHIVABLE_PERIODS as readonly string[]).includes(kind)) throw new FootfallError('PARAMETER_INVALID', `Invalid --force-periods ${quote(raw)}. Use day, week, month or year, separated by commas.`);
    return kind as Exclude<PeriodKind, 'range'>;
  });
}

/**
 * @throws FootfallError PARAMETER_INVALID unless the value is two valid days, the first not after
 * the second, at most MAX_RANGE_DAYS apart. That is the Reporting API's limit on a range, and
 * it also keeps the list of days within the bound variables one SQLite statement accepts.
 */
export function parseForceDateRange(raw: string | undefined): [string, string] | undefined {
  if (raw === undefined) return undefined;
  const parts = raw.split(',').map((part) => part.trim());
  const valid = parts.length === 2 && parts.every((part) => /^\d{4}-\d{2}-\d{2}$/.test(part) && addDays(part, 0) === part) && parts[0]! <= parts[1]!;
  if (!valid) throw new FootfallError('PARAMETER_INVALID', `Invalid --force-date-range ${quote(raw)}. Use YYYY-MM-DD,YYYY-MM-DD with the earlier day first.`);

  const days = (Date.parse(`${parts[1]}T00:00:00Z`) - Date.parse(`${parts[0]}T00:00:00Z`)) / 86_400_000 + 1;
  if (days > MAX_RANGE_DAYS) {
    throw new FootfallError('PARAMETER_INVALID', `Invalid --force-date-range ${quote(raw)}: it spans ${days} days, and the limit is ${MAX_RANGE_DAYS}. Archive a longer history in several runs.`);
  }
  return [parts[0]!, parts[1]!];
}

/** Returns the ids among `siteIds` that name no site of the tenant, sorted and each once. */
async function findMissingSiteIds(db: Kysely<Database>, siteIds: readonly number[]): Promise<number[]> {
  const requested = [...new Set(siteIds)].sort((a, b) => a - b);
  const found = new Set<number>();
  for (const chunk of splitIntoChunks(requested, MAX_VALUES_PER_IN_LIST)) {
    const rows = await db.selectFrom('site').select('idsite').where('idsite', 'in', chunk).execute();
    for (const row of rows) found.add(Number(row.idsite));
  }
  return requested.filter((id) => !found.has(id));
}

/**
 * Checks the sites of `--force-idsites`: names the missing ones on stderr, and fails when none
 * of them exists, because the run would then archive nothing.
 *
 * @throws FootfallError SITE_NOT_FOUND when no requested site exists in the tenant.
 */
async function ensureForcedSitesExist(context: CommandContext, tenant: Tenant, siteIds: readonly number[]): Promise<void> {
  const missing = await findMissingSiteIds(tenant.db(), siteIds);
  if (missing.length === 0) return;
  const tenantName = tenant.host ?? 'the single-tenant install';
  const sites = missing.length === 1 ? `Site ${missing[0]} of --force-idsites does not exist` : `Sites ${missing.join(', ')} of --force-idsites do not exist`;
  if (missing.length === new Set(siteIds).size) {
    throw new FootfallError('SITE_NOT_FOUND', `${sites} in ${tenantName}, so there is nothing to archive. site:list lists the sites.`);
  }
  context.say(`${sites} in ${tenantName}, so ${missing.length === 1 ? 'it is' : 'they are'} skipped. site:list lists the sites.`);
}

function summarise(tenant: string, result: CoreArchiveResult): string {
  const archived = result.sites.filter((site) => site.status === 'archived');
  const locked = result.sites.filter((site) => site.status === 'locked');
  const lines = [`Archived ${archived.length} site(s) of ${tenant}: ${result.archives} archive(s) in ${(result.durationMs / 1000).toFixed(1)}s.`];
  for (const site of archived) lines.push(`  idSite ${site.idSite}: ${site.days.length} day(s), ${site.archives} archive(s)`);
  if (locked.length > 0) lines.push(`Skipped ${locked.length} site(s) that another run is archiving: ${locked.map((site) => site.idSite).join(', ')}.`);
  if (result.sites.length === 0) lines.push('No site has new data.');
  lines.push(...describeSkippedDays(result.skippedBeforeHorizon));
  const deletion = describeLogDeletion(result.logDeletion);
  if (deletion !== null) lines.push(deletion);
  return lines.join('\n');
}

/** Describes the forced days left out before the log deletion horizon, with what the operator can do; no line when there are none. */
function describeSkippedDays(skipped: readonly SkippedDays[]): string[] {
  if (skipped.length === 0) return [];
  const lines = ['Skipped days before the [Deletelogs] horizon, whose raw data may be deleted, so their stored reports stay as they are:'];
  for (const site of skipped) {
    lines.push(`  idSite ${site.idSite}: ${site.days} day(s) from ${site.firstDay} to ${site.lastDay}, before ${site.horizonDay}`);
  }
  lines.push('To archive them again from the raw data that is left, raise [Deletelogs] delete_logs_older_than or set delete_logs_enable = 0, '
    + 'and run core:archive again.');
  return lines;
}

/** Describes the deletion of old raw data for the summary; null when it is off. */
function describeLogDeletion(deletion: LogDeletionResult): string | null {
  switch (deletion.status) {
    case 'disabled':
      return null;
    case 'not_due':
      return `Old raw data not deleted: the last deletion ran at ${deletion.lastRun} UTC, less than [Deletelogs] delete_logs_schedule_lowest_interval days ago.`;
    case 'locked':
      return 'Old raw data not deleted: another run is deleting it.';
    case 'deleted': {
      const { tables, skippedSites } = deletion;
      const deleted = `Deleted raw data from before the local day of each site that contains ${deletion.horizon} UTC: `
        + `${tables.log_visit.rows} visit(s), ${tables.log_link_visit_action.rows} action(s), `
        + `${tables.log_conversion.rows} conversion(s), ${tables.log_conversion_item.rows} e-commerce item(s).`;
      if (skippedSites.length === 0) return deleted;
      return `${deleted}\nKept the raw data of idSite ${skippedSites.join(', ')}, which has days before the horizon still to archive. `
        + 'The next core:archive that archives them deletes it.';
    }
  }
}

export const coreArchiveCommand: TenantCommand = {
  kind: 'tenant',
  name: 'core:archive',
  description: 'Archive the days tracking changed since the last run, with their weeks, months and years, then delete old raw data when [Deletelogs] enables it.',
  options: [
    { flags: '--force-idsites <ids>', description: 'only these site ids, separated by commas (default: every site with new data)' },
    { flags: '--force-periods <periods>', description: 'periods to archive: day, week, month, year, separated by commas (default: all four)' },
    { flags: '--force-date-range <range>', description: 'also archive every day of YYYY-MM-DD,YYYY-MM-DD, new data or not, except days before the [Deletelogs] horizon' },
    { flags: '--force-all-websites', description: 'also archive today and yesterday of every site, new data or not' },
  ],
  runsOnDisabledTenant: false,
  async run(context, tenant, _args, options) {
    const runOptions: CoreArchiveOptions = {
      siteIds: parseForceSiteIds(options.forceIdsites as string | undefined),
      periods: parseForcePeriods(options.forcePeriods as string | undefined),
      dateRange: parseForceDateRange(options.forceDateRange as string | undefined),
      allWebsites: options.forceAllWebsites === true,
    };
    if (runOptions.siteIds) await ensureForcedSitesExist(context, tenant, runOptions.siteIds);

    let progress: ProgressBar | undefined;
    runOptions.onSite = (site, index, total) => {
      progress ??= new ProgressBar(context, 'core:archive', total);
      progress.tick(`idSite ${site.idsite}`);
    };

    const result = await runCoreArchive({ db: tenant.db(), settings: tenant.settings, clock: context.clock, logger: context.logger, tenant: tenant.key }, runOptions);
    progress?.finish();
    context.logger.info({ tenant: tenant.key, job: 'core:archive', sites: result.sites.length, archives: result.archives, durationMs: result.durationMs }, 'archiving completed');
    return { data: result, text: summarise(tenant.key, result) };
  },
};
