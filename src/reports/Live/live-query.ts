/** Reading the visits of Live's methods: period and date, segment, minTimestamp, order and paging. */
import type { Kysely, RawBuilder, Selectable, SqlBool } from 'kysely';
import { parsePeriodRequest } from '../../archiving/period-request.js';
import type { UtcBounds } from '../../archiving/period.js';
import { parseSiteTimezone } from '../../archiving/site-timezone.js';
import type { ApiParams } from '../../api/api-params.js';
import type { Settings } from '../../config/settings.js';
import type { Database, LogVisitTable } from '../../db/schema.js';
import { FootfallError, quote } from '../../errors.js';
import { compileVisitSegment } from '../../segments/archive-segment.js';
import type { SiteRecord } from '../../sites/site-store.js';
import { formatUtcDateTime } from '../../time.js';

/** Visits `Live.getLastVisitsDetails` returns when `filter_limit` is not given, as in Matomo. */
export const DEFAULT_VISIT_LIMIT = 100;
/** Maximum visits one call returns, so one request cannot read a whole log table. */
export const MAX_VISIT_LIMIT = 10_000;

/** The selection of a site's visits that a Live call reads. */
export interface LiveVisitFilter {
  siteId: number;
  /** UTC bounds of the visits' last action, or null for any time. */
  bounds: UtcBounds | null;
  /** Earliest UTC time of the visits' last action, or null for any time. */
  minTime: string | null;
  /** The compiled `segment`, or null without one. */
  segment: RawBuilder<SqlBool> | null;
}

/** The order and page of the visits a Live call returns. */
export interface LivePage {
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/**
 * Reads `period` and `date` as the UTC span of their periods in the site's time zone: one
 * period, a range, or from the first to the last of several periods (`lastN`, `D1,D2`).
 * Returns null when neither is given, so Live reads visits of any time.
 *
 * @throws FootfallError PARAMETER_MISSING when only one of them is given, PERIOD_INVALID or DATE_INVALID for bad values.
 */
export function readLiveBounds(params: ApiParams, site: SiteRecord, settings: Settings, now: Date): UtcBounds | null {
  const period = params.optionalString('period') ?? '';
  const date = params.optionalString('date') ?? '';
  if (period === '' && date === '') return null;
  if (period === '') throw new FootfallError('PARAMETER_MISSING', `Please specify a value for 'period' to go with date ${quote(date)}, such as day or range.`);
  if (date === '') throw new FootfallError('PARAMETER_MISSING', `Please specify a value for 'date' to go with period ${quote(period)}, such as today or 2024-05-01.`);

  const zone = parseSiteTimezone(site.timezone);
  const enabledPeriods = settings.string('General', 'enabled_periods_API').split(',').map((item) => item.trim());
  const { periods } = parsePeriodRequest(period, date, zone, now, enabledPeriods);
  return { start: periods[0]!.utcBounds(zone).start, end: periods[periods.length - 1]!.utcBounds(zone).end };
}

/**
 * Reads the visit filter of a Live call: period and date, `minTimestamp` (Unix seconds) and
 * `segment`.
 *
 * @throws FootfallError for an invalid period, date, timestamp or segment, naming the value.
 */
export async function readLiveFilter(db: Kysely<Database>, params: ApiParams, site: SiteRecord, settings: Settings, now: Date): Promise<LiveVisitFilter> {
  const minTimestamp = params.int('minTimestamp', 0);
  if (minTimestamp < 0) throw new FootfallError('PARAMETER_INVALID', `Invalid value ${quote(String(minTimestamp))} for 'minTimestamp'. Expected a Unix time in seconds.`);
  const definition = params.string('segment').trim();
  return {
    siteId: site.idsite,
    bounds: readLiveBounds(params, site, settings, now),
    minTime: minTimestamp > 0 ? formatUtcDateTime(new Date(minTimestamp * 1000)) : null,
    segment: await compileVisitSegment(db, site.idsite, definition),
  };
}

/**
 * Reads `filter_sort_order`, `filter_limit` (-1 for the maximum) and `filter_offset`.
 *
 * @throws FootfallError PARAMETER_INVALID naming a sort order other than asc or desc, or a negative limit or offset.
 */
export function readLivePage(params: ApiParams): LivePage {
  const orderParam = params.string('filter_sort_order', 'desc').trim().toLowerCase();
  if (orderParam !== 'asc' && orderParam !== 'desc') {
    throw new FootfallError('PARAMETER_INVALID', `Invalid value ${quote(orderParam)} for 'filter_sort_order'. Use desc (newest first) or asc.`);
  }
  const limitParam = params.int('filter_limit', DEFAULT_VISIT_LIMIT);
  if (limitParam < -1) throw new FootfallError('PARAMETER_INVALID', `Invalid value ${quote(String(limitParam))} for 'filter_limit'. Use a number of visits, or -1 for up to ${MAX_VISIT_LIMIT}.`);
  const offset = params.int('filter_offset', 0);
  if (offset < 0) throw new FootfallError('PARAMETER_INVALID', `Invalid value ${quote(String(offset))} for 'filter_offset'. Use 0 or more.`);
  return { order: orderParam, limit: limitParam === -1 ? MAX_VISIT_LIMIT : Math.min(limitParam, MAX_VISIT_LIMIT), offset };
}

/** Builds the select of `log_visit` rows that pass a filter, without order or paging. */
function selectVisits(db: Kysely<Database>, filter: LiveVisitFilter) {
  let query = db.selectFrom('log_visit').where('log_visit.idsite', '=', filter.siteId);
  if (filter.bounds) {
    query = query.where('log_visit.visit_last_action_time', '>=', filter.bounds.start).where('log_visit.visit_last_action_time', '<', filter.bounds.end);
  }
  if (filter.minTime !== null) query = query.where('log_visit.visit_last_action_time', '>=', filter.minTime);
  if (filter.segment) query = query.where(filter.segment);
  return query;
}

/** Loads the visits that pass a filter, by last action time (then idvisit) in the page's order. */
export async function loadLiveVisits(db: Kysely<Database>, filter: LiveVisitFilter, page: LivePage): Promise<Selectable<LogVisitTable>[]> {
  if (page.limit === 0) return [];
  return selectVisits(db, filter).selectAll('log_visit')
    .orderBy('log_visit.visit_last_action_time', page.order).orderBy('log_visit.idvisit', page.order)
    .limit(page.limit).offset(page.offset).execute();
}

/** Live's counters over the visits that pass a filter. */
export interface LiveCounters {
  visits: number;
  actions: number;
  visitors: number;
  visitsConverted: number;
}

/** Counts the visits, their actions, distinct visitors and converted visits that pass a filter. */
export async function countLiveVisits(db: Kysely<Database>, filter: LiveVisitFilter): Promise<LiveCounters> {
  const row = await selectVisits(db, filter)
    .select((eb) => [
      eb.fn.countAll<number>().as('visits'),
      eb.fn.coalesce(eb.fn.sum<number>('log_visit.visit_total_actions'), eb.lit(0)).as('actions'),
      eb.fn.count<number>('log_visit.idvisitor').distinct().as('visitors'),
      eb.fn.coalesce(eb.fn.sum<number>('log_visit.visit_goal_converted'), eb.lit(0)).as('visitsConverted'),
    ])
    .executeTakeFirstOrThrow();
  return { visits: Number(row.visits), actions: Number(row.actions), visitors: Number(row.visitors), visitsConverted: Number(row.visitsConverted) };
}
