/** Goals of a site, in the tenant database. */
import type { Kysely } from 'kysely';
import type { Database, GoalTable } from '../db/schema.js';
import { FootfallError, quote } from '../errors.js';
import { compileTenantRegExp, InvalidTenantRegExpError, TENANT_REGEXP_SYNTAX_HINT } from '../tenant-regexp.js';
import {
  GOAL_MATCH_ATTRIBUTES, GOAL_PATTERN_TYPES, isEventGoalAttribute, isVisitGoalAttribute, VISIT_GOAL_PATTERN_TYPE,
} from '../tracking/goal-matcher.js';

/** Maximum goal name length, as Matomo's column allows. */
const MAX_GOAL_NAME_LENGTH = 50;
/** Length of `goal.pattern`, a varchar(255) column. */
const MAX_GOAL_PATTERN_LENGTH = 255;

/** The fields of a goal a caller sets. */
export interface GoalFields {
  name: string;
  matchAttribute: string;
  pattern: string;
  patternType: string;
  caseSensitive: boolean;
  revenue: number;
  allowMultiple: boolean;
  description: string;
  eventValueAsRevenue: boolean;
}

/**
 * Checks goal fields.
 *
 * @throws FootfallError GOAL_INVALID naming the bad field and what it accepts.
 */
export function validateGoal(fields: GoalFields): void {
  const name = fields.name.trim();
  if (name === '' || name.length > MAX_GOAL_NAME_LENGTH) {
    throw new FootfallError('GOAL_INVALID', `Invalid goal name ${quote(fields.name)}. Use 1 to ${MAX_GOAL_NAME_LENGTH} characters.`);
  }
  if (!(GOAL_MATCH_ATTRIBUTES as readonly string[]).includes(fields.matchAttribute)) {
    throw new FootfallError('GOAL_INVALID', `Invalid matchAttribute ${quote(fields.matchAttribute)}. Use one of ${GOAL_MATCH_ATTRIBUTES.join(', ')}.`);
  }
  if (isVisitGoalAttribute(fields.matchAttribute)) {
    validateVisitGoal(fields);
  } else if (fields.matchAttribute !== 'manually' && !(GOAL_PATTERN_TYPES as readonly string[]).includes(fields.patternType)) {
    throw new FootfallError('GOAL_INVALID', `Invalid patternType ${quote(fields.patternType)}. Use contains, exact or regex.`);
  }
  if (fields.matchAttribute !== 'manually' && fields.pattern === '') {
    throw new FootfallError('GOAL_INVALID', 'Invalid pattern: it is empty. Give the text or regular expression the goal matches.');
  }
  // A longer pattern would be stored cut short, and then match something else or not compile.
  if (fields.pattern.length > MAX_GOAL_PATTERN_LENGTH) {
    throw new FootfallError('GOAL_INVALID', `Invalid pattern ${quote(fields.pattern.slice(0, 40))}...: it has ${fields.pattern.length} characters. Use at most ${MAX_GOAL_PATTERN_LENGTH}.`);
  }
  if (fields.patternType === 'regex') {
    try {
      compileTenantRegExp(fields.pattern, '');
    } catch (error) {
      if (!(error instanceof InvalidTenantRegExpError)) throw error;
      throw new FootfallError('GOAL_INVALID', `Invalid pattern ${quote(fields.pattern)}: ${error.reason}. ${TENANT_REGEXP_SYNTAX_HINT}`);
    }
  }
  if (!Number.isFinite(fields.revenue) || fields.revenue < 0) {
    throw new FootfallError('GOAL_INVALID', `Invalid revenue ${quote(String(fields.revenue))}. Expected a number of at least 0.`);
  }
}

