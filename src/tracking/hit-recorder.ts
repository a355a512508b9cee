/**
 * Recording one hit inside the writer's transaction: its visit, its action and its conversions.
 * Visit and action rows go into the batch's pending writes; conversions are written at once.
 */
import type { Insertable, Kysely, Updateable } from 'kysely';
import type { Database, LogLinkVisitActionTable, LogVisitTable } from '../db/schema.js';
import { formatUtcDateTime } from '../time.js';
import type { ActionDictionary, ActionWriteContext } from './action-dictionary.js';
import { writeConversions, writeGoalConversions } from './conversion-writer.js';
import type { ActionKind, DropReason, EnrichedHit } from './hit.js';
import { parseCustomDimensions } from './parse-action.js';
import type { IdSource } from './id-reservation.js';
import type { TrackedSite } from './site-cache.js';
import { matchVisitGoals } from './goal-matcher.js';
import { readUserId } from './user-id.js';
import { identifyVisit, type VisitCache, type VisitRules } from './visit-identifier.js';
import type { VisitPrefetch } from './visit-prefetch.js';
import { buildVisitRow } from './visit-row.js';
import type { LastAction, VisitState } from './visit-state.js';
import type { WriteBatch } from './write-batch.js';

/** The batch's transaction, id source and pending writes, and the tenant's caches and visit rules. */
export interface RecordContext extends ActionWriteContext {
  db: Kysely<Database>;
  ids: IdSource;
  batch: WriteBatch;
  visits: VisitCache;
  actions: ActionDictionary;
  rules: VisitRules;
  /** The batch's read-ahead of visits; without it every lookup queries the database. */
  prefetch?: VisitPrefetch;
  /** Waits until earlier batches, written on another connection, are durable. A visit lookup that queries `db` calls it first. */
  waitForWrites?: () => Promise<void>;
}

/** Action kinds that write a `log_link_visit_action` row. */
const ROW_KINDS: ReadonlySet<ActionKind> = new Set(['pageview', 'download', 'outlink', 'site_search', 'event', 'content']);
/**
 * Action kinds that become the exit action of a visit. In Matomo 5 only pageviews and site
 * searches set the entry and exit ids. A download or an outlink thus keeps the page before it
 * as the exit, and the exit pages report counts every visit that viewed a page.
 */
const EXIT_KINDS: ReadonlySet<ActionKind> = new Set(['pageview', 'site_search']);

interface ActionIds {
  url: number | null;
  name: number | null;
}

/**
 * Records a hit: continues or starts its visit, writes its action row and conversions, and
 * updates the visit's totals. Returns a drop reason for a heartbeat with no visit to extend.
 */
export async function recordHit(context: RecordContext, hit: EnrichedHit, tracked: TrackedSite): Promise<'recorded' | DropReason> {
  const match = await identifyVisit(context.db, hit, context.visits, context.rules, context.prefetch, context.waitForWrites);
  const kind = hit.action.kind;
  if (kind === 'heartbeat') {
    if (match.kind === 'new') return 'heartbeat_without_visit';
    await extendVisit(context, match.visit, hit, tracked);
    return 'recorded';
  }

  const pageStrings = [hit.action.strings.url, hit.action.strings.name];
  const [url, name] = context.actions.idsAtOnce(context, pageStrings) ?? await context.actions.idsOf(context, pageStrings);
  const ids: ActionIds = { url: url ?? null, name: name ?? null };
  const previous = match.kind === 'new' ? match.previous : null;
  let visit: VisitState;
  if (match.kind === 'existing') visit = match.visit;
  else visit = startVisit(context, hit, previous, tracked, context.ids.nextAtOnce('log_visit') ?? await context.ids.next('log_visit'));
  // The visitor id a hit sends (`_id`, `cid` or one derived from `uid`) becomes its visit's, also
  // for a visit found by fingerprint, as Matomo 5 sets it on every request of a continued visit
  // (`setIdVisitorForExistingVisit` in core/Tracker/Visit.php).
  if (hit.requestedVisitorId !== null && visit.idvisitor !== hit.requestedVisitorId) {
    context.visits.forgetVisitorId(visit);
    visit.idvisitor = hit.requestedVisitorId;
  }
  const timeSpentRef = visit.lastAction ? Math.min(context.rules.visitLengthSeconds, Math.max(0, Math.round((hit.time.getTime() - visit.lastAction.time) / 1000))) : null;

  let idlinkVa: number | null = null;
  if (ROW_KINDS.has(kind)) {
    if (visit.lastAction && timeSpentRef !== null) context.batch.setTimeSpent(visit.lastAction.idlinkVa, timeSpentRef);
    const strings = hit.action.strings;
    const rowStrings = [
      strings.eventCategory, strings.eventAction, strings.contentName, strings.contentPiece, strings.contentTarget,
      strings.contentInteraction, strings.productSku, strings.productName, strings.productCategory,
    ];
    const rowIds = context.actions.idsAtOnce(context, rowStrings) ?? await context.actions.idsOf(context, rowStrings);
    idlinkVa = context.ids.nextAtOnce('log_link_visit_action') ?? await context.ids.next('log_link_visit_action');
    addActionRow(context.batch, hit, visit, ids, rowIds, timeSpentRef, idlinkVa);
  }
  applyActionToVisit(visit, hit, ids, idlinkVa);

  if (tracked.goals.length > 0 || hit.conversion !== null) {
    await writeConversions({
      db: context.db, ids: context.ids, batch: context.batch, actions: context.actions, hit, visit, previous, tracked, idlinkVa, idactionUrl: ids.url,
    });
  }
  saveVisitTotals(context.batch, visit, hit, kind, ids);
  if (match.kind === 'existing') saveVisitDimensions(context.batch, visit, hit, tracked);
  context.visits.touch(visit);
  return 'recorded';
}

