/** `log:import FILE...`: imports web server and CDN access logs into a site of the tenant. */
import { listUsers } from '../../auth/user-store.js';
import { FootfallError, quote } from '../../errors.js';
import { buildCustomRegexFormat } from '../../import/regex-formats.js';
import { findLogFormat, LOG_FORMAT_NAMES } from '../../import/format-registry.js';
import { HitBuilder, type HitBuilderOptions, type SiteResolver } from '../../import/hit-builder.js';
import type { LogFormat } from '../../import/log-format.js';
import { createImportDeviceDetection, IMPORT_WRITE_BATCH_MAX_HITS, LogImporter, type LogImportResult } from '../../import/log-importer.js';
import { ensureLogTimezone, parseIsoLogTime } from '../../import/log-time.js';
import { buildFixedSiteResolver, buildHostSiteResolver } from '../../import/site-resolver.js';
import type { Tenant } from '../../tenancy/tenant.js';
import type { TrackingTokenOwner } from '../../tracking/tracking-auth.js';
import { TrackingPipeline } from '../../tracking/tracking-pipeline.js';
import type { CommandContext, OptionValues, TenantCommand } from '../command-definition.js';
import { LineRateProgress } from '../progress-bar.js';

function stringOption(options: OptionValues, name: string): string | undefined {
  const value = options[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function parseSiteIdOption(text: string): number {
  if (!/^[1-9]\d{0,8}$/.test(text)) throw new FootfallError('PARAMETER_INVALID', `Invalid --idsite ${quote(text)}. Use the id of a site, such as 1.`);
  return Number(text);
}

/** Parses `--exclude-older-than`: a date or date and time, read in the log's time zone. */
function parseExcludeOlderThan(text: string | undefined, timezone: string): Date | undefined {
  if (text === undefined) return undefined;
  const time = parseIsoLogTime(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text} 00:00:00` : text, timezone);
  if (!time) throw new FootfallError('PARAMETER_INVALID', `Invalid --exclude-older-than ${quote(text)}. Use YYYY-MM-DD or YYYY-MM-DD HH:MM:SS.`);
  return time;
}

function parseFormatOptions(options: OptionValues): LogFormat | undefined {
  const regex = stringOption(options, 'logFormatRegex');
  const name = stringOption(options, 'logFormat');
  if (regex !== undefined && name !== undefined) throw new FootfallError('PARAMETER_INVALID', 'Pass either --log-format or --log-format-regex, not both.');
  if (regex !== undefined) return buildCustomRegexFormat(regex, stringOption(options, 'dateFormat'));
  if (stringOption(options, 'dateFormat') !== undefined) throw new FootfallError('PARAMETER_INVALID', '--date-format applies only with --log-format-regex.');
  return name !== undefined ? findLogFormat(name) : undefined;
}

async function buildSiteResolver(tenant: Tenant, options: OptionValues): Promise<SiteResolver> {
  const siteText = stringOption(options, 'idsite');
  if (siteText !== undefined && options.idsiteByHost === true) throw new FootfallError('PARAMETER_INVALID', 'Pass either --idsite or --idsite-by-host, not both.');
  if (siteText !== undefined) return buildFixedSiteResolver(tenant.db(), parseSiteIdOption(siteText), tenant.host);
  if (options.idsiteByHost === true) return buildHostSiteResolver(tenant.db());
  if (options.replayTracking === true) return () => null;
  throw new FootfallError('PARAMETER_MISSING', 'Missing --idsite. Pass --idsite=N, or --idsite-by-host to find each line\'s site by its host.');
}

/** Returns a superuser of the tenant, as whom the hits are tracked. */
async function findSuperuser(tenant: Tenant): Promise<TrackingTokenOwner> {
  const superuser = (await listUsers(tenant.db())).find((user) => user.superuser);
  if (!superuser) throw new FootfallError('ACCESS_DENIED', 'The tenant has no superuser, and log:import tracks hits as one. Create one with user:create --superuser.');
  return { login: superuser.login, superuser: true, roles: new Map() };
}

function formatSummary(result: LogImportResult, lines: number, seconds: number, dryRun: boolean): string {
  const rate = seconds > 0 ? Math.round(lines / seconds) : lines;
  const summary = [`${dryRun ? 'Would import' : 'Imported'} ${result.imported} of ${lines} lines in ${seconds.toFixed(1)}s (${rate} lines/s).`];
  const reasons = Object.entries(result.skipped).sort(([left], [right]) => left.localeCompare(right));
  const skippedTotal = reasons.reduce((sum, [, count]) => sum + count, 0);
  summary.push(`Skipped ${skippedTotal} lines${reasons.length > 0 ? ':' : '.'}`);
  for (const [reason, count] of reasons) summary.push(`  ${reason}: ${count}`);
  summary.push(`Invalid ${result.invalid} lines${result.invalid > 0 ? `: ${result.invalidLines.join(', ')}${result.invalid > result.invalidLines.length ? ', ...' : ''}` : '.'}`);
  return summary.join('\n');
}

async function runImport(context: CommandContext, tenant: Tenant, files: string[], options: OptionValues): Promise<{ result: LogImportResult; lines: number }> {
  const timezone = stringOption(options, 'timezoneOfLog') ?? 'UTC';
  ensureLogTimezone(timezone);
  const format = parseFormatOptions(options);
  const builderOptions: HitBuilderOptions = {
    enableStatic: options.enableStatic === true, enableBots: options.enableBots === true,
    enableHttpErrors: options.enableHttpErrors === true, enableHttpRedirects: options.enableHttpRedirects === true,
    replayTracking: options.replayTracking === true,
    excludePaths: (stringOption(options, 'excludePath') ?? '').split(',').map((glob) => glob.trim()).filter((glob) => glob !== ''),
    excludeOlderThan: parseExcludeOlderThan(stringOption(options, 'excludeOlderThan'), timezone),
  };
  const dryRun = options.dryRun === true;
  const devices = createImportDeviceDetection(context.logger);
  const builder = new HitBuilder(builderOptions, await buildSiteResolver(tenant, options), devices);
  const pipeline = new TrackingPipeline(context.logger, devices, { writeBatchMaxHits: IMPORT_WRITE_BATCH_MAX_HITS });
  const progress = new LineRateProgress(context, 'log:import');
  const importer = new LogImporter(
    { tenant, pipeline, dryRun, owner: await findSuperuser(tenant), now: () => context.clock() },
    builder,
    { format, timezone, onLine: (lines) => progress.update(lines) },
  );
  try {
    for (const file of files) await importer.importFile(file);
  } finally {
    progress.finish();
    await pipeline.close();
  }
  return { result: importer.result(), lines: importer.lines };
}

export const logImportCommand: TenantCommand = {
  kind: 'tenant',
  name: 'log:import',
  description: 'Import web server and CDN access logs (plain, .gz, .bz2, or - for stdin) as tracked hits.',
  arguments: [{ name: 'files', description: 'access-log files to import in order; - reads stdin', required: true, variadic: true }],
  options: [
    { flags: '--idsite <id>', description: 'site that receives every line' },
    { flags: '--idsite-by-host', description: 'find each line\'s site by its virtual host among site URLs and aliases; lines of other hosts are skipped as unknown_site' },
    { flags: '--log-format <name>', description: `format of the files (default: detected per file): ${LOG_FORMAT_NAMES.join(', ')}` },
    { flags: '--log-format-regex <regex>', description: 'custom line pattern with named groups ip, host, date, request or path, status, referrer, user_agent' },
    { flags: '--date-format <format>', description: 'strptime-style format of the date group of --log-format-regex (default: %d/%b/%Y:%H:%M:%S %z)' },
    { flags: '--enable-static', description: 'import requests of static files (images, styles, scripts, fonts) too' },
    { flags: '--enable-bots', description: 'import requests of bots too, tracked with bots=1' },
    { flags: '--enable-http-errors', description: 'import 4xx and 5xx responses too, titled "404/URL = .../From = ..."' },
    { flags: '--enable-http-redirects', description: 'import 3xx responses other than 304 too' },
    { flags: '--replay-tracking', description: 'replay requests to /matomo.php and /piwik.php as the hits they were' },
    { flags: '--exclude-path <globs>', description: 'comma-separated globs of paths to skip, such as /admin/*' },
    { flags: '--exclude-older-than <date>', description: 'skip requests before this date (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, in the log\'s time zone)' },
    { flags: '--timezone-of-log <tz>', description: 'time zone of logged times without an offset, such as Europe/Paris (default: UTC)' },
    { flags: '--dry-run', description: 'parse and count the lines, pipeline drops included, without storing anything' },
  ],
  runsOnDisabledTenant: false,
  async run(context, tenant, args, options) {
    const startedAt = Date.now();
    const { result, lines } = await runImport(context, tenant, args, options);
    const seconds = (Date.now() - startedAt) / 1000;
    context.logger.info({ tenant: tenant.key, lines, imported: result.imported, invalid: result.invalid, durationMs: Math.round(seconds * 1000), dryRun: options.dryRun === true }, 'log import completed');
    return { data: result, text: formatSummary(result, lines, seconds, options.dryRun === true) };
  },
};
