/** The first schema: sites, users, access, tokens, options, log tables and archive tables. */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import {
  autoIdColumn, autoIdType, blobType, createIndex, doubleType, withTableOptions, type MigrationContext,
} from './column-types.js';

type ColumnType = 'int' | 'bigint' | 'double' | 'text' | 'blob' | `varchar(${number})`;

/** A column: name, type, and whether it may be NULL (default: NOT NULL). */
type ColumnSpec = readonly [name: string, type: ColumnType, nullable?: 'null'];

interface TableSpec {
  name: string;
  autoId?: string;
  columns: readonly ColumnSpec[];
  primaryKey?: readonly string[];
}

function columnType(type: ColumnType, context: MigrationContext): RawBuilder<unknown> | 'integer' | 'bigint' | 'text' {
  if (type === 'int') return 'integer';
  if (type === 'bigint') return 'bigint';
  if (type === 'text') return 'text';
  if (type === 'double') return doubleType(context);
  if (type === 'blob') return blobType(context);
  return sql.raw(type);
}

async function createTable(db: Kysely<any>, context: MigrationContext, spec: TableSpec): Promise<void> {
  let builder = db.schema.createTable(spec.name);
  if (spec.autoId) builder = builder.addColumn(spec.autoId, autoIdType(context), autoIdColumn(context));
  for (const [name, type, nullable] of spec.columns) {
    builder = builder.addColumn(name, columnType(type, context), (column) => (nullable ? column : column.notNull()));
  }
  if (spec.primaryKey) builder = builder.addPrimaryKeyConstraint(`${context.tablesPrefix}${spec.name}_pk`, spec.primaryKey as never[]);
  await withTableOptions(builder, context).execute();
}

const VISIT_DIMENSION_COLUMNS: readonly ColumnSpec[] = [
  ['referer_type', 'int', 'null'], ['referer_name', 'varchar(255)', 'null'], ['referer_keyword', 'varchar(255)', 'null'],
  ['referer_url', 'text', 'null'], ['location_country', 'varchar(3)', 'null'], ['location_region', 'varchar(3)', 'null'],
  ['location_city', 'varchar(255)', 'null'], ['location_latitude', 'double', 'null'], ['location_longitude', 'double', 'null'],
  ['visitor_returning', 'int', 'null'], ['visitor_count_visits', 'int'], ['visitor_seconds_since_first', 'bigint', 'null'],
  ['visitor_seconds_since_order', 'bigint', 'null'], ['config_os', 'varchar(3)', 'null'], ['config_browser_name', 'varchar(40)', 'null'],
  ['config_device_type', 'int', 'null'], ['campaign_name', 'varchar(255)', 'null'], ['campaign_keyword', 'varchar(255)', 'null'],
  ['campaign_source', 'varchar(255)', 'null'], ['campaign_medium', 'varchar(255)', 'null'], ['campaign_content', 'varchar(255)', 'null'],
  ['campaign_id', 'varchar(100)', 'null'], ['campaign_group', 'varchar(255)', 'null'], ['campaign_placement', 'varchar(255)', 'null'],
];

const CUSTOM_VARIABLE_COLUMNS: readonly ColumnSpec[] = [1, 2, 3, 4, 5].flatMap((index): ColumnSpec[] => [
  [`custom_var_k${index}`, 'varchar(200)', 'null'], [`custom_var_v${index}`, 'varchar(200)', 'null'],
]);

const CUSTOM_DIMENSION_COLUMNS: readonly ColumnSpec[] = [1, 2, 3, 4, 5].map((index): ColumnSpec => [`custom_dimension_${index}`, 'varchar(255)', 'null']);

const CONFIG_FLAG_COLUMNS: readonly ColumnSpec[] = ['cookie', 'flash', 'java', 'pdf', 'quicktime', 'realplayer', 'silverlight', 'windowsmedia']
  .map((flag): ColumnSpec => [`config_${flag}`, 'int']);