/**
 * Sets the visit-scope custom dimensions a later hit of a visit sends, as Matomo updates them
 * on every request of the visit. An empty value keeps the stored one.
 */
function saveVisitDimensions(batch: WriteBatch, visit: VisitState, hit: EnrichedHit, tracked: TrackedSite): void {
  if (tracked.customDimensions.length === 0) return;
  const values: Record<string, string> = {};
  let changed = false;
  for (const [index, value] of parseCustomDimensions(hit.params, tracked.customDimensions, 'visit')) {
    if (value === '') continue;
    values[`custom_dimension_${index}`] = value;
    changed = true;
  }
  if (changed) batch.updateVisit(visit.idvisit, values);
}

/** Starts a visit with the id `idvisit`, adds its row to the batch and returns its state. */
function startVisit(context: RecordContext, hit: EnrichedHit, previous: VisitState | null, tracked: TrackedSite, idvisit: number): VisitState {
  const idvisitor = hit.requestedVisitorId ?? previous?.idvisitor ?? hit.configId;
  const row = buildVisitRow(hit, previous, idvisitor, tracked.customDimensions);
  context.batch.addVisit(idvisit, row);
  return {
    idvisit, siteId: hit.siteId, idvisitor, configId: hit.configId, userId: row.user_id ?? null,
    firstActionTime: hit.time.getTime(), lastActionTime: hit.time.getTime(),
    totalActions: 0, totalInteractions: 0, totalSearches: 0, totalEvents: 0, pageviews: 0,
    goalConverted: false, goalBuyer: 0, entryIdactionUrl: null, lastAction: null, lastPageUrlId: null, lastPageNameId: null,
    campaignName: hit.referrer.campaign?.name ?? null, refererType: hit.referrer.type, refererName: hit.referrer.name,
    visitorCountVisits: Number(row.visitor_count_visits), visitorSecondsSinceFirst: Number(row.visitor_seconds_since_first ?? 0),
    convertedGoals: new Set(),
  };
}

/**
 * Adds a hit's `log_link_visit_action` row to the batch. `rowIds` are the ids of the event,
 * content and product strings, in the order recordHit lists them.
 */
function addActionRow(
  batch: WriteBatch, hit: EnrichedHit, visit: VisitState, ids: ActionIds, rowIds: readonly (number | null)[], timeSpentRef: number | null, idlinkVa: number,
): void {
  const action = hit.action;
  const [eventCategory, eventAction, contentName, contentPiece, contentTarget, contentInteraction, productSku, productName, productCategory] = rowIds;
  const isPageview = action.kind === 'pageview';
  const row: Insertable<LogLinkVisitActionTable> = {
    idsite: hit.siteId, idvisitor: visit.idvisitor, idvisit: visit.idvisit, server_time: formatUtcDateTime(hit.time),
    idaction_url: ids.url, idaction_name: ids.name, idaction_url_ref: visit.lastPageUrlId, idaction_name_ref: visit.lastPageNameId,
    idpageview: action.pageviewId, pageview_position: isPageview ? visit.pageviews + 1 : null,
    time_spent_ref_action: timeSpentRef, time_spent: null,
    idaction_event_category: eventCategory, idaction_event_action: eventAction,
    idaction_content_name: contentName, idaction_content_piece: contentPiece,
    idaction_content_target: contentTarget, idaction_content_interaction: contentInteraction,
    custom_float: action.eventValue, search_cat: action.searchCategory, search_count: action.searchCount,
    product_price: action.productPrice, idaction_product_sku: productSku,
    idaction_product_name: productName, idaction_product_cat: productCategory,
    time_network: action.timings.network, time_server: action.timings.server, time_transfer: action.timings.transfer,
    time_dom_processing: action.timings.domProcessing, time_dom_completion: action.timings.domCompletion, time_on_load: action.timings.onLoad,
  };
  for (const variable of action.customVariables) {
    Object.assign(row, { [`custom_var_k${variable.index}`]: variable.name, [`custom_var_v${variable.index}`]: variable.value });
  }
  for (const [index, value] of action.customDimensions) Object.assign(row, { [`custom_dimension_${index}`]: value });
  batch.addActionRow(idlinkVa, row);
}

