/** Compiling a parsed segment to a SQL condition over `log_visit`, with every value a bound parameter. */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { FootfallError, quote } from '../errors.js';
import {
  CUSTOM_DIMENSION_SEGMENT, findCloseSegmentNames, SEGMENT_DIMENSIONS,
  type ActionSegmentDimension, type SegmentCustomDimension, type VisitActionSegmentDimension, type VisitSegmentDimension,
} from './segment-dimensions.js';
import { CONTINENT_COUNTRIES } from '../reports/UserCountry/continents.js';
import type { SegmentCondition, SegmentExpression, SegmentOperator } from './segment-parser.js';

type Condition = RawBuilder<SqlBool>;

// '!' escapes LIKE wildcards on every engine; a backslash would need doubling in MySQL strings.
const LIKE_ESCAPE = '!';

function escapeLike(value: string): string {
  return value.replace(/[!%_]/g, (char) => `${LIKE_ESCAPE}${char}`);
}

const URL_PREFIXES: readonly [string, number][] = [['https://www.', 3], ['http://www.', 1], ['https://', 2], ['http://', 0]];

function isNegative(operator: SegmentOperator): boolean {
  return operator === '!=' || operator === '!@';
}

function positiveOperator(operator: SegmentOperator): SegmentOperator {
  if (operator === '!=') return '==';
  if (operator === '!@') return '=@';
  return operator;
}

/** Compares an expression with a value under a positive operator (never != or !@). */
function compare(column: RawBuilder<unknown>, operator: SegmentOperator, value: string | number): Condition {
  switch (operator) {
    case '==':
      return sql<SqlBool>`${column} = ${value}`;
    case '=@':
      return sql<SqlBool>`${column} like ${`%${escapeLike(String(value))}%`} escape '!'`;
    case '=^':
      return sql<SqlBool>`${column} like ${`${escapeLike(String(value))}%`} escape '!'`;
    case '=$':
      return sql<SqlBool>`${column} like ${`%${escapeLike(String(value))}`} escape '!'`;
    case '<':
      return sql<SqlBool>`${column} < ${value}`;
    case '>':
      return sql<SqlBool>`${column} > ${value}`;
    case '<=':
      return sql<SqlBool>`${column} <= ${value}`;
    case '>=':
      return sql<SqlBool>`${column} >= ${value}`;
    default:
      throw new Error(`Operator ${operator} must be made positive before comparing.`);
  }
}

function invalid(condition: SegmentCondition, reason: string): FootfallError {
  return new FootfallError('SEGMENT_INVALID', `Invalid segment condition ${quote(`${condition.name}${condition.operator}${condition.value}`)}: ${reason}`);
}

function numericValue(dimension: VisitSegmentDimension, condition: SegmentCondition): number {
  const mapped = dimension.values?.[condition.value] ?? dimension.values?.[condition.value.toLowerCase()];
  if (mapped !== undefined) return mapped;
  if (/^-?\d+(\.\d+)?$/.test(condition.value)) return Number(condition.value);
  const words = dimension.values ? ` Use a number or one of ${Object.keys(dimension.values).join(', ')}.` : ' Use a number.';
  throw invalid(condition, `the value is not a number.${words}`);
}

/** Turns `daysSinceLastVisit<3` into a comparison of seconds that needs no division in SQL. */
function compareScaled(column: RawBuilder<unknown>, operator: SegmentOperator, value: number, unit: number): Condition {
  const low = value * unit;
  const high = (value + 1) * unit;
  switch (operator) {
    case '==':
      return sql<SqlBool>`(${column} >= ${low} and ${column} < ${high})`;
    case '<':
      return sql<SqlBool>`${column} < ${low}`;
    case '<=':
      return sql<SqlBool>`${column} < ${high}`;
    case '>':
      return sql<SqlBool>`${column} >= ${high}`;
    default:
      return sql<SqlBool>`${column} >= ${low}`;
  }
}

