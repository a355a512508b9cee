/**
 * Table types of a tenant database, for Kysely. Names follow Matomo's schema so that its
 * operators recognise the tables; every name gets the tenant's `tables_prefix` when queried.
 *
 * Times are UTC text 'YYYY-MM-DD HH:MM:SS' and days are 'YYYY-MM-DD', because that form
 * sorts correctly and reads back identically from SQLite, MariaDB and PostgreSQL drivers.
 * Visitor ids and config ids are 16 hex characters rather than Matomo's BINARY(8), for the
 * same reason.
 */
import type { Generated } from 'kysely';

/** A tracked website or app (`matomo_site`). */
export interface SiteTable {
  idsite: Generated<number>;
  name: string;
  main_url: string;
  ts_created: string;
  ecommerce: number;
  sitesearch: number;
  sitesearch_keyword_parameters: string;
  sitesearch_category_parameters: string;
  timezone: string;
  currency: string;
  exclude_unknown_urls: number;
  excluded_ips: string;
  excluded_parameters: string;
  excluded_user_agents: string;
  excluded_referrers: string;
  group: string;
  type: string;
  keep_url_fragment: number;
  creator_login: string;
}

/** The URLs of a site besides its main URL. */
export interface SiteUrlTable {
  idsite: number;
  url: string;
}

/** A user of the tenant; superusers see and manage everything. */
export interface UserTable {
  login: string;
  password: string;
  email: string;
  superuser_access: number;
  date_registered: string;
  ts_password_modified: string;
}

/** A role (`view`, `write`, `admin`) of one user on one site. */
export interface AccessTable {
  idaccess: Generated<number>;
  login: string;
  idsite: number;
  access: string;
}

/** An API token, stored only as a salted SHA-512 hash. */
export interface UserTokenAuthTable {
  idusertokenauth: Generated<number>;
  login: string;
  description: string;
  password: string;
  hash_algo: string;
  system_token: number;
  last_used: string | null;
  date_created: string;
  date_expired: string | null;
  secure_only: number;
}

/** A key/value setting kept in the database. */
export interface OptionTable {
  option_name: string;
  option_value: string;
  autoload: number;
}

/** One applied schema migration; the highest version is the database's schema version. */
export interface MigrationTable {
  version: number;
  name: string;
  applied_at: string;
}

/** A goal of a site. */
export interface GoalTable {
  idsite: number;
  idgoal: number;
  name: string;
  description: string;
  match_attribute: string;
  pattern: string;
  pattern_type: string;
  case_sensitive: number;
  allow_multiple: number;
  revenue: number;
  deleted: number;
  event_value_as_revenue: number;
}

/** A custom dimension of a site, stored in column `custom_dimension_<index>` of its scope's table. */
export interface CustomDimensionTable {
  idcustomdimension: number;
  idsite: number;
  name: string;
  index: number;
  scope: string;
  active: number;
  extractions: string;
  case_sensitive: number;
}

/** The visit-scope columns a visit row and a conversion row share. */
export interface VisitDimensionColumns {
  referer_type: number | null;
  referer_name: string | null;
  referer_keyword: string | null;
  referer_url: string | null;
  location_country: string | null;
  location_region: string | null;
  location_city: string | null;
  location_latitude: number | null;
  location_longitude: number | null;
  visitor_returning: number | null;
  visitor_count_visits: number;
  visitor_seconds_since_first: number | null;
  visitor_seconds_since_order: number | null;
  config_os: string | null;
  config_browser_name: string | null;
  config_device_type: number | null;
  campaign_name: string | null;
  campaign_keyword: string | null;
  campaign_source: string | null;
  campaign_medium: string | null;
  campaign_content: string | null;
  campaign_id: string | null;
  campaign_group: string | null;
  campaign_placement: string | null;
}

/** The five custom variable slots (name and value) and five custom dimension slots that a visit row and an action row both have. */
export interface CustomValueColumns {
  custom_var_k1: string | null;
  custom_var_v1: string | null;
  custom_var_k2: string | null;
  custom_var_v2: string | null;
  custom_var_k3: string | null;
  custom_var_v3: string | null;
  custom_var_k4: string | null;
  custom_var_v4: string | null;
  custom_var_k5: string | null;
  custom_var_v5: string | null;
  custom_dimension_1: string | null;
  custom_dimension_2: string | null;
  custom_dimension_3: string | null;
  custom_dimension_4: string | null;
  custom_dimension_5: string | null;
}

