/** Visit identification: does a hit continue a recent visit of its visitor, or start a new one? */
import type { Kysely, Selectable, SelectQueryBuilder } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Settings } from '../config/settings.js';
import type { Database, LogVisitTable } from '../db/schema.js';
import { formatUtcDateTime, parseUtcDateTime } from '../time.js';
import type { EnrichedHit } from './hit.js';
import { REFERRER_TYPE } from './referrer-detection.js';
import { siteDayOf } from './site-day.js';
import { isNonEmptyUserId, readUserId } from './user-id.js';
import type { VisitPrefetch } from './visit-prefetch.js';
import { loadVisitState, visitStateFromRow, type VisitState } from './visit-state.js';

type VisitRow = Selectable<LogVisitTable>;
/** A query of `log_visit` rows, which the lookups narrow down. */
type VisitRowQuery = SelectQueryBuilder<Database, 'log_visit', VisitRow>;

/** The visit settings of `[Tracker]` for one site. */
export interface VisitRules {
  visitLengthSeconds: number;
  lookBackSeconds: number;
  newVisitAfterMidnight: boolean;
  newVisitOnCampaignChange: boolean;
  newVisitOnWebsiteReferrerChange: boolean;
  trustVisitorsCookies: boolean;
  /** `enable_userid_overwrites_visitorid`, true when `uid` derives the visitor id. When false, a changed user id starts a new visit. */
  userIdOverwritesVisitorId: boolean;
  /** Actions after which a visit is not continued; 0 for no limit. */
  maxActionsPerVisit: number;
}

/** Reads the visit rules of a site from its settings. */
export function readVisitRules(settings: Settings): VisitRules {
  const visitLengthSeconds = settings.int('Tracker', 'visit_standard_length') || 1800;
  return {
    visitLengthSeconds,
    lookBackSeconds: Math.max(visitLengthSeconds, settings.int('Tracker', 'window_look_back_for_visitor')),
    newVisitAfterMidnight: settings.bool('Tracker', 'create_new_visit_after_midnight'),
    newVisitOnCampaignChange: settings.bool('Tracker', 'create_new_visit_when_campaign_changes'),
    newVisitOnWebsiteReferrerChange: settings.bool('Tracker', 'create_new_visit_when_website_referrer_changes'),
    trustVisitorsCookies: settings.bool('Tracker', 'trust_visitors_cookies'),
    userIdOverwritesVisitorId: settings.bool('Tracker', 'enable_userid_overwrites_visitorid'),
    maxActionsPerVisit: settings.int('Tracker', 'create_new_visit_after_x_actions'),
  };
}

/** The outcome of identification: the visit to continue, or the visitor's previous visit (if any) for a new one. */
export type VisitMatch =
  | { kind: 'existing'; visit: VisitState }
  | { kind: 'new'; previous: VisitState | null };

/**
 * Recent visits of one tenant in memory, by visitor id and by config id, so that most hits
 * find their visit without reading the database. Bounded: the least recently used visits
 * are forgotten and read back from `log_visit` when their visitor returns. Visits touched by
 * the open batch are also kept outside the bound until the batch ends, because their rows in
 * the database are not written yet.
 *
 * By visitor id the cache keeps the visitor's latest visit (by last action time, then id) once
 * a lookup or a touch established it, so that a hit older than that visit can tell when to
 * look further. It also lists the visits of each visitor id that unwritten batches touched.
 *
 * NOTE: the cache assumes this process is the only writer of the tenant's visits. Several
 * tracking servers for one tenant need the queued mode, where one worker owns a visitor.
 */
export class VisitCache {
  /** The latest visit of each visitor id, as it was when the batches that touched it ended. */
  readonly #byVisitor: LRUCache<string, VisitState>;
  readonly #byConfig: LRUCache<string, VisitState>;
  readonly #batchByVisitor = new Map<string, VisitorVisits>();
  /** Visitor ids that a batch took a visit from, with the number of the last such batch. Their rows change once it is written. */
  readonly #batchLeftVisitors = new Map<string, number>();
  readonly #batchByConfig = new Map<string, TouchedVisit>();
  readonly #batchById = new Map<number, TouchedVisit>();
  /** The number of the batch being recorded; visits it touches carry it. */
  #generation = 0;

