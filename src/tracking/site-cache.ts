/** Sites, goals and custom dimensions of a tenant, kept in memory for a few seconds for the hot path. */
import type { Kysely } from 'kysely';
import type { Database, GoalTable } from '../db/schema.js';
import { loadSite, type SiteRecord } from '../sites/site-store.js';
import { isFootfallError } from '../errors.js';
import { compileExtractions, type CompiledExtraction } from './custom-dimension-extraction.js';

/** Milliseconds a site's settings are reused before they are read again, so site changes apply quickly. */
export const SITE_CACHE_TTL_MS = 5000;

/** A custom dimension as tracking uses it: which column of which table its value goes to. */
export interface TrackedCustomDimension {
  id: number;
  scope: 'visit' | 'action';
  index: number;
  /** Rules that give the value of an action-scope dimension when the hit does not send it. */
  extractions: readonly CompiledExtraction[];
}

/** A site with the goals and custom dimensions that tracking reads. */
export interface TrackedSite {
  site: SiteRecord;
  goals: GoalTable[];
  customDimensions: TrackedCustomDimension[];
}

/** Sequence numbers of site changes made in this process, by `tenant key|siteId`. */
const siteChanges = new Map<string, number>();
let changeSequence = 0;

/**
 * Records that a site's settings or goals changed in this process, so tracking reloads
 * them on the next hit instead of after `SITE_CACHE_TTL_MS`.
 */
export function markSiteChanged(tenantKey: string, siteId: number): void {
  changeSequence += 1;
  siteChanges.set(`${tenantKey}|${siteId}`, changeSequence);
}

interface SiteCacheEntry {
  loadedAt: number;
  sequence: number;
  /** `changeSequence` when `sequence` was last compared, so a hit looks it up only after some site changed. */
  checkedAt: number;
  value: Promise<TrackedSite | null>;
  /** The loaded site (null when it does not exist), or undefined while the load is in progress. */
  loaded: TrackedSite | null | undefined;
}

/** Loads sites with their goals and custom dimensions, caching each for `SITE_CACHE_TTL_MS`. */
export class SiteCache {
  readonly #tenantKey: string;
  readonly #entries = new Map<number, SiteCacheEntry>();

  constructor(tenantKey: string) {
    this.#tenantKey = tenantKey;
  }

  /** Returns the site, or null when it does not exist. */
  async get(db: Kysely<Database>, siteId: number, now = Date.now()): Promise<TrackedSite | null> {
    const entry = this.#freshEntry(siteId, now);
    if (entry) return entry.value;
    const value = loadTrackedSite(db, siteId);
    const loading: SiteCacheEntry = { loadedAt: now, sequence: this.#sequenceOf(siteId), checkedAt: changeSequence, value, loaded: undefined };
    this.#entries.set(siteId, loading);
    value.then((site) => {
      loading.loaded = site;
    }, () => {
      if (this.#entries.get(siteId) === loading) this.#entries.delete(siteId);
    });
    return value;
  }

  /**
   * Returns the site as `get` would without waiting: the site, or null when it does not exist.
   * Returns undefined when `get` would have to load it first.
   */
  peek(siteId: number, now = Date.now()): TrackedSite | null | undefined {
    return this.#freshEntry(siteId, now)?.loaded;
  }

  #sequenceOf(siteId: number): number {
    return siteChanges.get(`${this.#tenantKey}|${siteId}`) ?? 0;
  }

  #freshEntry(siteId: number, now: number): SiteCacheEntry | undefined {
    const entry = this.#entries.get(siteId);
    if (!entry || now - entry.loadedAt >= SITE_CACHE_TTL_MS) return undefined;
    if (entry.checkedAt !== changeSequence) {
      if (entry.sequence !== this.#sequenceOf(siteId)) return undefined;
      entry.checkedAt = changeSequence;
    }
    return entry;
  }

}

async function loadTrackedSite(db: Kysely<Database>, siteId: number): Promise<TrackedSite | null> {
  let site: SiteRecord;
  try {
    site = await loadSite(db, siteId);
  } catch (error) {
    if (isFootfallError(error, 'SITE_NOT_FOUND')) return null;
    throw error;
  }
  const goals = await db.selectFrom('goal').selectAll().where('idsite', '=', siteId).where('deleted', '=', 0).orderBy('idgoal').execute();
  const dimensions = await db.selectFrom('custom_dimensions').selectAll().where('idsite', '=', siteId).where('active', '=', 1).execute();
  return {
    site,
    goals: goals.map((goal) => ({ ...goal, idsite: Number(goal.idsite), idgoal: Number(goal.idgoal), revenue: Number(goal.revenue) })),
    customDimensions: dimensions
      .filter((row) => row.scope === 'visit' || row.scope === 'action')
      .map((row) => ({
        id: Number(row.idcustomdimension), scope: row.scope as 'visit' | 'action', index: Number(row.index),
        extractions: row.scope === 'action' ? compileExtractions(row.extractions, Number(row.case_sensitive) === 1) : [],
      })),
  };
}
