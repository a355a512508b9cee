/** Archiving of VisitTime: visits by hour of the day, in the site's time zone and in the visitor's local time. */
import { DateTime } from 'luxon';
import { sql, type RawBuilder } from 'kysely';
import type { LogQuery } from '../../archiving/log-query.js';
import type { ReportArchiver } from '../../archiving/report-archiver.js';
import { combineMetric, type ReportRow } from '../../archiving/report-table.js';
import { loadVisitMetricsBy, loadVisitTotals, visitMetricsOf } from '../visit-metrics.js';

/**
 * Returns the site-local hour of a UTC time column as a CASE over the UTC starts of the
 * day's local hours. Comparing with those bounds stays exact for zones such as UTC+5:45,
 * where a UTC hour spans two local hours, and on days when clocks change.
 */
function localHourExpression(query: LogQuery, column: string): RawBuilder<number> {
  const end = DateTime.fromSQL(query.bounds.end, { zone: 'utc' });
  let hourStart = DateTime.fromSQL(query.bounds.start, { zone: 'utc' }).setZone(query.zone);
  const branches: RawBuilder<unknown>[] = [];
  while (hourStart < end) {
    const nextHour = hourStart.startOf('hour').plus({ hours: 1 });
    const boundary = nextHour.toUTC().toFormat('yyyy-MM-dd HH:mm:ss');
    branches.push(sql`when ${sql.ref(column)} < ${boundary} then ${hourStart.hour}`);
    hourStart = nextHour;
  }
  return sql<number>`case ${sql.join(branches, sql` `)} else null end`;
}

function toHourRows(groups: { hour: number; metrics: Record<string, number> }[]): ReportRow[] {
  const byHour = new Map<number, ReportRow>();
  for (const group of groups) {
    const row = byHour.get(group.hour);
    if (!row) {
      byHour.set(group.hour, { label: `${group.hour}h`, metrics: { ...group.metrics } });
      continue;
    }
    for (const [name, value] of Object.entries(group.metrics)) row.metrics[name] = combineMetric(name, row.metrics[name] ?? 0, value);
  }
  return [...byHour.entries()].sort(([a], [b]) => a - b).map(([, row]) => row);
}

/** English weekday names, Monday first, as ISO weekday numbers 1 to 7 index them. */
export const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

/** Returns the one row of a day for `getByDayOfWeek`: the day's visit metrics under its weekday in the site's zone. */
async function archiveDayOfWeek(query: LogQuery): Promise<ReportRow[]> {
  const totals = await loadVisitTotals(query);
  if (totals.nb_visits === 0) return [];
  const weekday = DateTime.fromSQL(query.bounds.start, { zone: 'utc' }).setZone(query.zone).weekday;
  return [{ label: WEEKDAY_NAMES[weekday - 1]!, metrics: visitMetricsOf(totals), metadata: { day_of_week: weekday } }];
}

/** Computes the VisitTime report tables of a day. */
export const visitTimeArchiver: ReportArchiver = {
  module: 'VisitTime',

  async archiveDay(query) {
    const serverGroups = await loadVisitMetricsBy(query, [localHourExpression(query, 'log_visit.visit_last_action_time')]);
    const server = toHourRows(serverGroups.map((group) => ({ hour: Number(group.dimensions[0]), metrics: group.metrics })));

    const localGroups = await loadVisitMetricsBy(query, [sql`substr(${sql.ref('log_visit.visitor_localtime')}, 1, 2)`], sql`${sql.ref('log_visit.visitor_localtime')} is not null`);
    const local = toHourRows(localGroups.map((group) => ({ hour: Number(group.dimensions[0]), metrics: group.metrics })));
    return {
      numerics: {},
      reports: {
        VisitTime_getVisitInformationPerServerTime: server,
        VisitTime_getVisitInformationPerLocalTime: local,
        VisitTime_getByDayOfWeek: await archiveDayOfWeek(query),
      },
    };
  },
};