  constructor(size: number) {
    this.#byVisitor = new LRUCache({ max: Math.max(1, size) });
    this.#byConfig = new LRUCache({ max: Math.max(1, size) });
  }

  /**
   * Returns the latest visit of the site's visitor id, null when it is known to have none, or
   * undefined when it is unknown.
   */
  getByVisitor(siteId: number, idvisitor: string): VisitState | null | undefined {
    const key = `${siteId}:${idvisitor}`;
    const batch = this.#batchByVisitor.get(key);
    return batch === undefined ? this.#byVisitor.get(key) : batch.latest;
  }

  /** Returns the visits of the site's visitor id that unwritten batches touched, usually one. */
  getTouchedByVisitor(siteId: number, idvisitor: string): VisitState[] {
    return this.#batchByVisitor.get(`${siteId}:${idvisitor}`)?.touched.map((touched) => touched.visit) ?? [];
  }

  /**
   * Records the latest visit of its visitor id, or null when `idvisitor` has none, as a lookup
   * found it among the touched visits and the rows. `visit` must be whole, with its last action and conversions.
   */
  setLatestOfVisitor(siteId: number, idvisitor: string, visit: VisitState | null): void {
    const entry = this.#visitorEntry(`${siteId}:${idvisitor}`);
    entry.latest = visit;
    entry.generation = this.#generation;
  }

  getByConfig(siteId: number, configId: string): VisitState | undefined {
    const key = `${siteId}:${configId}`;
    return this.#batchByConfig.get(key)?.visit ?? this.#byConfig.get(key);
  }

  /** Returns the state of a visit an unwritten batch touched, which is newer than its row in the database. */
  getTouched(idvisit: number): VisitState | undefined {
    return this.#batchById.get(idvisit)?.visit;
  }

