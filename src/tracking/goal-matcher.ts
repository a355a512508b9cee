/** Goal matching: which of a site's goals an action converts. */
import type { GoalTable } from '../db/schema.js';
import { compileTenantRegExp, testTenantRegExp } from '../tenant-regexp.js';
import { readHitAmounts } from './parse-conversion.js';
import { roundRevenue } from './tracking-numbers.js';
import type { ActionInfo, EnrichedHit } from './hit.js';
import type { VisitState } from './visit-state.js';

/**
 * Goal `match_attribute` values that compare the visit's totals with a number instead of
 * an action's text: `visit_duration` in minutes, the others in actions or pageviews.
 */
export const VISIT_GOAL_ATTRIBUTES = ['visit_duration', 'visit_total_actions', 'visit_total_pageviews'] as const;

/** Values a goal's `match_attribute` may take. */
export const GOAL_MATCH_ATTRIBUTES = [
  'url', 'title', 'file', 'external_website', 'manually', 'event_category', 'event_action', 'event_name', ...VISIT_GOAL_ATTRIBUTES,
] as const;

/** Values a goal's `pattern_type` may take for action goals. */
export const GOAL_PATTERN_TYPES = ['contains', 'exact', 'regex'] as const;

/** The `pattern_type` of visit goals: the visit converts once its total is more than the pattern. */
export const VISIT_GOAL_PATTERN_TYPE = 'greater_than';

/** The visit totals after the current hit, which visit goals compare with their pattern. */
export type VisitTotals = Pick<VisitState, 'firstActionTime' | 'lastActionTime' | 'totalActions' | 'pageviews' | 'convertedGoals'>;

/** Goal `match_attribute` values that match an event, the only goals whose revenue may be the event value. */
const EVENT_GOAL_ATTRIBUTES: ReadonlySet<string> = new Set(['event_category', 'event_action', 'event_name']);

/** Returns whether a `match_attribute` matches an event (`GoalManager::isEventMatchingGoal` in Matomo 5). */
export function isEventGoalAttribute(attribute: string): boolean {
  return EVENT_GOAL_ATTRIBUTES.has(attribute);
}

/** Returns whether a `match_attribute` is one of the visit goal attributes. */
export function isVisitGoalAttribute(attribute: string): attribute is (typeof VISIT_GOAL_ATTRIBUTES)[number] {
  return (VISIT_GOAL_ATTRIBUTES as readonly string[]).includes(attribute);
}

/**
 * Returns whether a visit goal converts on this hit: the visit's total is now more than the
 * pattern and the visit has not converted the goal yet, so it converts once per visit even
 * with `allow_multiple`.
 */
export function matchesVisitGoal(goal: Pick<GoalTable, 'idgoal' | 'match_attribute' | 'pattern'>, visit: VisitTotals): boolean {
  if (visit.convertedGoals.has(Number(goal.idgoal))) return false;
  const threshold = Number(goal.pattern);
  if (goal.pattern.trim() === '' || !Number.isFinite(threshold)) return false;
  switch (goal.match_attribute) {
    case 'visit_duration': return (visit.lastActionTime - visit.firstActionTime) / 60_000 > threshold;
    case 'visit_total_actions': return visit.totalActions > threshold;
    case 'visit_total_pageviews': return visit.pageviews > threshold;
    default: return false;
  }
}

/** A goal the hit converts, with the revenue of the conversion. */
export interface GoalConversion {
  goal: GoalTable;
  revenue: number;
}

/** Returns the value of a hit that a goal's `match_attribute` compares, or null when the action has none. */
function matchedValue(attribute: string, action: ActionInfo, hit: EnrichedHit): string | null {
  switch (attribute) {
    case 'url': return action.kind === 'pageview' || action.kind === 'site_search' ? action.pageUrl : null;
    case 'title': return action.kind === 'pageview' ? hit.params.get('action_name') ?? null : null;
    case 'file': return action.kind === 'download' ? action.strings.url?.value ?? null : null;
    case 'external_website': return action.kind === 'outlink' ? action.strings.url?.value ?? null : null;
    case 'event_category': return action.strings.eventCategory?.value ?? null;
    case 'event_action': return action.strings.eventAction?.value ?? null;
    case 'event_name': return action.kind === 'event' ? action.strings.name?.value ?? null : null;
    default: return null;
  }
}

