/** `log:import FILE...`: imports web server and CDN access logs into a site of the tenant. */
import { listUsers } from '../../auth/user-store.js';
import { FootfallError, isFootfallError, quote } from '../../errors.js';
import { buildCustomRegexFormat, CUSTOM_FORMAT_NAME } from '../../import/regex-formats.js';
import { findLogFormat, LOG_FORMAT_NAMES } from '../../import/format-registry.js';
import { HitBuilder, type HitBuilderOptions, type SiteResolver } from '../../import/hit-builder.js';
import type { LogFormat } from '../../import/log-format.js';
import {
  createImportDeviceDetection, IMPORT_WRITE_BATCH_MAX_HITS, LogImporter, type LogImportResult, type UnmatchedFile,
} from '../../import/log-importer.js';
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

/** Parses `--skip`: a count of lines, 0 or more. */
function parseSkipOption(text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^\d{1,15}$/.test(text)) throw new FootfallError('PARAMETER_INVALID', `Invalid --skip ${quote(text)}. Use a number of lines, such as 5000.`);
  return Number(text);
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

/** The output of `log:import --json`: the counts, and the error when the import failed. */
interface LogImportOutput extends LogImportResult {
  /**
   * The failure that stopped the import at a file, or the files that no line matched of the
   * format set by an option. After a stop, the counts above are those of the lines before it,
   * and `resumeSkip` is the `--skip` value that imports the rest without duplicates.
   */
  error?: { code: string; message: string; resumeSkip?: number };
}

/** The counts of one run of `log:import`, and the error that failed it, if any. */
interface LogImportRun {
  result: LogImportResult;
  lines: number;
  skipLines: number;
  /** Files of which no line matches the format of `formatOption`. */
  unmatchedFiles: UnmatchedFile[];
  /** `--log-format=NAME` or `--log-format-regex`, when an option sets the format. */
  formatOption?: string;
  failure?: { error: FootfallError; resumeSkip?: number };
}

/** Returns the option that sets the format, as a summary names it. */
function describeFormatOption(format: LogFormat | undefined): string | undefined {
  if (format === undefined) return undefined;
  return format.name === CUSTOM_FORMAT_NAME ? '--log-format-regex' : `--log-format=${format.name}`;
}

function formatSummary(run: LogImportRun, seconds: number, dryRun: boolean): string {
  const { result, lines } = run;
  const rate = seconds > 0 ? Math.round(lines / seconds) : lines;
  const summary = [`${dryRun ? 'Would import' : 'Imported'} ${result.imported} of ${lines} lines in ${seconds.toFixed(1)}s (${rate} lines/s).`];
  if (run.skipLines > 0) summary.push(`Passed over the first ${run.skipLines} lines (--skip).`);
  const reasons = Object.entries(result.skipped).sort(([left], [right]) => left.localeCompare(right));
  const skippedTotal = reasons.reduce((sum, [, count]) => sum + count, 0);
  summary.push(`Skipped ${skippedTotal} lines${reasons.length > 0 ? ':' : '.'}`);
  for (const [reason, count] of reasons) summary.push(`  ${reason}: ${count}`);
  summary.push(`Invalid ${result.invalid} lines${result.invalid > 0 ? ':' : '.'}`);
  for (const { file, line, reason } of result.invalidReasons) summary.push(`  ${file}:${line}: ${reason}`);
  const unlisted = result.invalid - result.invalidReasons.length;
  if (unlisted > 0) summary.push(`  and ${unlisted} more`);
  // The total counts every line read, so the lines that are no request at all are named too.
  const notRequests = lines - result.imported - skippedTotal - result.invalid;
  if (notRequests > 0) summary.push(`Passed over ${notRequests} header, comment and blank lines.`);
  for (const { file, invalid } of run.unmatchedFiles) {
    summary.push(`No line of ${file} matches ${run.formatOption}: its ${invalid} lines that are not blank or comments are invalid.`);
  }
  return summary.join('\n');
}

