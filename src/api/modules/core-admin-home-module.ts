/**
 * The superuser's general settings of a host, as Matomo's General settings page sets them:
 * browser-triggered archiving, the lifetime of today's archives, the dashboard's default
 * period and date, and the time zone and currency of new sites. Each value is a `[General]`
 * setting of the tenant's config file.
 */
import { FootfallError, quote } from '../../errors.js';
import { ensureCurrency, ensureTimezone } from '../../sites/site-store.js';
import type { Settings } from '../../config/settings.js';
import type { ApiMethodRegistry } from '../api-method-registry.js';
import type { ApiParams } from '../api-params.js';
import { API_SUCCESS, markArrayResult, type ApiObject } from '../api-value.js';
import { writeTenantSettings, type SettingChange } from './tenant-settings-writer.js';

/** Periods the dashboard may open on. */
export const DEFAULT_PERIODS = ['day', 'week', 'month', 'year'] as const;
/** Dates the dashboard may open on, relative to today in the site's time zone. */
export const DEFAULT_DATES = ['today', 'yesterday'] as const;

/** Largest `todayArchiveTimeToLive` accepted: one day, since a longer lifetime would hide a whole day of visits. */
const MAX_TODAY_ARCHIVE_SECONDS = 86_400;

/** Returns the dashboard's default period from `[General] default_period`, or 'day' when unset or unknown. */
export function readDefaultPeriod(settings: Settings): (typeof DEFAULT_PERIODS)[number] {
  const value = settings.string('General', 'default_period');
  return (DEFAULT_PERIODS as readonly string[]).includes(value) ? value as (typeof DEFAULT_PERIODS)[number] : 'day';
}

/** Returns the dashboard's default date from `[General] default_day`, or 'today' when unset or unknown. */
export function readDefaultDate(settings: Settings): (typeof DEFAULT_DATES)[number] {
  const value = settings.string('General', 'default_day');
  return (DEFAULT_DATES as readonly string[]).includes(value) ? value as (typeof DEFAULT_DATES)[number] : 'today';
}

function readChoice(params: ApiParams, name: string, choices: readonly string[]): string | undefined {
  const value = params.optionalString(name);
  if (value === undefined || value === '') return undefined;
  if (choices.includes(value)) return value;
  throw new FootfallError('PARAMETER_INVALID', `Invalid value ${quote(value)} for '${name}'. Expected one of ${choices.join(', ')}.`);
}

function readSeconds(params: ApiParams, name: string): number | undefined {
  const value = params.optionalString(name);
  if (value === undefined || value === '') return undefined;
  const seconds = /^[0-9]+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (Number.isInteger(seconds) && seconds <= MAX_TODAY_ARCHIVE_SECONDS) return seconds;
  throw new FootfallError('PARAMETER_INVALID', `Invalid value ${quote(value)} for '${name}'. Expected a whole number of seconds from 0 to ${MAX_TODAY_ARCHIVE_SECONDS}.`);
}

/** Reads every sent setting. A setting that is not sent keeps its value. */
function readGeneralChanges(params: ApiParams): SettingChange[] {
  const changes: SettingChange[] = [];
  const general = (key: string, value: string) => changes.push({ section: 'General', key, value });

  if (params.has('enableBrowserTriggerArchiving') && params.string('enableBrowserTriggerArchiving') !== '') {
    general('enable_browser_archiving_triggering', params.bool('enableBrowserTriggerArchiving', true) ? '1' : '0');
  }
  const ttl = readSeconds(params, 'todayArchiveTimeToLive');
  if (ttl !== undefined) general('time_before_today_archive_considered_outdated', String(ttl));
  const period = readChoice(params, 'defaultReportPeriod', DEFAULT_PERIODS);
  if (period !== undefined) general('default_period', period);
  const date = readChoice(params, 'defaultReportDate', DEFAULT_DATES);
  if (date !== undefined) general('default_day', date);

  const timezone = params.optionalString('defaultTimezone');
  if (timezone !== undefined && timezone !== '') {
    ensureTimezone(timezone);
    general('default_timezone', timezone);
  }
  const currency = params.optionalString('defaultCurrency');
  if (currency !== undefined && currency !== '') {
    ensureCurrency(currency);
    general('default_currency', currency);
  }
  return changes;
}

/** Returns the general settings as `CoreAdminHome.getGeneralSettings` returns them. */
function buildGeneralSettings(settings: Settings): ApiObject {
  return {
    enableBrowserTriggerArchiving: settings.bool('General', 'enable_browser_archiving_triggering'),
    todayArchiveTimeToLive: settings.int('General', 'time_before_today_archive_considered_outdated'),
    defaultReportPeriod: readDefaultPeriod(settings),
    defaultReportDate: readDefaultDate(settings),
    defaultTimezone: settings.string('General', 'default_timezone'),
    defaultCurrency: settings.string('General', 'default_currency'),
  };
}

/** Registers `CoreAdminHome.getGeneralSettings` and `CoreAdminHome.setGeneralSettings`. */
export function registerCoreAdminHomeModule(registry: ApiMethodRegistry): void {
  registry.register({
    name: 'CoreAdminHome.getGeneralSettings',
    description: 'Returns the general settings of the host: archiving, default report period and date, default time zone and currency. Superusers only.',
    parameters: [],
    differences: 'Matomo has no such API method: its General settings page posts to a controller. Footfall serves the same settings through the API.',
    handler: async ({ tenant, access }) => {
      access.ensureSuperuser();
      return markArrayResult(buildGeneralSettings(tenant.settings));
    },
  });

  registry.register({
    name: 'CoreAdminHome.setGeneralSettings',
    description: 'Changes the general settings that are sent; the others keep their value. Superusers only.',
    parameters: [
      { name: 'enableBrowserTriggerArchiving', description: '1 lets a report request compute a missing archive; 0 serves only what core:archive computed.' },
      { name: 'todayArchiveTimeToLive', description: `Seconds an archive of a period that includes today is reused, 0 to ${MAX_TODAY_ARCHIVE_SECONDS}.` },
      { name: 'defaultReportPeriod', description: `Period the dashboard opens on: ${DEFAULT_PERIODS.join(', ')}.` },
      { name: 'defaultReportDate', description: `Date the dashboard opens on: ${DEFAULT_DATES.join(' or ')}.` },
      { name: 'defaultTimezone', description: 'Time zone of a new site when none is given, such as Europe/Paris.' },
      { name: 'defaultCurrency', description: 'Currency of a new site when none is given, such as EUR.' },
    ],
    differences: 'Matomo has no such API method: its General settings page posts to a controller. The default report period and date apply to every user of the host, where Matomo also keeps one per user.',
    handler: async (call) => {
      call.access.ensureSuperuser();
      const changes = readGeneralChanges(call.params);
      if (changes.length === 0) {
        throw new FootfallError('PARAMETER_MISSING', 'No setting to change. Send at least one of enableBrowserTriggerArchiving, todayArchiveTimeToLive, defaultReportPeriod, defaultReportDate, defaultTimezone, defaultCurrency.');
      }
      await writeTenantSettings(call, changes);
      return API_SUCCESS;
    },
  });
}
