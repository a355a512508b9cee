/** Building Matomo's `Live.getLastVisitsDetails` rows from the log tables. */
import type { Kysely, Selectable } from 'kysely';
import type { ApiObject, ApiValue } from '../../api/api-value.js';
import { splitIntoChunks } from '../../db/chunks.js';
import type { Database, LogConversionTable, LogLinkVisitActionTable, LogVisitTable } from '../../db/schema.js';
import type { SiteRecord } from '../../sites/site-store.js';
import { joinUrlPrefix } from '../../tracking/page-url.js';
import { formatSiteDateTime } from '../../tracking/site-time.js';
import { parseUtcDateTime } from '../../time.js';
import { browserFamily, browserName, deviceTypeName, operatingSystemName } from './device-names.js';

/** Referrer type keys and names by `referer_type`, as Live shows them. */
const REFERRER_TYPES: Readonly<Record<number, [key: string, name: string]>> = {
  1: ['direct', 'Direct Entry'], 2: ['search', 'Search Engines'], 3: ['website', 'Websites'], 6: ['campaign', 'Campaigns'], 7: ['social', 'Social Networks'],
};
const VISITOR_TYPES = ['new', 'returning', 'returningCustomer'] as const;
const ECOMMERCE_STATUS = ['none', 'ordered', 'abandonedCart', 'orderedThenAbandonedCart'] as const;
const COUNTRY_NAMES = new Intl.DisplayNames(['en'], { type: 'region' });
const LANGUAGE_NAMES = new Intl.DisplayNames(['en'], { type: 'language' });
const CURRENCY_SYMBOLS: Readonly<Record<string, string>> = { USD: '$', EUR: '€', GBP: '£', JPY: '¥' };

/** An action name with its URL prefix, read from `log_action`. */
interface ActionName {
  name: string;
  type: number;
  prefix: number | null;
}

function displayName(names: Intl.DisplayNames, code: string | null): string {
  if (!code) return 'Unknown';
  try {
    return names.of(code) ?? 'Unknown';
  } catch {
    return 'Unknown';
  }
}

function epochSeconds(utc: string): number {
  return Math.floor(parseUtcDateTime(utc) / 1000);
}

/** Formats seconds as Matomo's short durations: '30s', '2 min 5s', '1 hours 2 min'. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60}s`;
  return `${Math.floor(seconds / 3600)} hours ${Math.floor((seconds % 3600) / 60)} min`;
}

async function loadActionNames(db: Kysely<Database>, ids: Iterable<number | null>): Promise<Map<number, ActionName>> {
  const wanted = [...new Set([...ids].filter((id): id is number => id !== null && id !== 0))];
  const names = new Map<number, ActionName>();
  for (const chunk of splitIntoChunks(wanted, 500)) {
    const rows = await db.selectFrom('log_action').select(['idaction', 'name', 'type', 'url_prefix']).where('idaction', 'in', chunk).execute();
    for (const row of rows) names.set(Number(row.idaction), { name: row.name, type: Number(row.type), prefix: row.url_prefix === null ? null : Number(row.url_prefix) });
  }
  return names;
}

/** The rows Live needs for a set of visits. */
export interface VisitRows {
  visits: Selectable<LogVisitTable>[];
  actions: Selectable<LogLinkVisitActionTable>[];
  conversions: Selectable<LogConversionTable>[];
}

/** Builds one Live row per visit, in the order of `rows.visits`. */
export async function buildVisitDetails(db: Kysely<Database>, site: SiteRecord, rows: VisitRows, withActions: boolean): Promise<ApiObject[]> {
  const actionIds = rows.actions.flatMap((action) => [
    action.idaction_url, action.idaction_name, action.idaction_event_category, action.idaction_event_action,
    action.idaction_content_name, action.idaction_content_piece, action.idaction_content_target, action.idaction_content_interaction,
  ].map((id) => (id === null ? null : Number(id))));
  const names = await loadActionNames(db, actionIds);
  const goalNames = new Map((await db.selectFrom('goal').select(['idgoal', 'name']).where('idsite', '=', site.idsite).execute()).map((goal) => [Number(goal.idgoal), goal.name]));
  return rows.visits.map((visit) => {
    const idvisit = Number(visit.idvisit);
    const actions = rows.actions.filter((action) => Number(action.idvisit) === idvisit);
    const conversions = rows.conversions.filter((conversion) => Number(conversion.idvisit) === idvisit);
    return buildVisit(site, visit, withActions ? buildActionDetails(site, actions, conversions, names, goalNames) : [], conversions.length);
  });
}