  /**
   * Returns whether an unwritten batch changed a visit of the site's visitor id, or gave one of
   * its visits another visitor id, so that a read of the database may not show that batch's rows yet.
   */
  isVisitorUnwritten(siteId: number, idvisitor: string): boolean {
    const key = `${siteId}:${idvisitor}`;
    return (this.#batchByVisitor.get(key)?.touched.length ?? 0) > 0 || this.#batchLeftVisitors.has(key);
  }

  /** Returns whether an unwritten batch changed a visit of the site's config id, like `isVisitorUnwritten`. */
  isConfigUnwritten(siteId: number, configId: string): boolean {
    return this.#batchByConfig.has(`${siteId}:${configId}`);
  }

  /** Remembers a visit under its config id. */
  remember(visit: VisitState): void {
    this.#byConfig.set(`${visit.siteId}:${visit.configId}`, visit);
  }

  /**
   * Forgets a visit under its current visitor id, before a hit gives it another one. The
   * visit's row then no longer has that id, and an entry left under it would outlive the
   * next load of the visit from the database and serve that visit's old totals. When it was
   * the visitor id's latest visit, the latest is unknown until the next lookup of that id.
   * The old visitor id counts as unwritten until the batch ends, so that the read-ahead of a
   * later batch, which may run before this one is written, does not take the row that still has it.
   */
  forgetVisitorId(visit: VisitState): void {
    const key = `${visit.siteId}:${visit.idvisitor}`;
    this.#batchLeftVisitors.set(key, this.#generation);
    const entry = this.#batchByVisitor.get(key);
    if (entry !== undefined) {
      const index = entry.touched.findIndex((touched) => touched.visit.idvisit === visit.idvisit);
      if (index >= 0) entry.touched.splice(index, 1)[0]!.visitorKey = undefined;
      if (entry.latest?.idvisit === visit.idvisit) entry.latest = undefined;
      entry.generation = this.#generation;
    }
    if (this.#byVisitor.peek(key)?.idvisit === visit.idvisit) this.#byVisitor.delete(key);
  }

  /**
   * Returns the visits of a site's config id that unwritten batches changed. Their rows in the
   * database are older than these states, or not written yet.
   */
  getTouchedByConfig(siteId: number, configId: string): VisitState[] {
    if (!this.isConfigUnwritten(siteId, configId)) return [];
    const visits: VisitState[] = [];
    for (const { visit } of this.#batchById.values()) {
      if (visit.siteId === siteId && visit.configId === configId) visits.push(visit);
    }
    return visits;
  }

  /** Starts recording a batch and returns its number, for `endBatch` once the batch is written. */
  beginBatch(): number {
    this.#generation += 1;
    return this.#generation;
  }

  /**
   * Keeps a visit the batch being recorded changes until that batch ends, and then in the
   * bounded cache. A visit a batch touches many times thus costs one LRU update per batch.
   * It becomes its visitor id's latest visit only when it is later than the known latest one.
   */
  touch(visit: VisitState): void {
    let touched = this.#batchById.get(visit.idvisit);
    if (touched === undefined) {
      touched = { visit, generation: this.#generation, visitorKey: undefined };
      this.#batchById.set(visit.idvisit, touched);
    }
    touched.visit = visit;
    touched.generation = this.#generation;

    const visitorKey = `${visit.siteId}:${visit.idvisitor}`;
    const entry = this.#visitorEntry(visitorKey);
    if (touched.visitorKey !== visitorKey) {
      touched.visitorKey = visitorKey;
      entry.touched.push(touched);
    }
    // A visit read again from the database replaces its older state under the same id.
    if (entry.latest !== undefined && (entry.latest?.idvisit === visit.idvisit || isLaterVisit(visit, entry.latest))) entry.latest = visit;
    entry.generation = this.#generation;
    this.#batchByConfig.set(`${visit.siteId}:${visit.configId}`, touched);
  }

  /** Returns the batch entry of a visitor key, created with the latest visit the bounded cache has. */
  #visitorEntry(key: string): VisitorVisits {
    let entry = this.#batchByVisitor.get(key);
    if (entry === undefined) {
      entry = { touched: [], latest: this.#byVisitor.get(key), generation: this.#generation };
      this.#batchByVisitor.set(key, entry);
    }
    return entry;
  }

  /**
   * Ends committed batches: the visits last touched by batch `generation` or an earlier one
   * move to the bounded cache. Without a number, every batch ends.
   */
  endBatch(generation = Number.POSITIVE_INFINITY): void {
    this.#endVisitorEntries(generation);
    for (const [key, leftIn] of this.#batchLeftVisitors) {
      if (leftIn <= generation) this.#batchLeftVisitors.delete(key);
    }
    for (const [key, touched] of this.#batchByConfig) {
      if (touched.generation > generation) continue;
      this.#byConfig.set(key, touched.visit);
      this.#batchByConfig.delete(key);
    }
    for (const [idvisit, touched] of this.#batchById) {
      if (touched.generation <= generation) this.#batchById.delete(idvisit);
    }
  }

  /**
   * Drops the ended batches' visits from the lists by visitor id. An entry with none left
   * moves its known latest visit to the bounded cache, and an entry whose latest is unknown
   * clears the bounded cache's, which may be older than a visit the batches touched.
   */
  #endVisitorEntries(generation: number): void {
    for (const [key, entry] of this.#batchByVisitor) {
      if (entry.touched.some((touched) => touched.generation <= generation)) {
        entry.touched = entry.touched.filter((touched) => touched.generation > generation);
      }
      if (entry.touched.length > 0 || entry.generation > generation) continue;
      if (entry.latest) this.#byVisitor.set(key, entry.latest);
      else this.#byVisitor.delete(key);
      this.#batchByVisitor.delete(key);
    }
  }

  /** Forgets every visit, after a transaction rolled back changes the cached states already hold. */
  clear(): void {
    this.#batchByVisitor.clear();
    this.#batchLeftVisitors.clear();
    this.#batchByConfig.clear();
    this.#batchById.clear();
    this.#byVisitor.clear();
    this.#byConfig.clear();
  }
}

/** A visit an unwritten batch changed, with the number of the last batch that did. */
interface TouchedVisit {
  visit: VisitState;
  generation: number;
  /** The visitor key whose list contains this entry, or undefined after the visit left it. */
  visitorKey: string | undefined;
}

/** The visits of one visitor id that unwritten batches touched, and its latest visit. */
interface VisitorVisits {
  touched: TouchedVisit[];
  /** The visitor id's latest visit, null when it has none, or undefined when unknown. */
  latest: VisitState | null | undefined;
  /** The number of the last batch that changed this entry. */
  generation: number;
}

/**
 * Finds the visit a hit belongs to, as Matomo 5 does. A hit with a visitor id takes its
 * visitor's latest visit of any age. Only a hit without one, or whose visitor has no visit
 * at all, is looked up by config id within the look-back window, and never so when `cid` is
 * sent or cookies are trusted. There a hit with a user id skips the visits of other user ids.
 * A found visit still starts a new one when its last action is older than the visit length
 * or when it already has `create_new_visit_after_x_actions` actions. It also does when the
 * day changed in the site's time zone, when `new_visit=1`, when the campaign (or, if
 * configured, the referring website) changed, or when the user id changed and does not
 * derive the visitor id. Rows the batch read ahead in `prefetch` spare the database
 * queries. Without them, or where they cannot tell, each lookup runs its own.
 */
export async function identifyVisit(
  db: Kysely<Database>, hit: EnrichedHit, cache: VisitCache, rules: VisitRules, prefetch?: VisitPrefetch, waitForWrites?: () => Promise<void>,
): Promise<VisitMatch> {
  const { recent, previous } = await findVisits({ db, cache, prefetch, waitForWrites }, hit, rules);
  if (!recent) return { kind: 'new', previous };
  return startsNewVisit(recent, hit, rules) ? { kind: 'new', previous: recent } : { kind: 'existing', visit: recent };
}

/** The visit a hit may continue, and otherwise the visitor's last visit before it (for the returning-visitor counters). */
interface VisitLookup {
  recent: VisitState | null;
  previous: VisitState | null;
}

/** The sources of visits, in the order a lookup tries them: the cache, the batch's read-ahead, the database. */
interface VisitSources {
  db: Kysely<Database>;
  cache: VisitCache;
  prefetch: VisitPrefetch | undefined;
  /** Waits until batches written on another connection are durable, so that a query finds their rows. */
  waitForWrites: (() => Promise<void>) | undefined;
}

/**
 * Returns whether a hit's visit is looked up by its visitor id alone: with `cid` and no
 * `uid`, or when cookies are trusted. A `uid` of "0" counts as sent here, as in Matomo 5.
 */
export function isFoundByVisitorIdOnly(hit: EnrichedHit, rules: VisitRules): boolean {
  return hit.requestedVisitorId !== null && (rules.trustVisitorsCookies || (hit.params.get('cid') !== undefined && hit.params.get('uid') === undefined));
}

/**
 * Returns whether a visit found by config id may take a hit: any visit when the hit has no
 * user id or one that `isNonEmptyUserId` rejects, else only a visit without a user id or
 * with the same one. Matomo 5.2.0-b5 applies this rule as a condition of its query by
 * config id (`Model::findVisitor` in core/Tracker/Model.php).
 */
export function acceptsUserOf(visit: VisitState, hit: EnrichedHit): boolean {
  const userId = readUserId(hit.params);
  return !isNonEmptyUserId(userId) || visit.userId === null || visit.userId === userId;
}

async function findVisits(sources: VisitSources, hit: EnrichedHit, rules: VisitRules): Promise<VisitLookup> {
  const { cache } = sources;
  const earliest = hit.time.getTime() - rules.lookBackSeconds * 1000;
  const latest = hit.time.getTime() + rules.visitLengthSeconds * 1000;
  const inWindow = (visit: VisitState | undefined | null): visit is VisitState =>
    visit !== undefined && visit !== null && visit.lastActionTime >= earliest && visit.lastActionTime <= latest;

  if (hit.requestedVisitorId !== null) {
    const byVisitor = await findByVisitorId(sources, hit, earliest, latest);
    if (inWindow(byVisitor)) return { recent: byVisitor, previous: null };
    // Matomo 5 looks the visitor id up with no lower time bound and tries the config id only
    // when that finds no visit. So a returning visitor starts a visit of its own rather than
    // join the current visit of another visitor on its fingerprint.
    if (byVisitor !== null || isFoundByVisitorIdOnly(hit, rules)) return { recent: null, previous: byVisitor };
  }

  // NOTE: by config id the cache keeps the visit its hits touched last, not the latest one. A
  // hit older than a later visit of its config id thus misses the earlier visits of the open
  // batch, and may continue a visit that an older hit touched while a later one is in its
  // window. A lookup that the cache cannot serve gets the latest visit of the window instead.
  const cached = cache.getByConfig(hit.siteId, hit.configId);
  if (inWindow(cached) && acceptsUserOf(cached, hit)) {
    return { recent: cached, previous: null };
  }
  const userId = readUserId(hit.params);
  if (isNonEmptyUserId(userId)) return { recent: await findByConfigIdForUser(sources, hit, userId, earliest, latest), previous: null };
  let row = sources.prefetch?.latestByConfig(hit.siteId, hit.configId, earliest, latest);
  if (row === undefined) {
    await sources.waitForWrites?.();
    row = await sources.db.selectFrom('log_visit').selectAll().where('idsite', '=', hit.siteId).where('config_id', '=', hit.configId)
      .where('visit_last_action_time', '>=', formatUtcDateTime(new Date(earliest)))
      .where('visit_last_action_time', '<=', formatUtcDateTime(new Date(latest)))
      .orderBy('visit_last_action_time', 'desc').orderBy('idvisit', 'desc').limit(1).executeTakeFirst() ?? null;
  }
  if (!row) return { recent: null, previous: null };
  return { recent: cache.getTouched(Number(row.idvisit)) ?? remember(cache, await loadState(sources, row)), previous: null };
}

/**
 * Returns the latest visit of the hit's config id with a last action in [`earliest`,
 * `latest`] that `acceptsUserOf` lets take the hit, or null. The visits of unwritten
 * batches are compared in memory, and the read-ahead or the database supplies the others,
 * so the result does not depend on how hits were split into batches.
 */
async function findByConfigIdForUser(
  sources: VisitSources, hit: EnrichedHit, userId: string, earliest: number, latest: number,
): Promise<VisitState | null> {
  const touched = new Set<number>();
  let found: VisitState | null = null;
  for (const visit of sources.cache.getTouchedByConfig(hit.siteId, hit.configId)) {
    touched.add(visit.idvisit);
    const inWindow = visit.lastActionTime >= earliest && visit.lastActionTime <= latest;
    if (inWindow && acceptsUserOf(visit, hit) && isLaterVisit(visit, found)) found = visit;
  }

  // The read-ahead row is the latest visit of any user, so it serves only when it takes this one.
  let row = sources.prefetch?.latestByConfig(hit.siteId, hit.configId, earliest, latest);
  if (row && (touched.has(Number(row.idvisit)) || !acceptsUserOf(visitStateFromRow(row), hit))) row = undefined;
  row ??= await queryLatestForUser(sources, hit, userId, earliest, latest, touched);
  if (!row) return found;
  const stored = visitStateFromRow(row);
  if (!isLaterVisit(stored, found)) return found;
  return remember(sources.cache, await loadState(sources, row, stored));
}

/**
 * Returns the latest `log_visit` row of the hit's config id in the window whose user id is
 * null or `userId`, leaving out the visits of unwritten batches (`touched`).
 */
async function queryLatestForUser(
  sources: VisitSources, hit: EnrichedHit, userId: string, earliest: number, latest: number, touched: ReadonlySet<number>,
): Promise<VisitRow | null> {
  const narrow = (query: VisitRowQuery): VisitRowQuery => query.where('idsite', '=', hit.siteId).where('config_id', '=', hit.configId)
    .where('visit_last_action_time', '>=', formatUtcDateTime(new Date(earliest)))
    .where('visit_last_action_time', '<=', formatUtcDateTime(new Date(latest)))
    .where((eb) => eb.or([eb('user_id', 'is', null), eb('user_id', '=', userId)]));
  // A touched visit was compared in memory already. MariaDB's utf8mb4_general_ci collation
  // also matches user ids that differ in case or accents, so the row's user id is compared again here.
  const accept = (row: VisitRow): boolean => (row.user_id === null || row.user_id === userId) && !touched.has(Number(row.idvisit));
  return selectLatestAccepted(sources, narrow, accept);
}

/**
 * Returns the latest `log_visit` row that `narrow` selects and `accept` takes, in the order of
 * the lookup queries (last action time, then id), or null. Each row `accept` rejects is left
 * out of the next query, so the database returns one row per query.
 */
async function selectLatestAccepted(
  sources: VisitSources, narrow: (query: VisitRowQuery) => VisitRowQuery, accept: (row: VisitRow) => boolean,
): Promise<VisitRow | null> {
  await sources.waitForWrites?.();
  const skipped: number[] = [];
  for (;;) {
    let query = narrow(sources.db.selectFrom('log_visit').selectAll());
    if (skipped.length > 0) query = query.where('idvisit', 'not in', skipped);
    const row = await query.orderBy('visit_last_action_time', 'desc').orderBy('idvisit', 'desc').limit(1).executeTakeFirst();
    if (row === undefined) return null;
    if (accept(row)) return row;
    skipped.push(Number(row.idvisit));
  }
}

/** Returns whether `visit` comes after `other` in the order of the lookup queries: last action time, then id. */
function isLaterVisit(visit: VisitState, other: VisitState | null): boolean {
  if (other === null) return true;
  if (visit.lastActionTime !== other.lastActionTime) return visit.lastActionTime > other.lastActionTime;
  return visit.idvisit > other.idvisit;
}

/**
 * Returns the visitor's most recent visit up to `latest`, from the cache or else from the
 * database. One query serves both the visit to continue and the previous visit of a new one.
 * The cache serves it when it has the visitor's latest visit and that visit ends by
 * `latest`. Otherwise, for example for a hit older than a later visit of its visitor, the
 * visits of the visitor that unwritten batches touched are compared with the latest of the
 * other rows. The result thus does not depend on how hits were split into batches.
 */
async function findByVisitorId(sources: VisitSources, hit: EnrichedHit, earliest: number, latest: number): Promise<VisitState | null> {
  const { cache } = sources;
  const idvisitor = hit.requestedVisitorId!;
  const known = cache.getByVisitor(hit.siteId, idvisitor);
  if (known === null) return null;
  if (known !== undefined && known.lastActionTime <= latest) return known;

  const touched = cache.getTouchedByVisitor(hit.siteId, idvisitor);
  let found: VisitState | null = null;
  let isLatest = known === undefined;
  for (const visit of touched) {
    if (visit.lastActionTime > latest) isLatest = false;
    else if (isLaterVisit(visit, found)) found = visit;
  }
  // While the latest visit is unknown, the latest row of any time is read first: when it ends
  // by `latest` it is also the row this hit needs, and the cache learns the visitor's latest visit.
  let row: VisitRow | null | undefined;
  if (isLatest) {
    row = await findLatestRowOfVisitor(sources, hit.siteId, idvisitor, null);
    if (row !== null && parseUtcDateTime(row.visit_last_action_time) > latest) {
      isLatest = false;
      row = undefined;
    }
  }
  if (row === undefined) row = await findLatestRowOfVisitor(sources, hit.siteId, idvisitor, latest);

  let isWhole = true;
  if (row) {
    const stored = visitStateFromRow(row);
    if (isLaterVisit(stored, found)) {
      // Only a visit that may be continued needs its last action and conversions read.
      isWhole = stored.lastActionTime >= earliest;
      found = isWhole ? remember(cache, await loadState(sources, row, stored)) : stored;
    }
  }
  if (isLatest && isWhole) cache.setLatestOfVisitor(hit.siteId, idvisitor, found);
  return found;
}

/**
 * Returns the latest `log_visit` row of a visitor id with a last action up to `latest` (or of
 * any time when null), from the read-ahead or else the database. It leaves out the rows of
 * visits that unwritten batches touched, whose states in the cache are newer.
 */
async function findLatestRowOfVisitor(
  sources: VisitSources, siteId: number, idvisitor: string, latest: number | null,
): Promise<VisitRow | null> {
  const row = sources.prefetch?.latestByVisitor(siteId, idvisitor, latest);
  if (row === null || (row !== undefined && sources.cache.getTouched(Number(row.idvisit)) === undefined)) return row;
  const narrow = (query: VisitRowQuery): VisitRowQuery => {
    const ofVisitor = query.where('idsite', '=', siteId).where('idvisitor', '=', idvisitor);
    return latest === null ? ofVisitor : ofVisitor.where('visit_last_action_time', '<=', formatUtcDateTime(new Date(latest)));
  };
  return selectLatestAccepted(sources, narrow, (stored) => sources.cache.getTouched(Number(stored.idvisit)) === undefined);
}

/** Builds the whole state of an untouched visit, with its last actions and goals from the read-ahead or else the database. */
async function loadState(sources: VisitSources, row: Selectable<LogVisitTable>, visit = visitStateFromRow(row)): Promise<VisitState> {
  if (sources.prefetch?.complete(visit)) return visit;
  return loadVisitState(sources.db, row);
}

function remember(cache: VisitCache, visit: VisitState): VisitState {
  cache.remember(visit);
  return visit;
}

function startsNewVisit(visit: VisitState, hit: EnrichedHit, rules: VisitRules): boolean {
  if (hit.params.flag('new_visit')) return true;
  // Matomo 5 continues a visit only while its last action is more recent than the visit length ago.
  if (hit.time.getTime() - visit.lastActionTime >= rules.visitLengthSeconds * 1000) return true;
  if (rules.maxActionsPerVisit > 0 && visit.totalActions >= rules.maxActionsPerVisit) return true;
  if (rules.newVisitAfterMidnight) {
    const timezone = hit.site.timezone;
    if (siteDayOf(visit.lastActionTime, timezone) !== siteDayOf(hit.time.getTime(), timezone)) return true;
  }
  const referrer = hit.referrer;
  if (rules.newVisitOnCampaignChange && referrer.type === REFERRER_TYPE.campaign && referrer.name !== visit.campaignName) return true;
  if (rules.newVisitOnWebsiteReferrerChange && referrer.type === REFERRER_TYPE.website && referrer.name !== visit.refererName) return true;
  if (!rules.userIdOverwritesVisitorId && isUserIdChanged(visit, hit)) return true;
  return false;
}

/**
 * Returns whether the hit's user id and its visit's are both set and differ. When `uid` does
 * not derive the visitor id, Matomo 5.2.0-b5 then starts a new visit, however the visit was
 * found (`VisitRequestProcessor::isVisitNew` in plugins/CoreHome/Tracker).
 */
function isUserIdChanged(visit: VisitState, hit: EnrichedHit): boolean {
  const userId = readUserId(hit.params);
  return isNonEmptyUserId(visit.userId) && isNonEmptyUserId(userId) && visit.userId !== userId;
}