function compileVisitPositive(dimension: VisitSegmentDimension, condition: SegmentCondition, operator: SegmentOperator): Condition {
  const column = sql.ref(`log_visit.${dimension.column}`);
  if (dimension.hourOf) {
    const hour = numericValue(dimension, condition);
    return compare(sql`substr(${column}, 12, 2)`, operator, String(hour).padStart(2, '0'));
  }
  if (dimension.type === 'text') {
    if (!dimension.lowerCase) return compare(column, operator, condition.value);
    // Both sides in lower case, so the match ignores case on every engine.
    return compare(sql`lower(${column})`, operator, condition.value.toLowerCase());
  }
  if (!['==', '<', '>', '<=', '>='].includes(operator)) throw invalid(condition, `the operator ${condition.operator} compares text, but ${condition.name} is a number.`);
  const value = numericValue(dimension, condition);
  return dimension.unitSeconds ? compareScaled(column, operator, value, dimension.unitSeconds) : compare(column, operator, value);
}

function compileVisit(dimension: VisitSegmentDimension, condition: SegmentCondition): Condition {
  const column = sql.ref(`log_visit.${dimension.column}`);
  if (condition.value === '') {
    const empty = dimension.type === 'text' ? sql<SqlBool>`(${column} is null or ${column} = '')` : sql<SqlBool>`${column} is null`;
    return condition.operator === '==' ? empty : sql<SqlBool>`not ${empty}`;
  }
  const positive = compileVisitPositive(dimension, condition, positiveOperator(condition.operator));
  return isNegative(condition.operator) ? sql<SqlBool>`(${column} is null or not (${positive}))` : positive;
}

/** Compares a text column with a value: '' matches null or empty, and != and !@ also match null. */
function compileTextColumn(column: RawBuilder<unknown>, condition: SegmentCondition): Condition {
  if (condition.value === '') {
    const empty = sql<SqlBool>`(${column} is null or ${column} = '')`;
    return condition.operator === '==' ? empty : sql<SqlBool>`not ${empty}`;
  }
  const positive = compare(column, positiveOperator(condition.operator), condition.value);
  return isNegative(condition.operator) ? sql<SqlBool>`(${column} is null or not (${positive}))` : positive;
}

/** Compares `log_action.name` (and `url_prefix` for URLs written with a scheme) with a value. */
function compileActionName(isUrl: boolean, operator: SegmentOperator, value: string): Condition {
  const name = sql.ref('log_action.name');
  if (value === '') return operator === '==' ? sql<SqlBool>`(${name} is null or ${name} = '')` : sql<SqlBool>`(${name} is not null and ${name} <> '')`;
  const prefix = isUrl ? URL_PREFIXES.find(([text]) => value.toLowerCase().startsWith(text)) : undefined;
  const positive = prefix
    ? sql<SqlBool>`(${sql.ref('log_action.url_prefix')} = ${prefix[1]} and ${compare(name, positiveOperator(operator), value.slice(prefix[0].length))})`
    : compare(name, positiveOperator(operator), value);
  return isNegative(operator) ? sql<SqlBool>`not (${positive})` : positive;
}

/**
 * Returns the condition that an action has no value for an action dimension: its column is
 * null or names an empty string. Matomo 5 reads `==` with an empty value as such a test on the
 * action's column, so `pageTitle==` matches actions without a title and `eventName==` events
 * without a name.
 */
function isActionValueEmpty(dimension: ActionSegmentDimension): Condition {
  const column = sql.ref(`log_link_visit_action.${dimension.actionColumn}`);
  const name = sql.ref('log_action.name');
  const emptyNames = sql`select ${sql.ref('log_action.idaction')} from ${sql.table('log_action')} where ${sql.ref('log_action.type')} = ${dimension.actionType} and (${name} is null or ${name} = '')`;
  return sql<SqlBool>`(${column} is null or ${column} in (${emptyNames}))`;
}

function isEmptyEquality(condition: SegmentCondition): boolean {
  return condition.operator === '==' && condition.value === '';
}

function compileAction(dimension: ActionSegmentDimension, condition: SegmentCondition): Condition {
  if (isEmptyEquality(condition)) {
    return sql<SqlBool>`${sql.ref('log_visit.idvisit')} in (select ${sql.ref('log_link_visit_action.idvisit')} from ${sql.table('log_link_visit_action')} where ${isActionValueEmpty(dimension)})`;
  }
  const nameCondition = compileActionName(dimension.isUrl, condition.operator, condition.value);
  return sql<SqlBool>`${sql.ref('log_visit.idvisit')} in (select ${sql.ref('log_link_visit_action.idvisit')} from ${sql.table('log_link_visit_action')} inner join ${sql.table('log_action')} on ${sql.ref('log_action.idaction')} = ${sql.ref(`log_link_visit_action.${dimension.actionColumn}`)} where ${sql.ref('log_action.type')} = ${dimension.actionType} and ${nameCondition})`;
}

