/** The log rows one archive is computed from: a site's visits and actions in UTC bounds, under an optional segment. */
import { sql, type Expression, type Kysely, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { Zone } from 'luxon';
import type { Database } from '../db/schema.js';
import type { UtcBounds } from './period.js';

/** A segment compiled to a condition over `log_visit` rows, with its values as bound parameters. */
export type VisitCondition = Expression<SqlBool>;

/**
 * A segment compiled twice: over visits, and over single actions for reports of actions.
 * In the action form an action dimension such as `pageUrl` tests the action row itself,
 * so a report of actions counts only the matching actions, as Matomo does.
 */
export interface SegmentConditions {
  visits: VisitCondition;
  actions: Expression<SqlBool>;
}

/**
 * Starting points of the SQL of one archive. Visits count in the period of their last
 * action, as Matomo counts them; actions count in the period of their own time.
 */
export class LogQuery {
  readonly db: Kysely<Database>;
  readonly siteId: number;
  readonly bounds: UtcBounds;
  readonly segment: SegmentConditions | null;
  /** The site's time zone, for reports keyed by local time such as visits per hour. */
  readonly zone: Zone;

  constructor(db: Kysely<Database>, siteId: number, bounds: UtcBounds, segment: SegmentConditions | null, zone: Zone) {
    this.db = db;
    this.siteId = siteId;
    this.bounds = bounds;
    this.segment = segment;
    this.zone = zone;
  }

  /** Returns the site's visits whose last action lies in the bounds and that match the segment. */
  visits(): SelectQueryBuilder<Database, 'log_visit', {}> {
    let query = this.db.selectFrom('log_visit')
      .where('log_visit.idsite', '=', this.siteId)
      .where('log_visit.visit_last_action_time', '>=', this.bounds.start)
      .where('log_visit.visit_last_action_time', '<', this.bounds.end);
    if (this.segment) query = query.where(this.segment.visits);
    return query;
  }

  /** Returns the site's actions in the bounds that match the segment, tested on each action with its visit. */
  actions(): SelectQueryBuilder<Database, 'log_link_visit_action', {}> {
    let query = this.db.selectFrom('log_link_visit_action')
      .where('log_link_visit_action.idsite', '=', this.siteId)
      .where('log_link_visit_action.server_time', '>=', this.bounds.start)
      .where('log_link_visit_action.server_time', '<', this.bounds.end);
    if (this.segment) query = query.where(this.segment.actions);
    return query;
  }
}

/** Sums a 0/1 condition, for counts such as bounces inside one GROUP BY. */
export function countWhere(condition: Expression<SqlBool>): ReturnType<typeof sql<number>> {
  return sql<number>`sum(case when ${condition} then 1 else 0 end)`;
}