/** Updates the in-memory visit with one action; content impressions (no `c_i`) are not counted as actions, as in Matomo. */
function applyActionToVisit(visit: VisitState, hit: EnrichedHit, ids: ActionIds, idlinkVa: number | null): void {
  const action = hit.action;
  const counted = ROW_KINDS.has(action.kind) && !(action.kind === 'content' && action.strings.contentInteraction === null);
  if (counted) visit.totalActions += 1;
  if (action.kind === 'pageview') {
    visit.pageviews += 1;
    visit.totalInteractions += 1;
    visit.lastPageUrlId = ids.url;
    visit.lastPageNameId = ids.name;
    visit.entryIdactionUrl ??= ids.url;
  }
  if (action.kind === 'site_search') visit.totalSearches += 1;
  if (action.kind === 'event') visit.totalEvents += 1;
  if (idlinkVa !== null) {
    const lastAction: LastAction = { idlinkVa, time: hit.time.getTime(), idactionUrl: ids.url, idactionName: ids.name };
    visit.lastAction = lastAction;
  }
  visit.lastActionTime = Math.max(visit.lastActionTime, hit.time.getTime());
}

function saveVisitTotals(batch: WriteBatch, visit: VisitState, hit: EnrichedHit, kind: ActionKind, ids: ActionIds): void {
  const update: Updateable<LogVisitTable> = {
    idvisitor: visit.idvisitor,
    visit_last_action_time: formatUtcDateTime(new Date(visit.lastActionTime)),
    visit_total_actions: visit.totalActions, visit_total_interactions: visit.totalInteractions,
    visit_total_searches: visit.totalSearches, visit_total_events: visit.totalEvents,
    visit_total_time: Math.round((visit.lastActionTime - visit.firstActionTime) / 1000),
    visit_goal_converted: visit.goalConverted ? 1 : 0, visit_goal_buyer: visit.goalBuyer,
  };
  if (kind === 'pageview' && visit.pageviews === 1) {
    update.visit_entry_idaction_url = ids.url;
    update.visit_entry_idaction_name = ids.name;
  }
  if (EXIT_KINDS.has(kind)) {
    update.visit_exit_idaction_url = ids.url;
    update.visit_exit_idaction_name = ids.name;
  }
  const userId = readUserId(hit.params);
  if (userId !== null) {
    visit.userId = userId;
    update.user_id = userId;
  }
  batch.updateVisit(visit.idvisit, update);
}

/**
 * Extends a visit with a heartbeat: its last action time, its total time and the time spent
 * on its last action. A longer visit may now pass a visit goal such as `visit_duration`, which
 * then converts on the heartbeat with the visit's last action.
 *
 * This differs from Matomo on purpose: Matomo 5.3 clears the goals of a ping request, so a
 * one-page visit kept open by heartbeats never converts a visit-duration goal, which its
 * users report as a bug (matomo-org/matomo issue 23178, open in 2025).
 */
async function extendVisit(context: RecordContext, visit: VisitState, hit: EnrichedHit, tracked: TrackedSite): Promise<void> {
  visit.lastActionTime = Math.max(visit.lastActionTime, hit.time.getTime());
  if (visit.lastAction) {
    const spent = Math.min(context.rules.visitLengthSeconds, Math.max(0, Math.round((hit.time.getTime() - visit.lastAction.time) / 1000)));
    context.batch.setTimeSpent(visit.lastAction.idlinkVa, spent);
  }
  // Only visit goals convert here. The order, cart update or manual conversion that a ping's
  // idgoal requests is not recorded, as in Matomo 5.
  const conversions = matchVisitGoals(tracked.goals, visit);
  if (conversions.length > 0) {
    await writeGoalConversions({
      db: context.db, ids: context.ids, batch: context.batch, actions: context.actions, hit, visit, previous: null,
      tracked, idlinkVa: visit.lastAction?.idlinkVa ?? null, idactionUrl: visit.lastAction?.idactionUrl ?? null,
    }, conversions);
  }
  context.batch.updateVisit(visit.idvisit, {
    visit_last_action_time: formatUtcDateTime(new Date(visit.lastActionTime)),
    visit_total_time: Math.round((visit.lastActionTime - visit.firstActionTime) / 1000),
    visit_goal_converted: visit.goalConverted ? 1 : 0,
  });
  context.visits.touch(visit);
}