function compileVisitAction(dimension: VisitActionSegmentDimension, condition: SegmentCondition): Condition {
  const column = sql.ref(`log_visit.${dimension.visitColumn}`);
  const positive = compileActionName(dimension.isUrl, positiveOperator(condition.operator), condition.value);
  const matching = sql`select ${sql.ref('log_action.idaction')} from ${sql.table('log_action')} where ${sql.ref('log_action.type')} = ${dimension.actionType} and ${positive}`;
  return isNegative(condition.operator) ? sql<SqlBool>`(${column} is null or ${column} not in (${matching}))` : sql<SqlBool>`${column} in (${matching})`;
}

function compileContinent(condition: SegmentCondition): Condition {
  if (condition.operator !== '==' && condition.operator !== '!=') throw invalid(condition, 'continentCode accepts only == and !=.');
  const code = condition.value.toLowerCase();
  const column = sql`lower(${sql.ref('log_visit.location_country')})`;
  let matches: Condition;
  if (code === 'unk') {
    // Matomo's code for visits whose country is unknown or on no continent.
    matches = sql<SqlBool>`(${column} is null or ${column} not in (${sql.join(Object.values(CONTINENT_COUNTRIES).flat())}))`;
    return condition.operator === '==' ? matches : sql<SqlBool>`not ${matches}`;
  }
  const countries = CONTINENT_COUNTRIES[code];
  if (!countries) throw invalid(condition, `unknown continent. Use one of ${[...Object.keys(CONTINENT_COUNTRIES), 'unk'].join(', ')}.`);
  matches = sql<SqlBool>`${column} in (${sql.join([...countries])})`;
  return condition.operator === '==' ? matches : sql<SqlBool>`(${sql.ref('log_visit.location_country')} is null or not (${matches}))`;
}

/** The rows a compiled segment filters: visits, or single actions tested with their visit. */
export type SegmentTarget = 'visits' | 'actions';

/** Tests a visit condition on an action row through the action's visit. */
function onActionVisit(visitCondition: Condition): Condition {
  return sql<SqlBool>`${sql.ref('log_link_visit_action.idvisit')} in (select ${sql.ref('log_visit.idvisit')} from ${sql.table('log_visit')} where ${visitCondition})`;
}

/** Tests an action dimension on the action row itself: its own URL, title or event field must match. */
function compileActionRow(dimension: ActionSegmentDimension, condition: SegmentCondition): Condition {
  if (isEmptyEquality(condition)) return isActionValueEmpty(dimension);
  const nameCondition = compileActionName(dimension.isUrl, condition.operator, condition.value);
  return sql<SqlBool>`${sql.ref(`log_link_visit_action.${dimension.actionColumn}`)} in (select ${sql.ref('log_action.idaction')} from ${sql.table('log_action')} where ${sql.ref('log_action.type')} = ${dimension.actionType} and ${nameCondition})`;
}

/** The site a segment is compiled for, whose custom dimensions `dimension<id>` names refer to. */
export interface SegmentSite {
  siteId: number;
  /** Every configured dimension of the site, so an inactive one gets its own error. */
  customDimensions: readonly SegmentCustomDimension[];
}

/** Maximum slot of `custom_dimension_N` in either log table. */
const MAX_CUSTOM_DIMENSION_SLOT = 5;

/**
 * Finds the custom dimension a `dimension<id>` name refers to. Only active dimensions have
 * segments, as in Matomo.
 *
 * @throws FootfallError SEGMENT_INVALID when the site has no dimension of that id or it is inactive.
 */
