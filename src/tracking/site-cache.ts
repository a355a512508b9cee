/** Sites, goals and custom dimensions of a tenant, kept in memory for a few seconds for the hot path. */
import type { Kysely } from 'kysely';
import type { Database, GoalTable } from '../db/schema.js';
import { loadSite, type SiteRecord } from '../sites/site-store.js';
import { isFootfallError } from '../errors.js';

/** Milliseconds a site's settings are reused before they are read again, so site changes apply quickly. */
export const SITE_CACHE_TTL_MS = 5000;

/** A custom dimension as tracking uses it: which column of which table its value goes to. */
export interface TrackedCustomDimension {
  id: number;
  scope: 'visit' | 'action';
  index: number;
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

/** Loads sites with their goals and custom dimensions, caching each for `SITE_CACHE_TTL_MS`. */
export class SiteCache {
  readonly #tenantKey: string;
  readonly #entries = new Map<number, { loadedAt: number; sequence: number; value: Promise<TrackedSite | null> }>();

  constructor(tenantKey: string) {
    this.#tenantKey = tenantKey;
  }

  /** Returns the site, or null when it does not exist. */
  async get(db: Kysely<Database>, siteId: number, now = Date.now()): Promise<TrackedSite | null> {
    const entry = this.#entries.get(siteId);
    const sequence = siteChanges.get(`${this.#tenantKey}|${siteId}`) ?? 0;
    if (entry && now - entry.loadedAt < SITE_CACHE_TTL_MS && entry.sequence === sequence) return entry.value;
    const value = loadTrackedSite(db, siteId);
    this.#entries.set(siteId, { loadedAt: now, sequence, value });
    value.catch(() => this.#entries.delete(siteId));
    return value;
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
      .map((row) => ({ id: Number(row.idcustomdimension), scope: row.scope as 'visit' | 'action', index: Number(row.index) })),
  };
}