/** Returns whether `value` matches a goal's pattern, honouring `pattern_type` and `case_sensitive`. */
export function matchesPattern(goal: Pick<GoalTable, 'pattern' | 'pattern_type' | 'case_sensitive'>, value: string): boolean {
  const caseSensitive = Number(goal.case_sensitive) === 1;
  if (goal.pattern_type === 'regex') {
    try {
      return testTenantRegExp(compileTenantRegExp(goal.pattern, caseSensitive ? '' : 'i'), value);
    } catch {
      // A pattern stored before the API checked it, which RE2 cannot compile, never matches.
      return false;
    }
  }
  const subject = caseSensitive ? value : value.toLowerCase();
  const pattern = caseSensitive ? goal.pattern : goal.pattern.toLowerCase();
  return goal.pattern_type === 'exact' ? subject === pattern : subject.includes(pattern);
}

/**
 * Returns the goals a hit converts, with their revenue.
 *
 * A manual conversion (`idgoal` above 0) converts only its goal, and an e-commerce order or
 * cart update (`idgoal=0`) converts no goal here. Matomo 5 records no action for either
 * request, and it matches goals only against the action (`GoalsRequestProcessor`,
 * `EcommerceRequestProcessor`). Any other hit converts every goal its action matches, and
 * visit goals when `visit` is given, with the totals that include this hit.
 */
export function matchGoals(hit: EnrichedHit, goals: readonly GoalTable[], visit?: VisitTotals): GoalConversion[] {
  if (hit.conversion !== null) {
    const requested = hit.conversion.idgoal;
    const goal = requested > 0 ? goals.find((candidate) => Number(candidate.idgoal) === requested) : undefined;
    return goal === undefined ? [] : [{ goal, revenue: goalRevenue(goal, hit) }];
  }

  const action = hit.action;
  const conversions: GoalConversion[] = [];
  for (const goal of goals) {
    if (goal.match_attribute === 'manually') continue;
    if (isVisitGoalAttribute(goal.match_attribute)) {
      if (visit !== undefined && matchesVisitGoal(goal, visit)) conversions.push({ goal, revenue: goalRevenue(goal, hit) });
      continue;
    }
    const value = matchedValue(goal.match_attribute, action, hit);
    if (value !== null && matchesPattern(goal, value)) conversions.push({ goal, revenue: goalRevenue(goal, hit) });
  }
  return conversions;
}

/**
 * Returns the visit goals a heartbeat converts: those whose total the visit now passes, each
 * with its default revenue. Matomo 5 converts no goal on a `ping=1` request
 * (`PingRequestProcessor` clears its goals), and Footfall differs on purpose for visit goals.
 * The heartbeat's own `idgoal` and `revenue` are ignored, as an order or cart it carries is.
 */
export function matchVisitGoals(goals: readonly GoalTable[], visit: VisitTotals): GoalConversion[] {
  return goals
    .filter((goal) => isVisitGoalAttribute(goal.match_attribute) && matchesVisitGoal(goal, visit))
    .map((goal) => ({ goal, revenue: roundRevenue(Number(goal.revenue)) }));
}

/**
 * Returns the revenue of a goal conversion as Matomo 5 sets it: the hit's `revenue`, else the
 * goal's default revenue, rounded to 2 decimals (`Ecommerce\Columns\Revenue::onGoalConversion`).
 * The event value `e_v` replaces both, unrounded, for an event goal with `event_value_as_revenue`
 * (`GoalManager::insertNewConversion`).
 */
function goalRevenue(goal: GoalTable, hit: EnrichedHit): number {
  const amounts = readHitAmounts(hit);
  if (Number(goal.event_value_as_revenue) === 1 && isEventGoalAttribute(goal.match_attribute) && amounts.eventValue !== null) {
    return amounts.eventValue;
  }
  return amounts.revenue ?? roundRevenue(Number(goal.revenue));
}
