/** The columns of a new `log_visit` row and the visit columns a conversion copies. */
import type { Insertable } from 'kysely';
import type { LogVisitTable, VisitDimensionColumns } from '../db/schema.js';
import { formatUtcDateTime } from '../time.js';
import type { EnrichedHit } from './hit.js';
import { parseCustomDimensions, parseCustomVariables } from './parse-action.js';
import type { TrackedCustomDimension } from './site-cache.js';
import { readUserId } from './user-id.js';
import type { VisitState } from './visit-state.js';

/** `visitor_returning` values: 0 new, 1 returning, 2 returning customer, as Matomo stores them. */
const VISITOR_RETURNING = { new: 0, returning: 1, returningCustomer: 2 } as const;
/** `visit_goal_buyer` bits of a visit with an order. */
const BUYER_ORDERED = 1;

/** Builds the visit-scope columns shared by a visit row and its conversions. */
export function buildVisitDimensions(hit: EnrichedHit, previous: VisitState | null): VisitDimensionColumns {
  const campaign = hit.referrer.campaign;
  const returning = previous === null ? VISITOR_RETURNING.new
    : (previous.goalBuyer & BUYER_ORDERED) !== 0 ? VISITOR_RETURNING.returningCustomer : VISITOR_RETURNING.returning;
  return {
    referer_type: hit.referrer.type, referer_name: hit.referrer.name?.slice(0, 255) ?? null,
    referer_keyword: hit.referrer.keyword?.slice(0, 255) ?? null, referer_url: hit.referrer.url,
    location_country: hit.location.country, location_region: hit.location.region, location_city: hit.location.city,
    location_latitude: hit.location.latitude, location_longitude: hit.location.longitude,
    visitor_returning: returning,
    visitor_count_visits: previous === null ? 1 : previous.visitorCountVisits + 1,
    visitor_seconds_since_first: previous === null ? 0
      : previous.visitorSecondsSinceFirst + Math.max(0, Math.round((hit.time.getTime() - previous.firstActionTime) / 1000)),
    visitor_seconds_since_order: null,
    config_os: hit.device.os, config_browser_name: hit.device.browserName, config_device_type: hit.device.deviceType,
    campaign_name: campaign?.name.slice(0, 255) ?? null, campaign_keyword: campaign?.keyword?.slice(0, 255) ?? null,
    campaign_source: campaign?.source?.slice(0, 255) ?? null, campaign_medium: campaign?.medium?.slice(0, 255) ?? null,
    campaign_content: campaign?.content?.slice(0, 255) ?? null, campaign_id: campaign?.id?.slice(0, 100) ?? null,
    campaign_group: null, campaign_placement: null,
  };
}

/**
 * Returns the visitor's local time from `h`, `m` and `s`, as Matomo 5 reads them: a part that
 * is missing or not a whole number takes the hit's UTC time, and a part out of range becomes 0.
 */
function localTime(hit: EnrichedHit): string {
  const fallback = [hit.time.getUTCHours(), hit.time.getUTCMinutes(), hit.time.getUTCSeconds()];
  const limits = [23, 59, 59];
  return ['h', 'm', 's'].map((name, index) => {
    const text = hit.params.get(name);
    let value = text !== undefined && /^-?[0-9]{1,9}$/.test(text) ? Number(text) : fallback[index]!;
    if (value < 0 || value > limits[index]!) value = 0;
    return String(value).padStart(2, '0');
  }).join(':');
}

function flag(hit: EnrichedHit, name: string): number {
  return hit.params.flag(name) ? 1 : 0;
}

/** Builds the row of a new visit started by `hit`; totals start at zero and are set by the writer. */
export function buildVisitRow(
  hit: EnrichedHit, previous: VisitState | null, idvisitor: string, dimensions: readonly TrackedCustomDimension[],
): Insertable<LogVisitTable> {
  const time = formatUtcDateTime(hit.time);
  const resolution = hit.params.get('res');
  const customVariables = parseCustomVariables(hit.params, '_cvar');
  const customDimensions = parseCustomDimensions(hit.params, dimensions, 'visit');
  const shared = buildVisitDimensions(hit, previous);
  // The row is one literal with every column. A spread of the dimensions followed by more
  // columns made V8 create a hidden class per added property (0.24 ms per row on Node 20), and
  // an Object.assign of this many properties leaves the row in slow dictionary mode.
  const row: Insertable<LogVisitTable> = {
    referer_type: shared.referer_type, referer_name: shared.referer_name, referer_keyword: shared.referer_keyword, referer_url: shared.referer_url,
    location_country: shared.location_country, location_region: shared.location_region, location_city: shared.location_city,
    location_latitude: shared.location_latitude, location_longitude: shared.location_longitude,
    visitor_returning: shared.visitor_returning, visitor_count_visits: shared.visitor_count_visits,
    visitor_seconds_since_first: shared.visitor_seconds_since_first, visitor_seconds_since_order: shared.visitor_seconds_since_order,
    config_os: shared.config_os, config_browser_name: shared.config_browser_name, config_device_type: shared.config_device_type,
    campaign_name: shared.campaign_name, campaign_keyword: shared.campaign_keyword, campaign_source: shared.campaign_source,
    campaign_medium: shared.campaign_medium, campaign_content: shared.campaign_content, campaign_id: shared.campaign_id,
    campaign_group: shared.campaign_group, campaign_placement: shared.campaign_placement,
    idsite: hit.siteId, idvisitor, config_id: hit.configId, location_ip: hit.maskedIp,
    user_id: readUserId(hit.params),
    visit_first_action_time: time, visit_last_action_time: time,
    visit_entry_idaction_url: null, visit_entry_idaction_name: null, visit_exit_idaction_url: null, visit_exit_idaction_name: null,
    visit_total_actions: 0, visit_total_interactions: 0, visit_total_searches: 0, visit_total_events: 0, visit_total_time: 0,
    visit_goal_converted: 0, visit_goal_buyer: 0,
    visitor_seconds_since_last: previous === null ? null : Math.max(0, Math.round((hit.time.getTime() - previous.lastActionTime) / 1000)),
    visitor_localtime: localTime(hit),
    config_os_version: hit.device.osVersion?.slice(0, 100) ?? null, config_browser_version: hit.device.browserVersion?.slice(0, 20) ?? null,
    config_browser_engine: hit.device.browserEngine?.slice(0, 10) ?? null, config_client_type: hit.device.clientType,
    config_device_brand: hit.device.deviceBrand?.slice(0, 100) ?? null, config_device_model: hit.device.deviceModel?.slice(0, 100) ?? null,
    // Matomo 5 stores the first 9 characters of any `res` as sent, so a malformed one shows as sent in reports.
    config_resolution: resolution?.slice(0, 9) ?? null,
    config_cookie: flag(hit, 'cookie'), config_flash: flag(hit, 'fla'), config_java: flag(hit, 'java'), config_pdf: flag(hit, 'pdf'),
    config_quicktime: flag(hit, 'qt'), config_realplayer: flag(hit, 'realp'), config_silverlight: flag(hit, 'ag'), config_windowsmedia: flag(hit, 'wma'),
    location_browser_lang: hit.browserLanguage || null,
    profilable: hit.requestedVisitorId !== null ? 1 : 0,
  };
  for (const variable of customVariables) {
    Object.assign(row, { [`custom_var_k${variable.index}`]: variable.name, [`custom_var_v${variable.index}`]: variable.value });
  }
  for (const [index, value] of customDimensions) Object.assign(row, { [`custom_dimension_${index}`]: value });
  return row;
}
