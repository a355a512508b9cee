/** Archiving of VisitTime: visits by hour of the day, in the site's time zone and in the visitor's local time. */
import { DateTime } from 'luxon';
import { sql } from 'kysely';
import type { LogQuery } from '../../archiving/log-query.js';
import type { ReportArchiver } from '../../archiving/report-archiver.js';
import { combineMetric, type ReportRow } from '../../archiving/report-table.js';
import { loadVisitMetricsBy } from '../visit-metrics.js';

/**
 * Returns the site-local hour of a UTC hour inside the bounds of a day. Log times are UTC,
 * so the hour is grouped in SQL and shifted here by the zone's offset at that instant.
 */
function localHourOf(query: LogQuery, utcHour: number): number {
  const start = DateTime.fromSQL(query.bounds.start, { zone: 'utc' });
  let instant = start.set({ hour: utcHour, minute: 0, second: 0 });
  if (instant < start.startOf('hour')) instant = instant.plus({ days: 1 });
  return instant.setZone(query.zone).hour;
}

function toHourRows(groups: { hour: number; metrics: Record<string, number> }[]): ReportRow[] {
  const byHour = new Map<number, ReportRow>();
  for (const group of groups) {
    const row = byHour.get(group.hour);
    if (!row) {
      byHour.set(group.hour, { label: `${group.hour}h`, metrics: { ...group.metrics } });
      continue;
    }
    // On a day when clocks go back, two UTC hours fall on one local hour; their uniques are summed, an upper bound.
    for (const [name, value] of Object.entries(group.metrics)) row.metrics[name] = combineMetric(name, row.metrics[name] ?? 0, value);
  }
  return [...byHour.entries()].sort(([a], [b]) => a - b).map(([, row]) => row);
}

/** Computes the VisitTime report tables of a day. */
export const visitTimeArchiver: ReportArchiver = {
  module: 'VisitTime',

  async archiveDay(query) {
    const serverGroups = await loadVisitMetricsBy(query, [sql`substr(${sql.ref('log_visit.visit_last_action_time')}, 12, 2)`]);
    const server = toHourRows(serverGroups.map((group) => ({ hour: localHourOf(query, Number(group.dimensions[0])), metrics: group.metrics })));

    const localGroups = await loadVisitMetricsBy(query, [sql`substr(${sql.ref('log_visit.visitor_localtime')}, 1, 2)`], sql`${sql.ref('log_visit.visitor_localtime')} is not null`);
    const local = toHourRows(localGroups.map((group) => ({ hour: Number(group.dimensions[0]), metrics: group.metrics })));
    return { numerics: {}, reports: { VisitTime_getVisitInformationPerServerTime: server, VisitTime_getVisitInformationPerLocalTime: local } };
  },
};