/** Returns the error of files that no line matched of the format that an option sets. */
function describeUnmatchedFiles(unmatchedFiles: readonly UnmatchedFile[], formatOption: string): FootfallError {
  const names = unmatchedFiles.map(({ file }) => quote(file)).join(', ');
  const subject = unmatchedFiles.length === 1 ? 'it' : 'them';
  const option = formatOption.replace(/=.*$/, '');
  return new FootfallError(
    'LOG_FORMAT_MISMATCH',
    `No line of ${names} matches ${formatOption}, so nothing of ${subject} was imported. Import ${subject} again with the format of ${subject === 'it' ? 'its' : 'their'} lines, or leave out ${option} so that the format of each file is detected.`,
  );
}

/** Returns whether an error stops the import at one file, so the counts of the lines before it are still printed. */
function stopsAtFile(error: unknown): error is FootfallError {
  return isFootfallError(error, 'LOG_FILE_UNREADABLE') || isFootfallError(error, 'LOG_FORMAT_NOT_DETECTED');
}

/**
 * Returns the error of an import that stopped at a file. When lines were imported before it
 * (they stay stored), its message gives the `--skip` value that imports the rest without
 * importing a line twice.
 */
function describeStop(error: FootfallError, linesPassed: number, dryRun: boolean): { error: FootfallError; resumeSkip?: number } {
  if (dryRun || linesPassed === 0) return { error };
  const message = `${error.message} The hits imported so far stay stored. Once the cause is fixed, run the same command with --skip=${linesPassed} to import the rest without duplicates.`;
  return { error: new FootfallError(error.code, message, { cause: error }), resumeSkip: linesPassed };
}

async function runImport(context: CommandContext, tenant: Tenant, files: string[], options: OptionValues): Promise<LogImportRun> {
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
  const skipLines = parseSkipOption(stringOption(options, 'skip'));
  const devices = createImportDeviceDetection(context.logger);
  const builder = new HitBuilder(builderOptions, await buildSiteResolver(tenant, options), devices);
  const pipeline = new TrackingPipeline(context.logger, devices, { writeBatchMaxHits: IMPORT_WRITE_BATCH_MAX_HITS });
  // The threads start while the first lines are read, so the first batch waits for neither.
  void pipeline.warmUp();
  const progress = new LineRateProgress(context, 'log:import');
  const importer = new LogImporter(
    { tenant, pipeline, dryRun, owner: await findSuperuser(tenant), now: () => context.clock() },
    builder,
    { format, timezone, skipLines, onLine: (lines) => progress.update(lines) },
  );
  let failure: LogImportRun['failure'];
  try {
    for (const file of files) await importer.importFile(file);
  } catch (error) {
    if (!stopsAtFile(error)) throw error;
    failure = describeStop(error, importer.linesPassed, dryRun);
  } finally {
    progress.finish();
    await pipeline.close();
  }
  const unmatchedFiles = importer.unmatchedFiles();
  const formatOption = describeFormatOption(format);
  if (failure === undefined && unmatchedFiles.length > 0 && formatOption !== undefined) {
    failure = { error: describeUnmatchedFiles(unmatchedFiles, formatOption) };
  }
  return { result: importer.result(), lines: importer.lines, skipLines, unmatchedFiles, formatOption, failure };
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
    { flags: '--skip <lines>', description: 'pass over this many lines first, counted over all files in order, to resume an import that stopped (default: 0)' },
    { flags: '--timezone-of-log <tz>', description: 'time zone of logged times without an offset, such as Europe/Paris (default: UTC)' },
    { flags: '--dry-run', description: 'parse and count the lines, pipeline drops included, without storing anything' },
  ],
  runsOnDisabledTenant: false,
  async run(context, tenant, args, options) {
    const startedAt = Date.now();
    const run = await runImport(context, tenant, args, options);
    const { result, lines, failure } = run;
    const seconds = (Date.now() - startedAt) / 1000;
    const dryRun = options.dryRun === true;
    const counts = { tenant: tenant.key, lines, imported: result.imported, invalid: result.invalid, durationMs: Math.round(seconds * 1000), dryRun };
    const text = formatSummary(run, seconds, dryRun);
    if (failure) {
      context.logger.error({ ...counts, code: failure.error.code }, 'log import stopped');
      const data: LogImportOutput = { ...result, error: { code: failure.error.code, message: failure.error.message, resumeSkip: failure.resumeSkip } };
      return { data, text, error: failure.error };
    }
    context.logger.info(counts, 'log import completed');
    return { data: result, text };
  },
};
