/** Factories of log rows (visits, actions, log_action strings, conversions) for archiving tests. */
import { crc32 } from 'node:zlib';
import type { Insertable, Kysely } from 'kysely';
import { insertReturningId } from '../../src/db/insert-id.js';
import type { Database, LogConversionTable, LogLinkVisitActionTable, LogVisitTable } from '../../src/db/schema.js';

/** Overrides of a visit row; times are UTC 'YYYY-MM-DD HH:MM:SS'. */
export type VisitOverrides = Partial<Insertable<LogVisitTable>> & { idsite: number };

const URL_PREFIXES: readonly [string, number][] = [['https://www.', 3], ['http://www.', 1], ['https://', 2], ['http://', 0]];

/**
 * Column values of a default visit: one direct desktop visit of one action, Firefox on Windows
 * from France. The benchmarks generate their visits from it too.
 */
export const DEFAULT_VISIT_COLUMNS = {
  idvisitor: '0123456789abcdef', config_id: 'fedcba9876543210', location_ip: '192.0.2.0', user_id: null,
  visit_entry_idaction_url: null, visit_entry_idaction_name: null, visit_exit_idaction_url: null, visit_exit_idaction_name: null,
  visit_total_actions: 1, visit_total_interactions: 1, visit_total_searches: 0, visit_total_events: 0, visit_total_time: 0,
  visit_goal_converted: 0, visit_goal_buyer: 0, visitor_returning: 0, visitor_count_visits: 1, visitor_seconds_since_last: null,
  visitor_seconds_since_first: null, visitor_seconds_since_order: null, visitor_localtime: null,
  referer_type: 1, referer_name: null, referer_keyword: null, referer_url: null,
  config_os: 'WIN', config_os_version: '10', config_browser_name: 'FF', config_browser_version: '125.0', config_browser_engine: 'Gecko',
  config_client_type: 1, config_device_type: 0, config_device_brand: null, config_device_model: null, config_resolution: '1920x1080',
  config_cookie: 1, config_flash: 0, config_java: 0, config_pdf: 1, config_quicktime: 0, config_realplayer: 0, config_silverlight: 0, config_windowsmedia: 0,
  location_browser_lang: 'en', location_country: 'fr', location_region: null, location_city: null, location_latitude: null, location_longitude: null,
  profilable: 1,
  campaign_name: null, campaign_keyword: null, campaign_source: null, campaign_medium: null, campaign_content: null, campaign_id: null, campaign_group: null, campaign_placement: null,
  custom_var_k1: null, custom_var_v1: null, custom_var_k2: null, custom_var_v2: null, custom_var_k3: null, custom_var_v3: null,
  custom_var_k4: null, custom_var_v4: null, custom_var_k5: null, custom_var_v5: null,
  custom_dimension_1: null, custom_dimension_2: null, custom_dimension_3: null, custom_dimension_4: null, custom_dimension_5: null,
} satisfies Omit<Insertable<LogVisitTable>, 'idsite' | 'visit_first_action_time' | 'visit_last_action_time'>;

/** Inserts a visit, defaulting to one direct desktop visit of one action at 2024-05-01 10:00:00 UTC. Returns its idvisit. */
export async function createVisit(db: Kysely<Database>, overrides: VisitOverrides): Promise<number> {
  const row: Insertable<LogVisitTable> = {
    ...DEFAULT_VISIT_COLUMNS,
    visit_first_action_time: overrides.visit_last_action_time ?? '2024-05-01 10:00:00',
    visit_last_action_time: '2024-05-01 10:00:00',
    ...overrides,
  };
  return insertReturningId<Database, 'log_visit'>(db, db.insertInto('log_visit').values(row), 'idvisit');
}

/**
 * Returns the id of a log_action string, inserting it when new. URLs (type 1, 2, 3) are
 * stored without their scheme and www, as `url_prefix` encodes them.
 */
export async function ensureLogAction(db: Kysely<Database>, name: string, type: number): Promise<number> {
  let stored = name;
  let urlPrefix: number | null = null;
  const prefix = type <= 3 ? URL_PREFIXES.find(([text]) => name.startsWith(text)) : undefined;
  if (prefix) {
    stored = name.slice(prefix[0].length);
    urlPrefix = prefix[1];
  }
  const existing = await db.selectFrom('log_action').select('idaction').where('type', '=', type).where('name', '=', stored)
    .where('url_prefix', urlPrefix === null ? 'is' : '=', urlPrefix).executeTakeFirst();
  if (existing) return Number(existing.idaction);
  return insertReturningId<Database, 'log_action'>(db, db.insertInto('log_action').values({ name: stored, hash: crc32(stored), type, url_prefix: urlPrefix }), 'idaction');
}

/** What an action row needs besides its visit; `url` and `title` become log_action strings. */
export interface ActionOverrides extends Partial<Insertable<LogLinkVisitActionTable>> {
  idvisit: number;
  idsite: number;
  server_time: string;
  url?: string;
  title?: string;
  /** log_action type of `url`: 1 page (default), 2 outlink, 3 download. */
  urlType?: number;
  eventCategory?: string;
  eventAction?: string;
  eventName?: string;
}

/** Inserts an action of a visit and returns its idlink_va. Without event or download overrides it is a pageview. */
export async function createAction(db: Kysely<Database>, overrides: ActionOverrides): Promise<number> {
  const { url, title, urlType, eventCategory, eventAction, eventName, ...columns } = overrides;
  const row: Insertable<LogLinkVisitActionTable> = {
    idvisitor: '0123456789abcdef',
    idaction_url: url === undefined ? null : await ensureLogAction(db, url, urlType ?? 1),
    idaction_name: eventName !== undefined ? await ensureLogAction(db, eventName, 12) : title === undefined ? null : await ensureLogAction(db, title, 4),
    idaction_event_category: eventCategory === undefined ? null : await ensureLogAction(db, eventCategory, 10),
    idaction_event_action: eventAction === undefined ? null : await ensureLogAction(db, eventAction, 11),
    time_spent: null,
    ...columns,
  };
  return insertReturningId<Database, 'log_link_visit_action'>(db, db.insertInto('log_link_visit_action').values(row), 'idlink_va');
}

/** Inserts a goal conversion of a visit. */
export async function createConversion(db: Kysely<Database>, overrides: Partial<Insertable<LogConversionTable>> & { idvisit: number; idsite: number; idgoal: number; server_time: string }): Promise<void> {
  await db.insertInto('log_conversion').values({
    idvisitor: '0123456789abcdef', idaction_url: null, idlink_va: null, buster: 0, idorder: null, items: null, url: '',
    revenue: null, revenue_subtotal: null, revenue_tax: null, revenue_shipping: null, revenue_discount: null, pageviews_before: null,
    visitor_days_since_first: null, referer_type: 1, referer_name: null, referer_keyword: null, referer_url: null,
    location_country: null, location_region: null, location_city: null, location_latitude: null, location_longitude: null,
    visitor_returning: 0, visitor_count_visits: 1, visitor_seconds_since_first: null, visitor_seconds_since_order: null,
    config_os: null, config_browser_name: null, config_device_type: null,
    campaign_name: null, campaign_keyword: null, campaign_source: null, campaign_medium: null, campaign_content: null, campaign_id: null, campaign_group: null, campaign_placement: null,
    ...overrides,
  }).execute();
}
