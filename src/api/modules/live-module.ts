/** Methods of Matomo's `Live` module: the raw visits of a site as tracking stored them. */
import { FootfallError, quote } from '../../errors.js';
import { buildVisitDetails } from '../../reports/Live/visit-details.js';
import { loadSite } from '../../sites/site-store.js';
import { formatUtcDateTime } from '../../time.js';
import type { ApiMethodRegistry } from '../api-method-registry.js';
import type { ApiParams } from '../api-params.js';

/** Visits `Live.getLastVisitsDetails` returns when `filter_limit` is not given, as in Matomo. */
const DEFAULT_VISIT_LIMIT = 100;
/** Most visits one call returns, so one request cannot read a whole log table. */
const MAX_VISIT_LIMIT = 10_000;

function ensureNoSegment(params: ApiParams): void {
  const segment = params.optionalString('segment');
  // NOTE: segments are not applied by Live yet; rejecting them keeps a filtered request from returning unfiltered visits.
  if (segment) throw new FootfallError('PARAMETER_INVALID', `Invalid segment ${quote(segment)}: Live methods do not support segments yet. Remove the segment parameter.`);
}

/** Registers `Live.getLastVisitsDetails` and `Live.getCounters`. */
export function registerLiveModule(registry: ApiMethodRegistry): void {
  registry.register({
    name: 'Live.getLastVisitsDetails',
    description: 'Returns the most recent visits of a site with their actions, newest first.',
    parameters: [
      { name: 'idSite', description: 'The site id.', required: true },
      { name: 'filter_limit', description: `Maximum number of visits to return (default ${DEFAULT_VISIT_LIMIT}, -1 for ${MAX_VISIT_LIMIT}).` },
      { name: 'filter_offset', description: 'Visits to skip.' },
      { name: 'minTimestamp', description: 'Only visits whose last action is at or after this Unix time.' },
      { name: 'doNotFetchActions', description: '1 leaves actionDetails empty.' },
      { name: 'filter_sort_order', description: 'desc (default) or asc by last action time.' },
    ],
    differences: 'Ignores period and date, and rejects segment. Action serverTimePretty is the site-local time as YYYY-MM-DD HH:MM:SS.',
    handler: async ({ tenant, access, params }) => {
      const siteId = params.requiredInt('idSite');
      access.ensure('view', [siteId]);
      ensureNoSegment(params);
      const db = tenant.db();
      const site = await loadSite(db, siteId);
      const limitParam = params.int('filter_limit', DEFAULT_VISIT_LIMIT);
      const limit = limitParam < 0 ? MAX_VISIT_LIMIT : Math.min(limitParam, MAX_VISIT_LIMIT);
      const order = params.string('filter_sort_order', 'desc').toLowerCase() === 'asc' ? 'asc' : 'desc';
      let query = db.selectFrom('log_visit').selectAll().where('idsite', '=', siteId);
      const minTimestamp = params.int('minTimestamp', 0);
      if (minTimestamp > 0) query = query.where('visit_last_action_time', '>=', formatUtcDateTime(new Date(minTimestamp * 1000)));
      const visits = await query.orderBy('visit_last_action_time', order).orderBy('idvisit', order).limit(limit).offset(Math.max(0, params.int('filter_offset', 0))).execute();
      if (visits.length === 0) return [];

      const ids = visits.map((visit) => Number(visit.idvisit));
      const withActions = !params.bool('doNotFetchActions', false);
      const actions = withActions ? await db.selectFrom('log_link_visit_action').selectAll().where('idvisit', 'in', ids).orderBy('idlink_va').execute() : [];
      const conversions = withActions ? await db.selectFrom('log_conversion').selectAll().where('idvisit', 'in', ids).execute() : [];
      return buildVisitDetails(db, site, { visits, actions, conversions }, withActions);
    },
  });

  registry.register({
    name: 'Live.getCounters',
    description: 'Returns the visits, actions, visitors and converted visits of a site in the last N minutes.',
    parameters: [
      { name: 'idSite', description: 'The site id.', required: true },
      { name: 'lastMinutes', description: 'The number of minutes to count back from now.', required: true },
    ],
    handler: async ({ tenant, access, params, clock }) => {
      const siteId = params.requiredInt('idSite');
      access.ensure('view', [siteId]);
      ensureNoSegment(params);
      const lastMinutes = params.requiredInt('lastMinutes');
      if (lastMinutes < 1) throw new FootfallError('PARAMETER_INVALID', `Invalid value ${quote(String(lastMinutes))} for 'lastMinutes'. Expected a whole number of at least 1.`);
      const db = tenant.db();
      await loadSite(db, siteId);
      const since = formatUtcDateTime(new Date(clock().getTime() - lastMinutes * 60_000));
      const row = await db.selectFrom('log_visit')
        .select((eb) => [
          eb.fn.countAll<number>().as('visits'),
          eb.fn.coalesce(eb.fn.sum<number>('visit_total_actions'), eb.lit(0)).as('actions'),
          eb.fn.count<number>('idvisitor').distinct().as('visitors'),
          eb.fn.coalesce(eb.fn.sum<number>('visit_goal_converted'), eb.lit(0)).as('visitsConverted'),
        ])
        .where('idsite', '=', siteId).where('visit_last_action_time', '>=', since).executeTakeFirstOrThrow();
      return [{ visits: Number(row.visits), actions: Number(row.actions), visitors: Number(row.visitors), visitsConverted: Number(row.visitsConverted) }];
    },
  });
}