const TABLES: readonly TableSpec[] = [
  { name: 'option', columns: [['option_name', 'varchar(191)'], ['option_value', 'text'], ['autoload', 'int']], primaryKey: ['option_name'] },
  {
    name: 'site', autoId: 'idsite', columns: [
      ['name', 'varchar(90)'], ['main_url', 'varchar(255)'], ['ts_created', 'varchar(19)'], ['ecommerce', 'int'], ['sitesearch', 'int'],
      ['sitesearch_keyword_parameters', 'text'], ['sitesearch_category_parameters', 'text'], ['timezone', 'varchar(50)'],
      ['currency', 'varchar(3)'], ['exclude_unknown_urls', 'int'], ['excluded_ips', 'text'], ['excluded_parameters', 'text'],
      ['excluded_user_agents', 'text'], ['excluded_referrers', 'text'], ['group', 'varchar(250)'], ['type', 'varchar(255)'],
      ['keep_url_fragment', 'int'], ['creator_login', 'varchar(100)'],
    ],
  },
  { name: 'site_url', columns: [['idsite', 'int'], ['url', 'varchar(190)']], primaryKey: ['idsite', 'url'] },
  {
    name: 'user', columns: [
      ['login', 'varchar(100)'], ['password', 'varchar(255)'], ['email', 'varchar(100)'], ['superuser_access', 'int'],
      ['date_registered', 'varchar(19)'], ['ts_password_modified', 'varchar(19)'],
    ], primaryKey: ['login'],
  },
  { name: 'access', autoId: 'idaccess', columns: [['login', 'varchar(100)'], ['idsite', 'int'], ['access', 'varchar(50)']] },
  {
    name: 'user_token_auth', autoId: 'idusertokenauth', columns: [
      ['login', 'varchar(100)'], ['description', 'varchar(100)'], ['password', 'varchar(191)'], ['hash_algo', 'varchar(30)'],
      ['system_token', 'int'], ['last_used', 'varchar(19)', 'null'], ['date_created', 'varchar(19)'],
      ['date_expired', 'varchar(19)', 'null'], ['secure_only', 'int'],
    ],
  },
  {
    name: 'goal', columns: [
      ['idsite', 'int'], ['idgoal', 'int'], ['name', 'varchar(50)'], ['description', 'varchar(255)'], ['match_attribute', 'varchar(20)'],
      ['pattern', 'varchar(255)'], ['pattern_type', 'varchar(25)'], ['case_sensitive', 'int'], ['allow_multiple', 'int'],
      ['revenue', 'double'], ['deleted', 'int'], ['event_value_as_revenue', 'int'],
    ], primaryKey: ['idsite', 'idgoal'],
  },
  {
    name: 'custom_dimensions', columns: [
      ['idcustomdimension', 'int'], ['idsite', 'int'], ['name', 'varchar(100)'], ['index', 'int'], ['scope', 'varchar(10)'],
      ['active', 'int'], ['extractions', 'text'], ['case_sensitive', 'int'],
    ], primaryKey: ['idcustomdimension', 'idsite'],
  },
  {
    name: 'log_visit', autoId: 'idvisit', columns: [
      ['idsite', 'int'], ['idvisitor', 'varchar(16)'], ['config_id', 'varchar(16)'], ['location_ip', 'varchar(45)'],
      ['user_id', 'varchar(200)', 'null'], ['visit_first_action_time', 'varchar(19)'], ['visit_last_action_time', 'varchar(19)'],
      ['visit_entry_idaction_url', 'bigint', 'null'], ['visit_entry_idaction_name', 'bigint', 'null'],
      ['visit_exit_idaction_url', 'bigint', 'null'], ['visit_exit_idaction_name', 'bigint', 'null'],
      ['visit_total_actions', 'int'], ['visit_total_interactions', 'int'], ['visit_total_searches', 'int'], ['visit_total_events', 'int'],
      ['visit_total_time', 'int'], ['visit_goal_converted', 'int'], ['visit_goal_buyer', 'int'],
      ['visitor_seconds_since_last', 'bigint', 'null'], ['visitor_localtime', 'varchar(8)', 'null'],
      ['config_os_version', 'varchar(100)', 'null'], ['config_browser_version', 'varchar(20)', 'null'],
      ['config_browser_engine', 'varchar(10)', 'null'], ['config_client_type', 'int', 'null'],
      ['config_device_brand', 'varchar(100)', 'null'], ['config_device_model', 'varchar(100)', 'null'],
      ['config_resolution', 'varchar(18)', 'null'], ...CONFIG_FLAG_COLUMNS, ['location_browser_lang', 'varchar(20)', 'null'],
      ['profilable', 'int'], ...VISIT_DIMENSION_COLUMNS, ...CUSTOM_VARIABLE_COLUMNS, ...CUSTOM_DIMENSION_COLUMNS,
    ],
  },
  {
    name: 'log_link_visit_action', autoId: 'idlink_va', columns: [
      ['idsite', 'int'], ['idvisitor', 'varchar(16)'], ['idvisit', 'bigint'], ['server_time', 'varchar(19)'],
      ['idaction_url', 'bigint', 'null'], ['idaction_url_ref', 'bigint', 'null'], ['idaction_name', 'bigint', 'null'],
      ['idaction_name_ref', 'bigint', 'null'], ['idpageview', 'varchar(6)', 'null'], ['pageview_position', 'int', 'null'],
      ['time_spent_ref_action', 'int', 'null'], ['time_spent', 'int', 'null'], ['idaction_event_category', 'bigint', 'null'],
      ['idaction_event_action', 'bigint', 'null'], ['idaction_content_name', 'bigint', 'null'], ['idaction_content_piece', 'bigint', 'null'],
      ['idaction_content_target', 'bigint', 'null'], ['idaction_content_interaction', 'bigint', 'null'], ['custom_float', 'double', 'null'],
      ['search_cat', 'varchar(200)', 'null'], ['search_count', 'int', 'null'], ['product_price', 'double', 'null'],
      ['idaction_product_sku', 'bigint', 'null'], ['idaction_product_name', 'bigint', 'null'], ['idaction_product_cat', 'bigint', 'null'],
      ['time_network', 'int', 'null'], ['time_server', 'int', 'null'], ['time_transfer', 'int', 'null'],
      ['time_dom_processing', 'int', 'null'], ['time_dom_completion', 'int', 'null'], ['time_on_load', 'int', 'null'],
      ...CUSTOM_VARIABLE_COLUMNS, ...CUSTOM_DIMENSION_COLUMNS,
    ],
  },
  {
    name: 'log_action', autoId: 'idaction', columns: [
      ['name', 'text'], ['hash', 'bigint'], ['type', 'int'], ['url_prefix', 'int', 'null'],
    ],
  },
  {
    name: 'log_conversion', columns: [
      ['idvisit', 'bigint'], ['idsite', 'int'], ['idvisitor', 'varchar(16)'], ['server_time', 'varchar(19)'],
      ['idaction_url', 'bigint', 'null'], ['idlink_va', 'bigint', 'null'], ['idgoal', 'int'], ['buster', 'bigint'],
      ['idorder', 'varchar(100)', 'null'], ['items', 'int', 'null'], ['url', 'text'], ['revenue', 'double', 'null'],
      ['revenue_subtotal', 'double', 'null'], ['revenue_tax', 'double', 'null'], ['revenue_shipping', 'double', 'null'],
      ['revenue_discount', 'double', 'null'], ['pageviews_before', 'int', 'null'], ['visitor_days_since_first', 'int', 'null'],
      ...VISIT_DIMENSION_COLUMNS,
    ], primaryKey: ['idvisit', 'idgoal', 'buster'],
  },
  {
    name: 'log_conversion_item', columns: [
      ['idsite', 'int'], ['idvisitor', 'varchar(16)'], ['server_time', 'varchar(19)'], ['idvisit', 'bigint'], ['idorder', 'varchar(100)'],
      ['idaction_sku', 'bigint'], ['idaction_name', 'bigint'], ['idaction_category', 'bigint'], ['idaction_category2', 'bigint'],
      ['idaction_category3', 'bigint'], ['idaction_category4', 'bigint'], ['idaction_category5', 'bigint'], ['price', 'double'],
      ['quantity', 'int'], ['deleted', 'int'],
    ], primaryKey: ['idvisit', 'idorder', 'idaction_sku'],
  },
  {
    name: 'archive', autoId: 'idarchive', columns: [
      ['idsite', 'int'], ['period', 'int'], ['date1', 'varchar(10)'], ['date2', 'varchar(10)'], ['segment_hash', 'varchar(32)'],
      ['status', 'int'], ['ts_archived', 'varchar(19)'],
    ],
  },
  { name: 'archive_numeric', columns: [['idarchive', 'bigint'], ['name', 'varchar(190)'], ['value', 'double']], primaryKey: ['idarchive', 'name'] },
  { name: 'archive_blob', columns: [['idarchive', 'bigint'], ['name', 'varchar(190)'], ['value', 'blob']], primaryKey: ['idarchive', 'name'] },
  { name: 'archive_invalidations', columns: [['idsite', 'int'], ['date', 'varchar(10)'], ['ts_invalidated', 'varchar(19)']], primaryKey: ['idsite', 'date'] },
  {
    name: 'tracking_drop', columns: [['idsite', 'int'], ['date', 'varchar(10)'], ['reason', 'varchar(40)'], ['count', 'bigint']],
    primaryKey: ['idsite', 'date', 'reason'],
  },
  {
    name: 'segment', autoId: 'idsegment', columns: [
      ['name', 'varchar(255)'], ['definition', 'text'], ['hash', 'varchar(32)'], ['login', 'varchar(100)'], ['enable_all_users', 'int'],
      ['enable_only_idsite', 'int'], ['auto_archive', 'int'], ['ts_created', 'varchar(19)'], ['ts_last_edit', 'varchar(19)'], ['deleted', 'int'],
    ],
  },
  { name: 'locks', columns: [['key', 'varchar(70)'], ['value', 'varchar(255)'], ['expiry_time', 'bigint']], primaryKey: ['key'] },
  {
    name: 'session', columns: [['id', 'varchar(191)'], ['login', 'varchar(100)'], ['data', 'text'], ['modified', 'bigint'], ['lifetime', 'bigint']],
    primaryKey: ['id'],
  },
];

