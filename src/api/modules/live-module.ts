/** Methods of Matomo's `Live` module: the raw visits of a site as tracking stored them. */
import { FootfallError, quote } from '../../errors.js';
import {
  countLiveVisits, DEFAULT_VISIT_LIMIT, loadLiveVisits, MAX_VISIT_LIMIT, readLiveFilter, readLivePage,
} from '../../reports/Live/live-query.js';
import { buildVisitDetails } from '../../reports/Live/visit-details.js';
import { compileVisitSegment } from '../../segments/archive-segment.js';
import { loadSite } from '../../sites/site-store.js';
import { formatUtcDateTime } from '../../time.js';
import type { ApiObject } from '../api-value.js';
import type { ApiMethodRegistry } from '../api-method-registry.js';
import type { ApiParams } from '../api-params.js';

/** The counters of `Live.getCounters`, in Matomo's order. */
const COUNTER_NAMES = ['visits', 'actions', 'visitors', 'visitsConverted'] as const;

/** Keeps the counters named by `showColumns` (all when missing) minus those named by `hideColumns`. */
function selectCounters(counters: ApiObject, params: ApiParams): ApiObject {
  const show = params.optionalList('showColumns')?.map((name) => name.trim()).filter((name) => name !== '');
  const hide = new Set(params.optionalList('hideColumns')?.map((name) => name.trim()) ?? []);
  for (const name of [...(show ?? []), ...hide]) {
    if (name !== '' && !(COUNTER_NAMES as readonly string[]).includes(name)) {
      throw new FootfallError('PARAMETER_INVALID', `Invalid column ${quote(name)} in showColumns or hideColumns. Use ${COUNTER_NAMES.join(', ')}.`);
    }
  }
  const names = (show && show.length > 0 ? show : COUNTER_NAMES).filter((name) => !hide.has(name));
  return Object.fromEntries(names.map((name) => [name, counters[name]!]));
}

/** Registers `Live.getLastVisitsDetails` and `Live.getCounters`. */
export function registerLiveModule(registry: ApiMethodRegistry): void {
  registry.register({
    name: 'Live.getLastVisitsDetails',
    description: 'Returns the most recent visits of a site with their actions, newest first.',
    parameters: [
      { name: 'idSite', description: 'The site id.', required: true },
      { name: 'period', description: 'day, week, month, year or range; with date, only visits whose last action is in those periods.' },
      { name: 'date', description: 'A date, a keyword such as today, lastN, previousN or two dates separated by a comma.' },
      { name: 'segment', description: 'Segment definition in Matomo\'s grammar, such as browserCode==FF;countryCode==fr.' },
      { name: 'filter_limit', description: `Maximum number of visits to return (default ${DEFAULT_VISIT_LIMIT}, -1 for ${MAX_VISIT_LIMIT}).` },
      { name: 'filter_offset', description: 'Visits to skip.' },
      { name: 'minTimestamp', description: 'Only visits whose last action is at or after this Unix time.' },
      { name: 'doNotFetchActions', description: '1 leaves actionDetails empty.' },
      { name: 'filter_sort_order', description: 'desc (default) or asc by last action time.' },
    ],
    differences: 'Several periods (period=day&date=last7) read as one span from the first to the last. Action serverTimePretty is the site-local time as YYYY-MM-DD HH:MM:SS.',
    handler: async ({ tenant, access, params, clock }) => {
      const siteId = params.requiredInt('idSite');
      access.ensure('view', [siteId]);
      const db = tenant.db();
      const site = await loadSite(db, siteId);
      const filter = await readLiveFilter(db, params, site, tenant.settings.forSite(siteId), clock());
      const visits = await loadLiveVisits(db, filter, readLivePage(params));
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
      { name: 'segment', description: 'Segment definition in Matomo\'s grammar, such as browserCode==FF;countryCode==fr.' },
      { name: 'showColumns', description: `Counters to return, separated by commas: ${COUNTER_NAMES.join(', ')}.` },
      { name: 'hideColumns', description: 'Counters to leave out, separated by commas.' },
    ],
    differences: 'Ignores period and date, as Matomo does: the span is always the last lastMinutes minutes.',
    handler: async ({ tenant, access, params, clock }) => {
      const siteId = params.requiredInt('idSite');
      access.ensure('view', [siteId]);
      const lastMinutes = params.requiredInt('lastMinutes');
      if (lastMinutes < 1) throw new FootfallError('PARAMETER_INVALID', `Invalid value ${quote(String(lastMinutes))} for 'lastMinutes'. Expected a whole number of at least 1.`);
      const db = tenant.db();
      await loadSite(db, siteId);
      const definition = params.string('segment').trim();
      const counters = await countLiveVisits(db, {
        siteId, bounds: null,
        minTime: formatUtcDateTime(new Date(clock().getTime() - lastMinutes * 60_000)),
        segment: await compileVisitSegment(db, siteId, definition),
      });
      return [selectCounters({ ...counters }, params)];
    },
  });
}