/** One visit, updated while it goes on. */
export interface LogVisitTable extends VisitDimensionColumns, CustomValueColumns {
  idvisit: Generated<number>;
  idsite: number;
  idvisitor: string;
  config_id: string;
  location_ip: string;
  user_id: string | null;
  visit_first_action_time: string;
  visit_last_action_time: string;
  visit_entry_idaction_url: number | null;
  visit_entry_idaction_name: number | null;
  visit_exit_idaction_url: number | null;
  visit_exit_idaction_name: number | null;
  visit_total_actions: number;
  visit_total_interactions: number;
  visit_total_searches: number;
  visit_total_events: number;
  visit_total_time: number;
  visit_goal_converted: number;
  visit_goal_buyer: number;
  visitor_seconds_since_last: number | null;
  visitor_localtime: string | null;
  config_os_version: string | null;
  config_browser_version: string | null;
  config_browser_engine: string | null;
  config_client_type: number | null;
  config_device_brand: string | null;
  config_device_model: string | null;
  config_resolution: string | null;
  config_cookie: number;
  config_flash: number;
  config_java: number;
  config_pdf: number;
  config_quicktime: number;
  config_realplayer: number;
  config_silverlight: number;
  config_windowsmedia: number;
  location_browser_lang: string | null;
  profilable: number;
}

/** One action of a visit: a pageview, download, outlink, site search, event or content interaction. */
export interface LogLinkVisitActionTable extends CustomValueColumns {
  idlink_va: Generated<number>;
  idsite: number;
  idvisitor: string;
  idvisit: number;
  server_time: string;
  idaction_url: number | null;
  idaction_url_ref: number | null;
  idaction_name: number | null;
  idaction_name_ref: number | null;
  idpageview: string | null;
  pageview_position: number | null;
  time_spent_ref_action: number | null;
  time_spent: number | null;
  idaction_event_category: number | null;
  idaction_event_action: number | null;
  idaction_content_name: number | null;
  idaction_content_piece: number | null;
  idaction_content_target: number | null;
  idaction_content_interaction: number | null;
  custom_float: number | null;
  search_cat: string | null;
  search_count: number | null;
  product_price: number | null;
  idaction_product_sku: number | null;
  idaction_product_name: number | null;
  idaction_product_cat: number | null;
  time_network: number | null;
  time_server: number | null;
  time_transfer: number | null;
  time_dom_processing: number | null;
  time_dom_completion: number | null;
  time_on_load: number | null;
}

/**
 * A distinct string used by actions (URL, title, event category, SKU...). `hash` is the
 * CRC32 of `name`, as in Matomo, so lookups use the (type, hash) index; `url_prefix` is
 * 0 http://, 1 http://www., 2 https://, 3 https://www. with the prefix removed from `name`.
 */
export interface LogActionTable {
  idaction: Generated<number>;
  name: string;
  hash: number;
  type: number;
  url_prefix: number | null;
}

/** A goal conversion (idgoal > 0), an e-commerce order (0) or an abandoned cart (-1). */
export interface LogConversionTable extends VisitDimensionColumns {
  idvisit: number;
  idsite: number;
  idvisitor: string;
  server_time: string;
  idaction_url: number | null;
  idlink_va: number | null;
  idgoal: number;
  buster: number;
  idorder: string | null;
  items: number | null;
  url: string;
  revenue: number | null;
  revenue_subtotal: number | null;
  revenue_tax: number | null;
  revenue_shipping: number | null;
  revenue_discount: number | null;
  pageviews_before: number | null;
  visitor_days_since_first: number | null;
}

/** One item of an e-commerce order or cart. */
export interface LogConversionItemTable {
  idsite: number;
  idvisitor: string;
  server_time: string;
  idvisit: number;
  idorder: string;
  idaction_sku: number;
  idaction_name: number;
  idaction_category: number;
  idaction_category2: number;
  idaction_category3: number;
  idaction_category4: number;
  idaction_category5: number;
  price: number;
  quantity: number;
  deleted: number;
}

/**
 * One archive: the metrics and reports of (site, period, dates, segment). `status` is
 * 1 done, 2 in progress, 4 invalidated, as Matomo's done flags. Period is 1 day, 2 week,
 * 3 month, 4 year, 5 range.
 */
export interface ArchiveTable {
  idarchive: Generated<number>;
  idsite: number;
  period: number;
  date1: string;
  date2: string;
  segment_hash: string;
  status: number;
  ts_archived: string;
}

/** A numeric metric of an archive, such as `nb_visits`. */
export interface ArchiveNumericTable {
  idarchive: number;
  name: string;
  value: number;
}

/** A report of an archive, serialised and compressed. */
export interface ArchiveBlobTable {
  idarchive: number;
  name: string;
  value: Buffer;
}

/** A (site, day in the site's time zone) whose logs changed since it was last archived. */
export interface ArchiveInvalidationTable {
  idsite: number;
  date: string;
  /** When tracking last marked the day, UTC 'YYYY-MM-DD HH:MM:SS', or `CLAIMED_MARK` while core:archive archives the day. */
  ts_invalidated: string;
}

