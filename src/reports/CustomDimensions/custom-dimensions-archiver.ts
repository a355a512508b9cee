/** Archiving of CustomDimensions: visits by the value of each visit-scope dimension, actions by each action-scope one. */
import { sql } from 'kysely';
import { countWhere, type LogQuery } from '../../archiving/log-query.js';
import type { ReportArchiver } from '../../archiving/report-archiver.js';
import type { ReportRow } from '../../archiving/report-table.js';
import { archiveDimensionTable, segmentValue } from '../dimension-table.js';
import { loadCustomDimensions, type CustomDimension } from './custom-dimension-store.js';

/** Label of an empty value, as Matomo labels it. */
export const VALUE_NOT_DEFINED = 'Value not defined';

/** Returns the archive record of one custom dimension, by its id. */
export function customDimensionRecord(idDimension: number): string {
  return `CustomDimensions_getCustomDimension_idDimension--${idDimension}`;
}

function labelOf(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return text === '' ? VALUE_NOT_DEFINED : text;
}

/** Returns a row's label and `segment` metadata, named `dimension<id>` after the dimension's id as in Matomo. */
function describe(dimension: CustomDimension, value: unknown): { label: string; metadata: Record<string, string> } {
  const text = value === null || value === undefined ? '' : String(value);
  return { label: labelOf(value), metadata: { segment: `dimension${dimension.idcustomdimension}==${segmentValue(text)}` } };
}

/**
 * Builds the table of a visit-scope dimension: visit metrics and goal conversions by value.
 * Visits without a value (NULL) are left out and an empty value is "Value not defined", as in Matomo.
 */
function archiveVisitDimension(query: LogQuery, dimension: CustomDimension): Promise<ReportRow[]> {
  const column = sql.ref(`log_visit.custom_dimension_${dimension.index}`);
  return archiveDimensionTable(query, {
    dimension: column,
    where: sql`${column} is not null`,
    describe: (value) => describe(dimension, value),
  });
}

/**
 * Returns the action metrics of one group of actions, in the order the rows list them. The exit
 * is the visit's last action of any type, as Matomo 5 counts `log_visit.last_idlink_va`.
 */
function actionMetricSelections(query: LogQuery) {
  const later = query.db.selectFrom('log_link_visit_action as later').select(sql.lit(1).as('found'))
    .where(sql<boolean>`${sql.ref('later.idvisit')} = ${sql.ref('log_link_visit_action.idvisit')}`)
    .where(sql<boolean>`${sql.ref('later.idlink_va')} > ${sql.ref('log_link_visit_action.idlink_va')}`);
  const exit = sql`not exists ${later}`;
  return [
    sql<number>`count(distinct ${sql.ref('log_link_visit_action.idvisitor')})`.as('nb_uniq_visitors'),
    sql<number>`count(distinct ${sql.ref('log_link_visit_action.idvisit')})`.as('nb_visits'),
    sql<number>`count(*)`.as('nb_hits'),
    sql<number>`sum(coalesce(${sql.ref('log_link_visit_action.time_spent')}, 0))`.as('sum_time_spent'),
    // An action of a visit of at most one action is a bounce.
    countWhere(sql`${sql.ref('log_visit.visit_total_actions')} <= 1`).as('bounce_count'),
    countWhere(exit as any).as('exit_nb_visits'),
  ];
}

function toActionMetrics(row: Record<string, unknown>): Record<string, number> {
  const names = ['nb_uniq_visitors', 'nb_visits', 'nb_hits', 'sum_time_spent', 'bounce_count', 'exit_nb_visits'];
  return Object.fromEntries(names.map((name) => [name, Number(row[name] ?? 0)]));
}

function byHits(left: ReportRow, right: ReportRow): number {
  return (right.metrics.nb_hits ?? 0) - (left.metrics.nb_hits ?? 0) || left.label.localeCompare(right.label);
}

/**
 * Builds the table of an action-scope dimension: the actions that have a value, grouped by
 * value, each row with the page URLs of those actions as its subtable. Distinct visits are
 * counted once per value and once per URL, so a row does not add up its subtable's visits.
 */
async function archiveActionDimension(query: LogQuery, dimension: CustomDimension): Promise<ReportRow[]> {
  const column = sql.ref(`log_link_visit_action.custom_dimension_${dimension.index}`);
  const base = () => query.actions()
    .innerJoin('log_visit', 'log_visit.idvisit', 'log_link_visit_action.idvisit')
    .where(sql<boolean>`${column} is not null`);

  // Grouping by position, as PostgreSQL would not match repeated expressions with bound values.
  const values = await base().select([sql`${column}`.as('value'), ...actionMetricSelections(query)]).groupBy(sql.raw('1') as any).execute() as Record<string, unknown>[];
  const rows = new Map<string, ReportRow>();
  for (const value of values) {
    const description = describe(dimension, value.value);
    const existing = rows.get(description.label);
    const metrics = toActionMetrics(value);
    if (existing) for (const [name, number] of Object.entries(metrics)) existing.metrics[name] = (existing.metrics[name] ?? 0) + number;
    else rows.set(description.label, { ...description, metrics });
  }

  const urls = await base()
    .innerJoin('log_action', 'log_action.idaction', 'log_link_visit_action.idaction_url')
    .select([sql`${column}`.as('value'), sql<string>`${sql.ref('log_action.name')}`.as('url'), ...actionMetricSelections(query)])
    .groupBy([sql.raw('1'), sql.raw('2')] as any).execute() as Record<string, unknown>[];
  for (const url of urls) {
    const parent = rows.get(labelOf(url.value));
    if (!parent) continue;
    (parent.subtable ??= []).push({ label: String(url.url), metrics: toActionMetrics(url) });
  }
  for (const row of rows.values()) row.subtable?.sort(byHits);
  return [...rows.values()].sort(byHits);
}

/**
 * Computes one table per active custom dimension of the site, read from the configuration
 * when the day is archived. A dimension configured later has no table for earlier days.
 */
export const customDimensionsArchiver: ReportArchiver = {
  module: 'CustomDimensions',

  async archiveDay(query) {
    const reports: Record<string, ReportRow[]> = {};
    for (const dimension of await loadCustomDimensions(query.db, query.siteId)) {
      if (!dimension.active) continue;
      reports[customDimensionRecord(dimension.idcustomdimension)] = dimension.scope === 'visit'
        ? await archiveVisitDimension(query, dimension)
        : await archiveActionDimension(query, dimension);
    }
    return { numerics: {}, reports };
  },
};
