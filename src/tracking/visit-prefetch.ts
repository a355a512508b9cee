/**
 * Reading ahead, once per tracking batch, the `log_visit` rows that the batch's visit lookups
 * would otherwise read one hit at a time, with the last actions and conversions of the
 * visits a hit may continue.
 *
 * The reads run inside the batch's transaction after the write lock is taken, and the batch
 * writes its visit and action rows only when it ends, so every lookup of the batch would read
 * the same rows. Conversions are written during the batch, but only for visits the batch
 * touched, and the visit identifier takes touched visits from the cache, never from here.
 */
import type { Kysely, Selectable } from 'kysely';
import { splitIntoChunks } from '../db/chunks.js';
import type { Database, LogVisitTable } from '../db/schema.js';
import { formatUtcDateTime, parseUtcDateTime } from '../time.js';
import type { BatchStatements, VisitKeyColumn } from './batch-sql.js';
import type { EnrichedHit } from './hit.js';
import { acceptsUserOf, isFoundByVisitorIdOnly, type VisitCache, type VisitRules } from './visit-identifier.js';
import type { LastAction, VisitState } from './visit-state.js';

type VisitRow = Selectable<LogVisitTable>;

/** The last action, last pageview and converted goals of a visit, as read ahead. */
interface VisitDetails {
  lastAction: LastAction | null;
  lastPageUrlId: number | null;
  lastPageNameId: number | null;
  goals: number[];
}

/** The keys one site's hits look up, and the time range (ms since the epoch) the read covered. */
interface SiteKeys {
  visitors: Set<string>;
  configs: Set<string>;
  /** Earliest look-back start of the hits whose config ids are read. */
  earliest: number;
  /** Latest visit end of the hits whose visitor or config ids are read. */
  latest: number;
}

/** The read-ahead results of one site: the latest visit per key in the range, or null when it has none. */
interface SiteVisits {
  byVisitor: Map<string, VisitRow | null>;
  byConfig: Map<string, VisitRow | null>;
  earliest: number;
  latest: number;
}

/** A hit of the batch, with the visit rules of its site. */
export interface PrefetchHit {
  hit: EnrichedHit;
  rules: VisitRules;
}

/**
 * The visits a batch's hits may belong to, read with a few queries. Each lookup returns a row,
 * or null when the database has no matching visit. It returns undefined when the read-ahead
 * cannot tell, and the caller then runs its single-row query. That happens for a key it did not
 * read, and for a hit whose time range it does not cover, such as an older hit after newer ones.
 */
export class VisitPrefetch {
  readonly #sites = new Map<number, SiteVisits>();
  readonly #details = new Map<number, VisitDetails>();

  /**
   * Reads the visits of the hits that the cache, as it is before the batch, cannot serve. By
   * visitor id it reads the latest visit of any time, so that a lookup also learns whether the
   * visitor has a later visit than its hit's window. By config id it reads the latest visit
   * within the union of the hits' look-back windows.
   */
  static async read(db: Kysely<Database>, statements: BatchStatements, hits: readonly PrefetchHit[], cache: VisitCache): Promise<VisitPrefetch> {
    const prefetch = new VisitPrefetch();
    const keys = collectKeys(hits, cache);
    const detailIds = new Set<number>();
    for (const [siteId, site] of keys) {
      const latest = formatUtcDateTime(new Date(site.latest));
      const visitorRows = site.visitors.size === 0 ? []
        : await statements.selectLatestVisits(db, siteId, 'idvisitor', [...site.visitors], null, null);
      const configRows = site.configs.size === 0 ? []
        : await statements.selectLatestVisits(db, siteId, 'config_id', [...site.configs], formatUtcDateTime(new Date(site.earliest)), latest);
      const visits: SiteVisits = {
        byVisitor: indexRows(site.visitors, visitorRows as VisitRow[], 'idvisitor'),
        byConfig: indexRows(site.configs, configRows as VisitRow[], 'config_id'),
        earliest: site.earliest, latest: site.latest,
      };
      prefetch.#sites.set(siteId, visits);
      // Only a visit whose last action falls in some hit's look-back window may be continued and needs its details.
      for (const row of [...visitorRows, ...configRows] as VisitRow[]) {
        const time = parseUtcDateTime(row.visit_last_action_time);
        if (time >= site.earliest && time <= site.latest) detailIds.add(Number(row.idvisit));
      }
    }
    if (detailIds.size > 0) await prefetch.#readDetails(db, statements, [...detailIds]);
    return prefetch;
  }

  /**
   * Returns the site's visit of `idvisitor` with the latest last action up to `latest`, or of
   * any time when `latest` is null, as the visit identifier's query by visitor id would.
   */
  latestByVisitor(siteId: number, idvisitor: string, latest: number | null): VisitRow | null | undefined {
    const row = this.#sites.get(siteId)?.byVisitor.get(idvisitor);
    if (row === undefined || row === null || latest === null) return row;
    // A later visit than this hit's window ends hides the one the hit needs.
    return parseUtcDateTime(row.visit_last_action_time) <= latest ? row : undefined;
  }