/** Checks the pattern of a visit goal: a number of minutes, or a whole number of actions or pageviews. */
function validateVisitGoal(fields: GoalFields): void {
  if (fields.patternType !== VISIT_GOAL_PATTERN_TYPE) {
    throw new FootfallError('GOAL_INVALID', `Invalid patternType ${quote(fields.patternType)} for matchAttribute ${fields.matchAttribute}. Use ${VISIT_GOAL_PATTERN_TYPE}.`);
  }
  const pattern = fields.pattern.trim();
  if (fields.matchAttribute === 'visit_duration') {
    if (!/^\d+(\.\d+)?$/.test(pattern)) {
      throw new FootfallError('GOAL_INVALID', `Invalid pattern ${quote(fields.pattern)} for matchAttribute visit_duration. Expected a number of minutes of at least 0, such as 5 or 0.5.`);
    }
    return;
  }
  if (!/^\d+$/.test(pattern)) {
    throw new FootfallError('GOAL_INVALID', `Invalid pattern ${quote(fields.pattern)} for matchAttribute ${fields.matchAttribute}. Expected a whole number of at least 0, such as 3.`);
  }
}

function toColumns(fields: GoalFields): Omit<GoalTable, 'idsite' | 'idgoal' | 'deleted'> {
  return {
    name: fields.name.trim(), description: fields.description.slice(0, 255), match_attribute: fields.matchAttribute,
    pattern: fields.pattern, pattern_type: fields.patternType || 'contains', case_sensitive: fields.caseSensitive ? 1 : 0,
    allow_multiple: fields.allowMultiple ? 1 : 0, revenue: fields.revenue, event_value_as_revenue: fields.eventValueAsRevenue ? 1 : 0,
  };
}

/** Adds a goal and returns its id: one more than the highest id the site ever used, deleted goals included. */
export async function createGoal(db: Kysely<Database>, siteId: number, fields: GoalFields): Promise<number> {
  validateGoal(fields);
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('goal').select((eb) => eb.fn.max('idgoal').as('maxId')).where('idsite', '=', siteId).executeTakeFirst();
    const idgoal = Number(row?.maxId ?? 0) + 1;
    await trx.insertInto('goal').values({ idsite: siteId, idgoal, deleted: 0, ...toColumns(fields) }).execute();
    return idgoal;
  });
}

/** Replaces the fields of a goal. @throws FootfallError GOAL_NOT_FOUND, GOAL_INVALID. */
export async function updateGoal(db: Kysely<Database>, siteId: number, idgoal: number, fields: GoalFields): Promise<void> {
  validateGoal(fields);
  // Matomo 5 checks this on update only (plugins/Goals/API.php, checkEventValueAsRevenue), so
  // createGoal stores the flag on any goal, and tracking applies it to event goals only.
  if (fields.eventValueAsRevenue && !isEventGoalAttribute(fields.matchAttribute)) {
    throw new FootfallError('GOAL_INVALID', `Invalid useEventValueAsRevenue '1' for matchAttribute ${fields.matchAttribute}. Use it only with event_category, event_action or event_name, or send useEventValueAsRevenue=0.`);
  }
  const result = await db.updateTable('goal').set(toColumns(fields)).where('idsite', '=', siteId).where('idgoal', '=', idgoal).where('deleted', '=', 0).executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw goalNotFound(siteId, idgoal);
}

/** Marks a goal deleted; its conversions stay, as in Matomo. @throws FootfallError GOAL_NOT_FOUND. */
export async function deleteGoal(db: Kysely<Database>, siteId: number, idgoal: number): Promise<void> {
  const result = await db.updateTable('goal').set({ deleted: 1 }).where('idsite', '=', siteId).where('idgoal', '=', idgoal).where('deleted', '=', 0).executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw goalNotFound(siteId, idgoal);
}

/** Returns the goals of a site that are not deleted, by id. */
export async function loadGoals(db: Kysely<Database>, siteId: number): Promise<GoalTable[]> {
  const rows = await db.selectFrom('goal').selectAll().where('idsite', '=', siteId).where('deleted', '=', 0).orderBy('idgoal').execute();
  return rows.map((row) => ({ ...row, idsite: Number(row.idsite), idgoal: Number(row.idgoal), revenue: Number(row.revenue) }));
}

function goalNotFound(siteId: number, idgoal: number): FootfallError {
  return new FootfallError('GOAL_NOT_FOUND', `Goal ${quote(String(idgoal))} does not exist on site ${siteId}. Use Goals.getGoals to list the goals.`);
}