/** Hits not recorded, counted per site, day and reason. */
export interface TrackingDropTable {
  idsite: number;
  date: string;
  reason: string;
  count: number;
}

/** A stored segment definition. */
export interface SegmentTable {
  idsegment: Generated<number>;
  name: string;
  definition: string;
  hash: string;
  login: string;
  enable_all_users: number;
  enable_only_idsite: number;
  auto_archive: number;
  ts_created: string;
  ts_last_edit: string;
  deleted: number;
}

/** A named lock with an expiry, used so that two archivers never do the same work. */
export interface LockTable {
  key: string;
  value: string;
  expiry_time: number;
}

/** A dashboard session. */
export interface SessionTable {
  id: string;
  login: string;
  data: string;
  modified: number;
  lifetime: number;
}

/**
 * One failed sign-in, counted per IP address and per login. The IP address is stored only
 * as a salted hash, because the count is all the check needs.
 */
export interface BruteForceLogTable {
  id_brute_force_log: Generated<number>;
  ip_hash: string;
  login: string;
  attempted_at: string;
}

/** Every table of a tenant database, by its unprefixed name. */
/** A Tag Manager container of a site; its id is 8 random letters and digits. */
export interface TagManagerContainerTable {
  idcontainer: string;
  idsite: number;
  context: string;
  name: string;
  description: string;
  created_date: string;
  updated_date: string;
}

/** A version of a container; revision 0 is the draft that the add methods change. */
export interface TagManagerContainerVersionTable {
  idcontainerversion: Generated<number>;
  idcontainer: string;
  idsite: number;
  name: string;
  description: string;
  revision: number;
  created_date: string;
}

/** A tag of a container version; parameters and trigger ids are JSON. */
export interface TagManagerTagTable {
  idtag: Generated<number>;
  idcontainerversion: number;
  idsite: number;
  type: string;
  name: string;
  parameters: string;
  fire_trigger_ids: string;
  block_trigger_ids: string;
  fire_limit: string;
  priority: number;
  created_date: string;
}

/** A trigger of a container version; parameters and conditions are JSON. */
export interface TagManagerTriggerTable {
  idtrigger: Generated<number>;
  idcontainerversion: number;
  idsite: number;
  type: string;
  name: string;
  parameters: string;
  conditions: string;
  created_date: string;
}

/** A variable of a container version; parameters are JSON. */
export interface TagManagerVariableTable {
  idvariable: Generated<number>;
  idcontainerversion: number;
  idsite: number;
  type: string;
  name: string;
  parameters: string;
  default_value: string | null;
  created_date: string;
}

/** A publication of a container version to an environment such as 'live'. */
export interface TagManagerContainerReleaseTable {
  idcontainerrelease: Generated<number>;
  idcontainer: string;
  idcontainerversion: number;
  idsite: number;
  environment: string;
  release_login: string;
  release_date: string;
}

export interface Database {
  site: SiteTable;
  site_url: SiteUrlTable;
  user: UserTable;
  access: AccessTable;
  user_token_auth: UserTokenAuthTable;
  option: OptionTable;
  migration: MigrationTable;
  goal: GoalTable;
  custom_dimensions: CustomDimensionTable;
  log_visit: LogVisitTable;
  log_link_visit_action: LogLinkVisitActionTable;
  log_action: LogActionTable;
  log_conversion: LogConversionTable;
  log_conversion_item: LogConversionItemTable;
  archive: ArchiveTable;
  archive_numeric: ArchiveNumericTable;
  archive_blob: ArchiveBlobTable;
  archive_invalidations: ArchiveInvalidationTable;
  tracking_drop: TrackingDropTable;
  segment: SegmentTable;
  locks: LockTable;
  session: SessionTable;
  brute_force_log: BruteForceLogTable;
  tagmanager_container: TagManagerContainerTable;
  tagmanager_container_version: TagManagerContainerVersionTable;
  tagmanager_tag: TagManagerTagTable;
  tagmanager_trigger: TagManagerTriggerTable;
  tagmanager_variable: TagManagerVariableTable;
  tagmanager_container_release: TagManagerContainerReleaseTable;
}

/** Names of every table, unprefixed; the table-prefix plugin prefixes exactly these. */
export const TABLE_NAMES: readonly (keyof Database)[] = [
  'site', 'site_url', 'user', 'access', 'user_token_auth', 'option', 'migration', 'goal',
  'custom_dimensions', 'log_visit', 'log_link_visit_action', 'log_action', 'log_conversion',
  'log_conversion_item', 'archive', 'archive_numeric', 'archive_blob', 'archive_invalidations',
  'tracking_drop', 'segment', 'locks', 'session',
  'brute_force_log',
  'tagmanager_container', 'tagmanager_container_version', 'tagmanager_tag', 'tagmanager_trigger', 'tagmanager_variable',
  'tagmanager_container_release',
];