  /**
   * Returns the site's visit of `configId` with the latest last action in [`earliest`,
   * `latest`], as the visit identifier's query by config id would without a user id condition.
   */
  latestByConfig(siteId: number, configId: string, earliest: number, latest: number): VisitRow | null | undefined {
    const site = this.#sites.get(siteId);
    if (!site || earliest < site.earliest || latest > site.latest) return undefined;
    const row = site.byConfig.get(configId);
    if (row === undefined || row === null) return row;
    const time = parseUtcDateTime(row.visit_last_action_time);
    if (time > latest) return undefined;
    // The latest visit of the read range is before the window, so the window has none.
    return time >= earliest ? row : null;
  }

  /** Completes a visit state built from a read-ahead row, or returns false when its details were not read. */
  complete(visit: VisitState): boolean {
    const details = this.#details.get(visit.idvisit);
    if (!details) return false;
    visit.lastAction = details.lastAction === null ? null : { ...details.lastAction };
    visit.lastPageUrlId = details.lastPageUrlId;
    visit.lastPageNameId = details.lastPageNameId;
    visit.convertedGoals = new Set(details.goals);
    return true;
  }

  async #readDetails(db: Kysely<Database>, statements: BatchStatements, idvisits: number[]): Promise<void> {
    for (const idvisit of idvisits) this.#details.set(idvisit, { lastAction: null, lastPageUrlId: null, lastPageNameId: null, goals: [] });

    const lastActionIds = new Map<number, number>();
    const lastPageviewIds = new Map<number, number>();
    for (const row of await statements.selectLastActions(db, idvisits)) {
      const idvisit = Number(row.idvisit);
      const idlinkVa = Number(row.idlink_va);
      const details = this.#details.get(idvisit)!;
      if (idlinkVa > (lastActionIds.get(idvisit) ?? 0)) {
        lastActionIds.set(idvisit, idlinkVa);
        details.lastAction = {
          idlinkVa, time: parseUtcDateTime(row.server_time),
          idactionUrl: row.idaction_url === null ? null : Number(row.idaction_url),
          idactionName: row.idaction_name === null ? null : Number(row.idaction_name),
        };
      }
      if (row.pageview_position !== null && idlinkVa > (lastPageviewIds.get(idvisit) ?? 0)) {
        lastPageviewIds.set(idvisit, idlinkVa);
        details.lastPageUrlId = row.idaction_url === null ? null : Number(row.idaction_url);
        details.lastPageNameId = row.idaction_name === null ? null : Number(row.idaction_name);
      }
    }

    for (const chunk of splitIntoChunks(idvisits, MAX_VISITS_PER_CONVERSION_READ)) {
      const conversions = await db.selectFrom('log_conversion').select(['idvisit', 'idgoal']).where('idvisit', 'in', chunk).execute();
      for (const conversion of conversions) this.#details.get(Number(conversion.idvisit))!.goals.push(Number(conversion.idgoal));
    }
  }
}

/** Visits per conversion query, well under every engine's limit of bound parameters. */
const MAX_VISITS_PER_CONVERSION_READ = 1024;

/**
 * Returns, per site, the visitor ids and config ids whose lookups the cache would not serve,
 * judged by the cache as it is before the batch. A key left out because the cache served it
 * then, and whose visit the cache has evicted by the time its hit is recorded, falls back to
 * the single-row query. Keys of visits that an unwritten batch changed are left out too,
 * because that batch may commit on the write thread only after this read, and the
 * single-row query waits for it.
 */
function collectKeys(hits: readonly PrefetchHit[], cache: VisitCache): Map<number, SiteKeys> {
  const sites = new Map<number, SiteKeys>();
  for (const { hit, rules } of hits) {
    const time = hit.time.getTime();
    const earliest = time - rules.lookBackSeconds * 1000;
    const latest = time + rules.visitLengthSeconds * 1000;
    let site = sites.get(hit.siteId);
    if (!site) {
      site = { visitors: new Set(), configs: new Set(), earliest, latest };
      sites.set(hit.siteId, site);
    }
    site.earliest = Math.min(site.earliest, earliest);
    site.latest = Math.max(site.latest, latest);

    const inWindow = (visit: VisitState | undefined): visit is VisitState =>
      visit !== undefined && visit.lastActionTime >= earliest && visit.lastActionTime <= latest;
    if (hit.requestedVisitorId !== null) {
      const cached = cache.getByVisitor(hit.siteId, hit.requestedVisitorId);
      const unwritten = cache.isVisitorUnwritten(hit.siteId, hit.requestedVisitorId);
      const foundInCache = cached !== undefined && cached !== null && cached.lastActionTime <= latest;
      // A visitor id that the cache records as having no visit needs no read, but its config id may.
      if (cached !== null && !foundInCache && !unwritten) site.visitors.add(hit.requestedVisitorId);
      // The config id is looked up only when the visitor id has no visit at all, and only if it may.
      if (foundInCache || isFoundByVisitorIdOnly(hit, rules)) continue;
    }
    const cached = cache.getByConfig(hit.siteId, hit.configId);
    const servedByCache = inWindow(cached) && acceptsUserOf(cached, hit);
    if (!servedByCache && !cache.isConfigUnwritten(hit.siteId, hit.configId)) site.configs.add(hit.configId);
  }
  return sites;
}

/** Maps every key read to its row, and keys without a row to null. */
function indexRows(keys: ReadonlySet<string>, rows: readonly VisitRow[], column: VisitKeyColumn): Map<string, VisitRow | null> {
  const byKey = new Map<string, VisitRow | null>();
  for (const key of keys) byKey.set(key, null);
  for (const row of rows) byKey.set(row[column], row);
  return byKey;
}