function findCustomDimension(condition: SegmentCondition, idDimension: number, site: SegmentSite): SegmentCustomDimension {
  const dimension = site.customDimensions.find((candidate) => candidate.idcustomdimension === idDimension);
  if (!dimension) {
    throw new FootfallError('SEGMENT_INVALID', `Invalid segment: custom dimension ${idDimension} (segment name ${quote(condition.name)}) is not configured for site ${site.siteId}. Use an id that CustomDimensions.getConfiguredCustomDimensions lists for that site.`);
  }
  if (!dimension.active) {
    throw new FootfallError('SEGMENT_INVALID', `Invalid segment: custom dimension ${idDimension} (segment name ${quote(condition.name)}) of site ${site.siteId} is inactive. Activate it with CustomDimensions.configureExistingCustomDimension.`);
  }
  if (!Number.isInteger(dimension.index) || dimension.index < 1 || dimension.index > MAX_CUSTOM_DIMENSION_SLOT) {
    throw invalid(condition, `custom dimension ${idDimension} of site ${site.siteId} has the invalid slot ${dimension.index}.`);
  }
  return dimension;
}

/**
 * Compiles `dimension<id>`. A visit-scope dimension tests the visit's own column. An
 * action-scope one tests each action row for reports of actions, and otherwise matches the
 * visits that have at least one action whose value matches (so `!=` keeps a visit with any
 * action of another or no value).
 */
function compileCustomDimension(condition: SegmentCondition, idDimension: number, target: SegmentTarget, site: SegmentSite | undefined): Condition {
  if (!site) throw invalid(condition, 'custom dimension segments need the site they are compiled for, and none was given.');
  const dimension = findCustomDimension(condition, idDimension, site);
  if (dimension.scope === 'visit') {
    const visitCondition = compileTextColumn(sql.ref(`log_visit.custom_dimension_${dimension.index}`), condition);
    return target === 'actions' ? onActionVisit(visitCondition) : visitCondition;
  }
  const actionCondition = compileTextColumn(sql.ref(`log_link_visit_action.custom_dimension_${dimension.index}`), condition);
  if (target === 'actions') return actionCondition;

  const actionsOfSite = sql`select ${sql.ref('log_link_visit_action.idvisit')} from ${sql.table('log_link_visit_action')} where ${sql.ref('log_link_visit_action.idsite')} = ${site.siteId}`;
  return sql<SqlBool>`${sql.ref('log_visit.idvisit')} in (${actionsOfSite} and ${actionCondition})`;
}

function compileCondition(condition: SegmentCondition, target: SegmentTarget, site: SegmentSite | undefined): Condition {
  const customDimension = CUSTOM_DIMENSION_SEGMENT.exec(condition.name);
  if (customDimension) return compileCustomDimension(condition, Number(customDimension[1]), target, site);
  const dimension = SEGMENT_DIMENSIONS[condition.name];
  if (!dimension) {
    const close = findCloseSegmentNames(condition.name);
    const hint = close.length > 0 ? ` Did you mean ${close.join(', ')}?` : ` Known names include ${Object.keys(SEGMENT_DIMENSIONS).slice(0, 8).join(', ')}.`;
    throw new FootfallError('SEGMENT_INVALID', `Invalid segment: the segment name ${quote(condition.name)} does not exist.${hint}`);
  }
  if (dimension.kind === 'action') return target === 'actions' ? compileActionRow(dimension, condition) : compileAction(dimension, condition);

  let visitCondition: Condition;
  switch (dimension.kind) {
    case 'visit':
      visitCondition = compileVisit(dimension, condition);
      break;
    case 'visitAction':
      visitCondition = compileVisitAction(dimension, condition);
      break;
    case 'continent':
      visitCondition = compileContinent(condition);
      break;
  }
  return target === 'actions' ? onActionVisit(visitCondition) : visitCondition;
}

/**
 * Compiles a parsed segment to a condition over `log_visit` rows, or over
 * `log_link_visit_action` rows for the `actions` target. Values are bound
 * parameters and column names come only from the known dimensions and the slots of the
 * site's custom dimensions, so no input reaches SQL text. `site` is needed only for
 * `dimension<id>` names.
 *
 * @throws FootfallError SEGMENT_INVALID naming an unknown segment (with close names), a
 *   custom dimension the site does not have, or a bad value.
 */
export function compileSegment(expression: SegmentExpression, target: SegmentTarget = 'visits', site?: SegmentSite): Condition {
  const groups = expression.and.map((group) => sql<SqlBool>`(${sql.join(group.or.map((condition) => compileCondition(condition, target, site)), sql` or `)})`);
  return sql<SqlBool>`(${sql.join(groups, sql` and `)})`;
}
