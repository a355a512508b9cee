/** Archiving of Events: events by category, action and name, each with the next dimension as subtables. */
import { sql } from 'kysely';
import type { LogQuery } from '../../archiving/log-query.js';
import type { ReportArchiver } from '../../archiving/report-archiver.js';
import type { ReportRow } from '../../archiving/report-table.js';
import { countWhere } from '../../archiving/log-query.js';
import { segmentValue } from '../dimension-table.js';
import { countOptionalActions } from '../log-contents.js';

/** The event dimensions: the action column of each and its segment name. */
const EVENT_DIMENSIONS = {
  category: { column: 'idaction_event_category', segment: 'eventCategory' },
  action: { column: 'idaction_event_action', segment: 'eventAction' },
  name: { column: 'idaction_name', segment: 'eventName' },
} as const;

/** One event dimension: category, action or name. */
export type EventDimension = keyof typeof EVENT_DIMENSIONS;

/** Each report's primary dimension and the secondary dimension of its subtables by default, then the other one (`secondaryDimension`). */
export const EVENT_REPORT_DIMENSIONS: Readonly<Record<string, { primary: EventDimension; secondaries: readonly [EventDimension, EventDimension] }>> = {
  getCategory: { primary: 'category', secondaries: ['action', 'name'] },
  getAction: { primary: 'action', secondaries: ['name', 'category'] },
  getName: { primary: 'name', secondaries: ['action', 'category'] },
};

/** Returns the record of an Events report whose subtables use a secondary dimension: `Events_getCategory`, or `Events_getCategory_eventName` for the other one. */
export function eventRecord(action: string, secondary: EventDimension): string {
  const dimensions = EVENT_REPORT_DIMENSIONS[action]!;
  return secondary === dimensions.secondaries[0] ? `Events_${action}` : `Events_${action}_${EVENT_DIMENSIONS[secondary].segment}`;
}

/** Returns the segment name of a dimension, which `secondaryDimension` uses: `eventName`. */
export function eventSegmentName(dimension: EventDimension): string {
  return EVENT_DIMENSIONS[dimension].segment;
}

/** Returns the dimension of a `secondaryDimension` value (`eventName`), or undefined. */
export function parseEventDimension(segmentName: string): EventDimension | undefined {
  return (Object.keys(EVENT_DIMENSIONS) as EventDimension[]).find((dimension) => EVENT_DIMENSIONS[dimension].segment === segmentName);
}

interface EventMetricsRow {
  labels: string[];
  metrics: Record<string, number>;
}

/** Label of events sent without a name, as Matomo labels them. */
export const EVENT_NAME_NOT_SET = 'Event name not defined';

async function loadEventMetricsBy(query: LogQuery, dimensions: readonly EventDimension[]): Promise<EventMetricsRow[]> {
  let select = query.actions().where('log_link_visit_action.idaction_event_category', 'is not', null) as any;
  dimensions.forEach((dimension, index) => {
    const alias = `event_${index}`;
    select = select.leftJoin(`log_action as ${alias}`, `${alias}.idaction`, `log_link_visit_action.${EVENT_DIMENSIONS[dimension].column}`);
  });
  const value = sql.ref('log_link_visit_action.custom_float');
  select = select.select([
    ...dimensions.map((_, index) => sql`${sql.ref(`event_${index}.name`)}`.as(`d${index}`)),
    sql`count(distinct ${sql.ref('log_link_visit_action.idvisitor')})`.as('nb_uniq_visitors'),
    sql`count(distinct ${sql.ref('log_link_visit_action.idvisit')})`.as('nb_visits'),
    sql`count(*)`.as('nb_events'),
    countWhere(sql`${value} is not null`).as('nb_events_with_value'),
    sql`sum(coalesce(${value}, 0))`.as('sum_event_value'),
    sql`min(${value})`.as('min_event_value'),
    sql`max(${value})`.as('max_event_value'),
  ]).groupBy(dimensions.map((_, index) => sql.raw(String(index + 1))));

  const rows = (await select.execute()) as Record<string, unknown>[];
  return rows.map((row) => {
    const metrics: Record<string, number> = {};
    for (const name of ['nb_uniq_visitors', 'nb_visits', 'nb_events', 'nb_events_with_value', 'sum_event_value']) metrics[name] = Number(row[name] ?? 0);
    // Min and max exist only for events with a value; leaving them out keeps a day without values from pulling a min to 0.
    if (row.min_event_value !== null && row.min_event_value !== undefined) metrics.min_event_value = Number(row.min_event_value);
    if (row.max_event_value !== null && row.max_event_value !== undefined) metrics.max_event_value = Number(row.max_event_value);
    return { labels: dimensions.map((dimension, index) => labelOf(dimension, row[`d${index}`])), metrics };
  });
}

function labelOf(dimension: EventDimension, value: unknown): string {
  if (value === null || value === undefined || value === '') return dimension === 'name' ? EVENT_NAME_NOT_SET : 'Unknown';
  return String(value);
}

function describe(dimension: EventDimension, label: string): Record<string, string> {
  const value = label === EVENT_NAME_NOT_SET ? '' : label;
  return { segment: `${EVENT_DIMENSIONS[dimension].segment}==${segmentValue(value)}` };
}

async function archiveEventTable(query: LogQuery, primary: EventDimension, secondary: EventDimension): Promise<ReportRow[]> {
  const parents = await loadEventMetricsBy(query, [primary]);
  if (parents.length === 0) return [];
  const children = await loadEventMetricsBy(query, [primary, secondary]);
  const rows = new Map<string, ReportRow>(parents.map((parent) => [parent.labels[0]!, { label: parent.labels[0]!, metrics: parent.metrics, metadata: describe(primary, parent.labels[0]!) }]));
  for (const child of children) {
    const parent = rows.get(child.labels[0]!);
    if (!parent) continue;
    (parent.subtable ??= []).push({ label: child.labels[1]!, metrics: child.metrics, metadata: describe(secondary, child.labels[1]!) });
  }
  const byEvents = (a: ReportRow, b: ReportRow) => (b.metrics.nb_events ?? 0) - (a.metrics.nb_events ?? 0) || a.label.localeCompare(b.label);
  for (const row of rows.values()) row.subtable?.sort(byEvents);
  return [...rows.values()].sort(byEvents);
}

/** Computes the Events report tables of a day. */
export const eventsArchiver: ReportArchiver = {
  module: 'Events',

  async archiveDay(query) {
    const reports: Record<string, ReportRow[]> = {};
    // Every table counts the same event actions, so once one table is empty the others are too and their scans are skipped.
    let hasEvents = (await countOptionalActions(query)).events > 0;
    for (const [action, { primary, secondaries }] of Object.entries(EVENT_REPORT_DIMENSIONS)) {
      for (const secondary of secondaries) {
        const table: ReportRow[] = hasEvents ? await archiveEventTable(query, primary, secondary) : [];
        reports[eventRecord(action, secondary)] = table;
        hasEvents = table.length > 0;
      }
    }
    return { numerics: {}, reports };
  },
};
