/** Loading the visits that entered or left the site on each page URL and page title of a day. */
import { sql } from 'kysely';
import { countWhere, type LogQuery } from '../../archiving/log-query.js';
import type { PageMetrics } from './page-tree.js';

/** Visits that entered or left the site on one action, with their actions, length and bounces. */
export interface EntryExitStats {
  visits: number;
  actions: number;
  length: number;
  bounces: number;
}

/** Entry or exit visits by page URL action and by page title action. */
export interface EntryExitByColumn {
  idaction_url: Map<number, EntryExitStats>;
  idaction_name: Map<number, EntryExitStats>;
  /** Visits whose entry (or exit) action had a URL but no title, by URL action. */
  untitledByUrl: Map<number, EntryExitStats>;
  /** Visits whose entry (or exit) action had a title but no URL, by title action. */
  withoutUrlByTitle: Map<number, EntryExitStats>;
}

/** The entry and exit visits of a day. */
export interface EntryExit {
  entries: EntryExitByColumn;
  exits: EntryExitByColumn;
}

function addInto(target: EntryExitStats, stats: EntryExitStats): void {
  target.visits += stats.visits;
  target.actions += stats.actions;
  target.length += stats.length;
  target.bounces += stats.bounces;
}

function addStats(byAction: Map<number, EntryExitStats>, idaction: number, stats: EntryExitStats): void {
  const existing = byAction.get(idaction);
  if (!existing) {
    byAction.set(idaction, { ...stats });
    return;
  }
  addInto(existing, stats);
}

/**
 * Loads the entry (or exit) visits of every page URL and page title in one GROUP BY over
 * the (URL, title) pairs, then sums the pairs per URL and per title. Every metric is a count
 * or a sum, so the sums equal grouping by each column alone. Exit rows carry only visits.
 * A pair with only one of the two is also kept by the other one, for the rows of pageviews
 * without a title or without a URL. A visit with neither has no entry or exit page.
 */
export async function loadEntryExit(query: LogQuery, kind: 'entry' | 'exit'): Promise<EntryExitByColumn> {
  const url = sql.ref(`log_visit.visit_${kind}_idaction_url`);
  const name = sql.ref(`log_visit.visit_${kind}_idaction_name`);
  const rows = await query.visits()
    .where((eb) => eb.or([eb(url, 'is not', null), eb(name, 'is not', null)]))
    .select([
      sql<number | null>`${url}`.as('idaction_url'),
      sql<number | null>`${name}`.as('idaction_name'),
      sql<number>`count(*)`.as('visits'),
      sql<number>`sum(${sql.ref('log_visit.visit_total_actions')})`.as('actions'),
      sql<number>`sum(${sql.ref('log_visit.visit_total_time')})`.as('length'),
      countWhere(sql`${sql.ref('log_visit.visit_total_actions')} <= 1`).as('bounces'),
    ])
    .groupBy([sql.raw('1'), sql.raw('2')])
    .execute();

  const byColumn: EntryExitByColumn = { idaction_url: new Map(), idaction_name: new Map(), untitledByUrl: new Map(), withoutUrlByTitle: new Map() };
  const withDetails = kind === 'entry';
  for (const row of rows) {
    const stats: EntryExitStats = {
      visits: Number(row.visits),
      actions: withDetails ? Number(row.actions) : 0, length: withDetails ? Number(row.length) : 0, bounces: withDetails ? Number(row.bounces) : 0,
    };
    if (row.idaction_url !== null) addStats(byColumn.idaction_url, Number(row.idaction_url), stats);
    if (row.idaction_name !== null) addStats(byColumn.idaction_name, Number(row.idaction_name), stats);
    if (row.idaction_url !== null && row.idaction_name === null) addStats(byColumn.untitledByUrl, Number(row.idaction_url), stats);
    if (row.idaction_url === null && row.idaction_name !== null) addStats(byColumn.withoutUrlByTitle, Number(row.idaction_name), stats);
  }
  return byColumn;
}

/** The entry and exit metrics of a page row, zero where the page started or ended no visit. */
export type EntryExitMetrics = Pick<PageMetrics, 'entry_nb_visits' | 'entry_nb_actions' | 'entry_sum_visit_length' | 'entry_bounce_count' | 'exit_nb_visits'>;

/** Returns the entry and exit metrics of a page from its entry and exit stats. */
export function toEntryExitMetrics(entry: EntryExitStats | undefined, exit: EntryExitStats | undefined): EntryExitMetrics {
  return {
    entry_nb_visits: entry?.visits ?? 0, entry_nb_actions: entry?.actions ?? 0, entry_sum_visit_length: entry?.length ?? 0, entry_bounce_count: entry?.bounces ?? 0,
    exit_nb_visits: exit?.visits ?? 0,
  };
}

/**
 * Sums the stats of the actions in `ids`, the page URLs (or titles) viewed on the day. An
 * exit action without a title can be a download or an outlink, whose URL is not a page URL,
 * so only pairs whose other action is such a page count.
 */
export function sumStatsOf(byAction: ReadonlyMap<number, EntryExitStats>, ids: ReadonlySet<number>): EntryExitStats | undefined {
  let total: EntryExitStats | undefined;
  for (const [idaction, stats] of byAction) {
    if (!ids.has(idaction)) continue;
    total ??= { visits: 0, actions: 0, length: 0, bounces: 0 };
    addInto(total, stats);
  }
  return total;
}