function buildVisit(site: SiteRecord, visit: Selectable<LogVisitTable>, actionDetails: ApiObject[], conversionCount: number): ApiObject {
  const first = epochSeconds(visit.visit_first_action_time);
  const last = epochSeconds(visit.visit_last_action_time);
  const localLast = formatSiteDateTime(new Date(last * 1000), site.timezone);
  const referrer = REFERRER_TYPES[Number(visit.referer_type ?? 1)] ?? REFERRER_TYPES[1]!;
  const duration = Number(visit.visit_total_time);
  const languageCode = visit.location_browser_lang?.split(',')[0]?.split(';')[0]?.trim() || null;
  return {
    idSite: site.idsite, idVisit: Number(visit.idvisit), visitIp: visit.location_ip, visitorId: visit.idvisitor, fingerprint: visit.config_id,
    actionDetails,
    goalConversions: conversionCount, siteCurrency: site.currency, siteCurrencySymbol: CURRENCY_SYMBOLS[site.currency] ?? site.currency,
    serverDate: localLast.slice(0, 10), visitServerHour: localLast.slice(11, 13), lastActionTimestamp: last, lastActionDateTime: visit.visit_last_action_time,
    siteName: site.name, serverTimestamp: last, firstActionTimestamp: first, serverTimePretty: localLast.slice(11),
    serverDatePretty: new Intl.DateTimeFormat('en-US', { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' }).format(new Date(`${localLast.slice(0, 10)}T00:00:00Z`)),
    userId: visit.user_id, visitorType: VISITOR_TYPES[Number(visit.visitor_returning ?? 0)] ?? 'new',
    visitConverted: Number(visit.visit_goal_converted), visitCount: Number(visit.visitor_count_visits),
    visitEcommerceStatus: ECOMMERCE_STATUS[Number(visit.visit_goal_buyer)] ?? 'none',
    daysSinceFirstVisit: Math.floor(Number(visit.visitor_seconds_since_first ?? 0) / 86_400), secondsSinceFirstVisit: Number(visit.visitor_seconds_since_first ?? 0),
    daysSinceLastVisit: visit.visitor_seconds_since_last === null ? 0 : Math.floor(Number(visit.visitor_seconds_since_last) / 86_400),
    secondsSinceLastVisit: visit.visitor_seconds_since_last === null ? 0 : Number(visit.visitor_seconds_since_last),
    visitDuration: duration, visitDurationPretty: formatDuration(duration),
    searches: Number(visit.visit_total_searches), actions: Number(visit.visit_total_actions), interactions: Number(visit.visit_total_interactions),
    events: Number(visit.visit_total_events),
    referrerType: referrer[0], referrerTypeName: referrer[1], referrerName: visit.referer_name ?? '', referrerKeyword: visit.referer_keyword ?? '',
    referrerUrl: visit.referer_url,
    languageCode, language: displayName(LANGUAGE_NAMES, languageCode), deviceType: deviceTypeName(visit.config_device_type === null ? null : Number(visit.config_device_type)),
    deviceBrand: visit.config_device_brand ?? 'Unknown', deviceModel: visit.config_device_model ?? (Number(visit.config_device_type) === 0 ? 'Generic Desktop' : 'Unknown'),
    operatingSystem: [operatingSystemName(visit.config_os), visit.config_os_version].filter(Boolean).join(' '),
    operatingSystemName: operatingSystemName(visit.config_os), operatingSystemCode: visit.config_os, operatingSystemVersion: visit.config_os_version,
    browser: [browserName(visit.config_browser_name), visit.config_browser_version].filter(Boolean).join(' '),
    browserName: browserName(visit.config_browser_name), browserCode: visit.config_browser_name, browserVersion: visit.config_browser_version,
    browserFamily: visit.config_browser_engine ?? browserFamily(visit.config_browser_name),
    country: displayName(COUNTRY_NAMES, visit.location_country?.toUpperCase() ?? null), countryCode: visit.location_country ?? 'xx', countryFlag: `plugins/Morpheus/icons/dist/flags/${visit.location_country ?? 'xx'}.png`,
    region: visit.location_region, regionCode: visit.location_region, city: visit.location_city,
    latitude: visit.location_latitude, longitude: visit.location_longitude,
    visitLocalTime: visit.visitor_localtime, visitLocalHour: visit.visitor_localtime?.slice(0, 2) ?? null,
    resolution: visit.config_resolution,
    campaignName: visit.campaign_name, campaignKeyword: visit.campaign_keyword, campaignSource: visit.campaign_source, campaignMedium: visit.campaign_medium,
  };
}

function nameOf(names: Map<number, ActionName>, id: number | null): ActionName | undefined {
  return id === null ? undefined : names.get(Number(id));
}

function textOf(names: Map<number, ActionName>, id: number | null): string | null {
  const action = nameOf(names, id);
  return action ? joinUrlPrefix(action.prefix, action.name) : null;
}

function buildActionDetails(
  site: SiteRecord, actions: Selectable<LogLinkVisitActionTable>[], conversions: Selectable<LogConversionTable>[],
  names: Map<number, ActionName>, goalNames: Map<number, string>,
): ApiObject[] {
  const details: { time: number; order: number; detail: ApiObject }[] = [];
  for (const action of actions) details.push({ time: epochSeconds(action.server_time), order: Number(action.idlink_va), detail: buildAction(site, action, names) });
  for (const conversion of conversions) {
    const idgoal = Number(conversion.idgoal);
    let type = 'goal';
    if (idgoal === 0) type = 'ecommerceOrder';
    if (idgoal === -1) type = 'ecommerceAbandonedCart';
    const detail: ApiObject = {
      type, goalName: idgoal > 0 ? goalNames.get(idgoal) ?? null : null, goalId: idgoal, revenue: conversion.revenue,
      url: conversion.url, timestamp: epochSeconds(conversion.server_time),
    };
    if (idgoal <= 0) Object.assign(detail, { orderId: conversion.idorder, items: conversion.items, revenueSubTotal: conversion.revenue_subtotal, revenueTax: conversion.revenue_tax, revenueShipping: conversion.revenue_shipping, revenueDiscount: conversion.revenue_discount });
    details.push({ time: epochSeconds(conversion.server_time), order: Number.MAX_SAFE_INTEGER, detail });
  }
  return details.sort((a, b) => a.time - b.time || a.order - b.order).map((entry) => entry.detail);
}

function buildAction(site: SiteRecord, action: Selectable<LogLinkVisitActionTable>, names: Map<number, ActionName>): ApiObject {
  const url = textOf(names, action.idaction_url);
  const name = nameOf(names, action.idaction_name);
  const timestamp = epochSeconds(action.server_time);
  const common: ApiObject = {
    url, timestamp, serverTimePretty: formatSiteDateTime(new Date(timestamp * 1000), site.timezone),
    idpageview: action.idpageview, timeSpent: action.time_spent === null ? null : Number(action.time_spent),
  };
  if (action.idaction_event_category !== null) {
    return { type: 'event', ...common, eventCategory: textOf(names, action.idaction_event_category), eventAction: textOf(names, action.idaction_event_action), eventName: name?.name ?? null, eventValue: action.custom_float };
  }
  if (action.idaction_content_name !== null) {
    return {
      type: 'content', ...common, contentName: textOf(names, action.idaction_content_name), contentPiece: textOf(names, action.idaction_content_piece),
      contentTarget: textOf(names, action.idaction_content_target), contentInteraction: textOf(names, action.idaction_content_interaction),
    };
  }
  if (name?.type === 8) return { type: 'search', ...common, siteSearchKeyword: name.name, siteSearchCategory: action.search_cat, siteSearchCount: action.search_count as ApiValue };
  const urlType = nameOf(names, action.idaction_url)?.type;
  if (urlType === 2) return { type: 'outlink', ...common };
  if (urlType === 3) return { type: 'download', ...common };
  return {
    type: 'action', ...common, pageTitle: name?.name ?? null, pageIdAction: action.idaction_url === null ? null : Number(action.idaction_url),
    pageId: Number(action.idlink_va), pageviewPosition: action.pageview_position === null ? null : Number(action.pageview_position),
    timeSpentPretty: action.time_spent === null ? null : formatDuration(Number(action.time_spent)), title: name?.name ?? null, subtitle: url,
  };
}