const INDEXES: readonly [table: string, name: string, columns: string[], unique?: boolean][] = [
  ['user', 'email', ['email'], true],
  ['access', 'login_idsite', ['login', 'idsite']],
  ['user_token_auth', 'password', ['password'], true],
  ['log_visit', 'idsite_config_datetime', ['idsite', 'config_id', 'visit_last_action_time']],
  ['log_visit', 'idsite_datetime', ['idsite', 'visit_last_action_time']],
  ['log_visit', 'idsite_idvisitor_time', ['idsite', 'idvisitor', 'visit_last_action_time']],
  ['log_link_visit_action', 'idvisit', ['idvisit']],
  ['log_link_visit_action', 'idsite_servertime', ['idsite', 'server_time']],
  ['log_action', 'type_hash', ['type', 'hash']],
  ['log_conversion', 'idsite_idorder', ['idsite', 'idorder'], true],
  ['log_conversion', 'idsite_datetime', ['idsite', 'server_time']],
  ['archive', 'idsite_dates_period', ['idsite', 'period', 'date1', 'date2', 'segment_hash']],
  ['archive', 'period_archived', ['period', 'ts_archived']],
];

/** Creates every table and index of the first schema. */
export async function up(db: Kysely<any>, context: MigrationContext): Promise<void> {
  for (const table of TABLES) await createTable(db, context, table);
  for (const [table, name, columns, unique] of INDEXES) await createIndex(db, context, table, name, columns, unique);
}
