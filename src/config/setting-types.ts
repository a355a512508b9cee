/** The type of every setting Footfall reads, used to check a config chain when it loads. */
import { describeInvalidRequestExclusion } from '../tracking/request-exclusion.js';

/** The type of one setting, which decides how its value is read and checked. */
export type SettingType =
  | { kind: 'string'; check?: (value: string) => string | null }
  | { kind: 'int'; min?: number; max?: number }
  | { kind: 'bool' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'list' }
  | { kind: 'map' };

const STRING: SettingType = { kind: 'string' };
const BOOL: SettingType = { kind: 'bool' };
const LIST: SettingType = { kind: 'list' };
const REQUEST_RULES: SettingType = {
  kind: 'string',
  check: (value) => {
    const reason = describeInvalidRequestExclusion(value);
    return reason === null ? null : `rules such as e_c==Media,action_name=@privacy. ${reason}`;
  },
};
const int = (min?: number, max?: number): SettingType => ({ kind: 'int', min, max });
const oneOf = (...values: string[]): SettingType => ({ kind: 'enum', values });

/**
 * Setting types by section and key. Keys that are not listed are kept and readable as
 * strings, because operators carry Matomo keys over that Footfall does not use.
 * `[Tracker_<idSite>]` and `[General_<idSite>]` sections use the types of their base section.
 */
export const SETTING_TYPES: Record<string, Record<string, SettingType>> = {
  database: {
    adapter: oneOf('sqlite', 'mysql', 'pgsql'),
    host: STRING,
    port: int(0, 65535),
    username: STRING,
    password: STRING,
    dbname: STRING,
    tables_prefix: STRING,
    sqlite_file: STRING,
    sqlite_busy_timeout: int(0, 3600),
    enable_ssl: BOOL,
  },
  database_admin_mysql: { host: STRING, port: int(1, 65535), username: STRING, password: STRING, tenant_user_host: STRING },
  database_admin_pgsql: { host: STRING, port: int(1, 65535), username: STRING, password: STRING, dbname: STRING },
  General: {
    salt: STRING,
    instance_id: STRING,
    trusted_hosts: LIST,
    proxy_host_headers: LIST,
    proxy_client_headers: LIST,
    proxy_ips: LIST,
    max_open_tenant_databases: int(1, 1_000_000),
    tenant_database_idle_seconds: int(1),
    tenant_disabled: BOOL,
    enabled_periods_API: STRING,
    API_datatable_default_limit: int(-1),
    time_before_today_archive_considered_outdated: int(0),
    enable_browser_archiving_triggering: BOOL,
    only_allow_secure_auth_tokens: BOOL,
    default_timezone: STRING,
    default_currency: STRING,
    password_hash_cost: int(4, 15),
    login_session_lifetime_seconds: int(60),
    login_max_failures: int(1),
    login_failure_window_seconds: int(1),
    default_period: oneOf('day', 'week', 'month', 'year'),
    default_day: oneOf('today', 'yesterday'),
  },
  Tracker: {
    record_statistics: BOOL,
    visit_standard_length: int(1),
    window_look_back_for_visitor: int(0),
    create_new_visit_after_midnight: BOOL,
    create_new_visit_when_campaign_changes: BOOL,
    create_new_visit_when_website_referrer_changes: BOOL,
    create_new_visit_after_x_actions: int(0),
    enable_userid_overwrites_visitorid: BOOL,
    trust_visitors_cookies: BOOL,
    tracking_requests_require_authentication: BOOL,
    tracking_requests_require_authentication_when_custom_timestamp_newer_than: int(0),
    bulk_requests_require_authentication: BOOL,
    ip_address_mask_length: int(0, 4),
    campaign_var_name: STRING,
    campaign_keyword_var_name: STRING,
    geolocation_database: STRING,
    honor_do_not_track: BOOL,
    use_anonymized_ip_for_visit_enrichment: BOOL,
    write_batch_ms: int(0, 1000),
    write_batch_max_hits: int(1, 100_000),
    visit_cache_size: int(0, 10_000_000),
    exclude_requests: REQUEST_RULES,
  },
  CustomJsTracker: {
    cache_max_age: int(0),
    disable_cookies: BOOL,
    do_not_track: BOOL,
    require_consent: BOOL,
    require_cookie_consent: BOOL,
    heartbeat_seconds: int(0, 3600),
    cookie_domain: STRING,
    download_extensions: STRING,
  },
  QueuedTracking: {
    enabled: BOOL,
    host: STRING,
    port: int(1, 65535),
    database: int(0, 1_000_000),
    password: STRING,
    key_prefix: STRING,
    queues: int(1, 1024),
    batch_size: int(1, 10_000),
    lock_ms: int(1000, 3_600_000),
    in_server_worker: BOOL,
    in_server_worker_interval_ms: int(10, 600_000),
  },
  Deletelogs: {
    delete_logs_enable: BOOL,
    // 100 years at most, so the horizon stays a date the time columns can hold.
    delete_logs_older_than: int(1, 36_500),
    delete_logs_schedule_lowest_interval: int(1),
    // At most the largest 32-bit signed integer, a LIMIT that every engine accepts.
    delete_logs_max_rows_per_query: int(1, 2_147_483_647),
  },
  log: { log_level: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace') },
};

const TRUE_WORDS = new Set(['1', 'true', 'on', 'yes']);
const FALSE_WORDS = new Set(['0', 'false', 'off', 'no', 'none', '']);

/** Returns the types of a section, using the base section's for `[Tracker_3]` and `[General_3]`. */
export function getSectionTypes(section: string): Record<string, SettingType> | undefined {
  const perSite = /^(Tracker|General)_[0-9]+$/.exec(section);
  return SETTING_TYPES[perSite ? perSite[1]! : section];
}

/** Parses a boolean as PHP's INI reader does (1/0, true/false, on/off, yes/no); undefined when it is none. */
export function parseBoolSetting(value: string): boolean | undefined {
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}

/** Returns what a value of this type must look like, for error messages; null when `value` fits. */
export function describeMismatch(type: SettingType, value: unknown): string | null {
  switch (type.kind) {
    case 'string':
      if (typeof value !== 'string') return 'a single value, not a list';
      return type.check ? type.check(value) : null;
    case 'bool':
      return typeof value === 'string' && parseBoolSetting(value) !== undefined ? null : '1 or 0';
    case 'enum':
      return typeof value === 'string' && type.values.includes(value) ? null : `one of ${type.values.join(', ')}`;
    case 'list':
      return Array.isArray(value) ? null : 'a list written as key[] = value';
    case 'map':
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? null : 'a map written as key[name] = value';
    case 'int':
      return describeIntMismatch(type, value);
  }
}

function describeIntMismatch(type: { min?: number; max?: number }, value: unknown): string | null {
  const range = type.min !== undefined && type.max !== undefined
    ? `a whole number from ${type.min} to ${type.max}`
    : type.min !== undefined ? `a whole number of at least ${type.min}` : 'a whole number';
  if (typeof value !== 'string' || !/^-?[0-9]+$/.test(value.trim())) return range;
  const number = Number(value);
  if (type.min !== undefined && number < type.min) return range;
  if (type.max !== undefined && number > type.max) return range;
  return null;
}
