/** The in-memory state of a visit between its hits, and its loading from the database. */
import type { Kysely, Selectable } from 'kysely';
import type { Database, LogVisitTable } from '../db/schema.js';
import { parseUtcDateTime } from '../time.js';

/** The last action of a visit, whose time spent the next hit completes. */
export interface LastAction {
  idlinkVa: number;
  time: number;
  idactionUrl: number | null;
  idactionName: number | null;
}

/** The state of one visit, as stored in `log_visit` plus what later hits need. */
export interface VisitState {
  idvisit: number;
  siteId: number;
  idvisitor: string;
  configId: string;
  userId: string | null;
  /** Milliseconds since the epoch. */
  firstActionTime: number;
  lastActionTime: number;
  totalActions: number;
  totalInteractions: number;
  totalSearches: number;
  totalEvents: number;
  pageviews: number;
  goalConverted: boolean;
  /** 0 none, 1 ordered, 2 open cart, 3 ordered then open cart, as Matomo's `visit_goal_buyer`. */
  goalBuyer: number;
  entryIdactionUrl: number | null;
  lastAction: LastAction | null;
  /** The URL and title ids of the last pageview, for `idaction_url_ref` and `idaction_name_ref`. */
  lastPageUrlId: number | null;
  lastPageNameId: number | null;
  campaignName: string | null;
  refererType: number | null;
  refererName: string | null;
  visitorCountVisits: number;
  visitorSecondsSinceFirst: number;
  /** Goals this visit converted, so a goal without allow_multiple converts once. */
  convertedGoals: Set<number>;
}

/**
 * Builds the state of a visit from its row alone, without its last action or conversions:
 * enough for the returning-visitor counters of the visitor's next visit.
 */
export function visitStateFromRow(row: Selectable<LogVisitTable>): VisitState {
  return {
    idvisit: Number(row.idvisit), siteId: Number(row.idsite), idvisitor: row.idvisitor, configId: row.config_id, userId: row.user_id,
    firstActionTime: parseUtcDateTime(row.visit_first_action_time), lastActionTime: parseUtcDateTime(row.visit_last_action_time),
    totalActions: Number(row.visit_total_actions), totalInteractions: Number(row.visit_total_interactions),
    totalSearches: Number(row.visit_total_searches), totalEvents: Number(row.visit_total_events),
    pageviews: Number(row.visit_total_interactions),
    goalConverted: Number(row.visit_goal_converted) === 1, goalBuyer: Number(row.visit_goal_buyer),
    entryIdactionUrl: row.visit_entry_idaction_url === null ? null : Number(row.visit_entry_idaction_url),
    lastAction: null, lastPageUrlId: null, lastPageNameId: null,
    campaignName: Number(row.referer_type) === 6 ? row.referer_name : null,
    refererType: row.referer_type === null ? null : Number(row.referer_type), refererName: row.referer_name,
    visitorCountVisits: Number(row.visitor_count_visits), visitorSecondsSinceFirst: Number(row.visitor_seconds_since_first ?? 0),
    convertedGoals: new Set(),
  };
}

/** Rebuilds the whole state of a visit to continue: its row, its last action and its conversions. */
export async function loadVisitState(db: Kysely<Database>, row: Selectable<LogVisitTable>): Promise<VisitState> {
  const visit = visitStateFromRow(row);
  const lastAction = await db.selectFrom('log_link_visit_action').select(['idlink_va', 'server_time', 'idaction_url', 'idaction_name'])
    .where('idvisit', '=', visit.idvisit).orderBy('idlink_va', 'desc').limit(1).executeTakeFirst();
  const lastPageview = await db.selectFrom('log_link_visit_action').select(['idaction_url', 'idaction_name'])
    .where('idvisit', '=', visit.idvisit).where('pageview_position', 'is not', null).orderBy('idlink_va', 'desc').limit(1).executeTakeFirst();
  const conversions = await db.selectFrom('log_conversion').select('idgoal').where('idvisit', '=', visit.idvisit).execute();
  if (lastAction) {
    visit.lastAction = {
      idlinkVa: Number(lastAction.idlink_va), time: parseUtcDateTime(lastAction.server_time),
      idactionUrl: lastAction.idaction_url === null ? null : Number(lastAction.idaction_url),
      idactionName: lastAction.idaction_name === null ? null : Number(lastAction.idaction_name),
    };
  }
  visit.lastPageUrlId = lastPageview?.idaction_url == null ? null : Number(lastPageview.idaction_url);
  visit.lastPageNameId = lastPageview?.idaction_name == null ? null : Number(lastPageview.idaction_name);
  visit.convertedGoals = new Set(conversions.map((conversion) => Number(conversion.idgoal)));
  return visit;
}
