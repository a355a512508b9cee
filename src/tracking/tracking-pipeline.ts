/**
 * The tracking pipeline: parse → drop → enrich → identify visit → write. The list of steps
 * below is the documentation of what happens to a hit; each step returns the hit or a drop.
 */
import type { Logger } from 'pino';
import type { Settings } from '../config/settings.js';
import type { Tenant } from '../tenancy/tenant.js';
import { ActionDictionary } from './action-dictionary.js';
import { DeviceDetection } from './device-detection.js';
import {
  dropBot, dropDoNotTrack, dropExcludedIp, dropExcludedRequest, dropExcludedReferrer, dropExcludedUserAgent, dropUnknownUrl, dropWithoutRec,
} from './drop-steps.js';
import {
  enrichDevice, enrichLanguage, enrichLocation, enrichMaskedIp, enrichReferrer, enrichVisitorIds,
} from './enrich-steps.js';
import { Geolocator } from './geo/geolocator.js';
import { isDropped, type DropReason, type EnrichedHit, type Hit, type StepResult } from './hit.js';
import { parseAction } from './parse-action.js';
import { parseConversion } from './parse-conversion.js';
import { parseHit, type HitRequestContext } from './parse-hit.js';
import { parseRequestExclusion } from './request-exclusion.js';
import { SiteCache } from './site-cache.js';
import { formatSiteDate } from './site-time.js';
import { TrackingAuth } from './tracking-auth.js';
import type { TrackingParams } from './tracking-params.js';
import { TrackingWriter } from './tracking-writer.js';
import { readVisitRules, VisitCache } from './visit-identifier.js';

/** The outcome of one hit. */
export type TrackOutcome = { status: 'recorded' } | { status: 'dropped'; reason: DropReason };

/** The request facts a hit carries besides its parameters. */
export interface TrackRequestContext extends HitRequestContext {
  doNotTrack: boolean;
}

/** Tracking state of one tenant: caches and the writer. Rebuilt when the tenant's config changes. */
interface TenantTracking {
  sites: SiteCache;
  auth: TrackingAuth;
  writer: TrackingWriter;
  geolocator: Geolocator;
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function splitList(text: string): string[] {
  return text.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

/** Runs hits of every tenant through the pipeline; one instance per process. */
export class TrackingPipeline {
  readonly #devices = new DeviceDetection();
  readonly #tenants = new WeakMap<Tenant, TenantTracking>();
  /** The current state of each tenant key, so flush reaches every writer and replaced states are released. */
  readonly #live = new Map<string, TenantTracking>();
  readonly #geolocators = new Map<string, Geolocator>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /**
   * Tracks one hit and resolves once it is committed or counted as dropped.
   *
   * @throws FootfallError with a 4xx status for an unknown site, a malformed parameter or a
   *   missing authentication; the hit is then not stored.
   */
  async track(tenant: Tenant, params: TrackingParams, context: TrackRequestContext): Promise<TrackOutcome> {
    return (await this.#prepare(tenant, params, context))();
  }

  /**
   * Tracks the hits of a bulk request in order: each is parsed and queued before the next,
   * so the writer records them in the order sent, and all are awaited together. Each result
   * is an outcome or the error that made the hit invalid.
   */
  async trackAll(tenant: Tenant, paramsList: readonly (TrackingParams | Error)[], context: TrackRequestContext): Promise<(TrackOutcome | Error)[]> {
    const pending: Promise<TrackOutcome | Error>[] = [];
    for (const params of paramsList) {
      if (params instanceof Error) {
        pending.push(Promise.resolve(params));
        continue;
      }
      try {
        pending.push((await this.#prepare(tenant, params, context))().catch((error: unknown) => toError(error)));
      } catch (error) {
        pending.push(Promise.resolve(toError(error)));
      }
    }
    return Promise.all(pending);
  }

  /**
   * Tracks hits of any tenants in the order given, as `trackAll` does for one tenant: each
   * is parsed and queued before the next, and all are awaited together. The queue workers use it.
   */
  async trackInOrder(hits: readonly { tenant: Tenant; params: TrackingParams; context: TrackRequestContext }[]): Promise<(TrackOutcome | Error)[]> {
    const pending: Promise<TrackOutcome | Error>[] = [];
    for (const { tenant, params, context } of hits) {
      try {
        pending.push((await this.#prepare(tenant, params, context))().catch((error: unknown) => toError(error)));
      } catch (error) {
        pending.push(Promise.resolve(toError(error)));
      }
    }
    return Promise.all(pending);
  }

  /**
   * Runs the parse step only, so queued tracking rejects a malformed hit before it enters the queue.
   *
   * @throws FootfallError with a 4xx status, as `track` does, for an unknown site, a malformed parameter or a missing authentication.
   */
  async validate(tenant: Tenant, params: TrackingParams, context: TrackRequestContext): Promise<void> {
    const state = this.#stateOf(tenant);
    const { hit, tracked } = await parseHit(params, context, { db: tenant.db(), salt: tenant.salt, settings: tenant.settings, sites: state.sites, auth: state.auth });
    parseAction(params, hit.site, tracked.customDimensions);
    parseConversion(params);
  }

  /** Returns whether a token belongs to a superuser of the tenant, for the bulk answer's `invalid_indices`. */
  async isSuperuserToken(tenant: Tenant, token: string | undefined): Promise<boolean> {
    const owner = await this.#stateOf(tenant).auth.findOwner(tenant.db(), tenant.salt, token);
    return owner?.superuser === true;
  }

  /** Runs the parse, drop and enrich steps now, and returns a function that queues the write and awaits it. */
  async #prepare(tenant: Tenant, params: TrackingParams, context: TrackRequestContext): Promise<() => Promise<TrackOutcome>> {
    const state = this.#stateOf(tenant);
    const { hit, tracked } = await parseHit(params, context, { db: tenant.db(), salt: tenant.salt, settings: tenant.settings, sites: state.sites, auth: state.auth });
    hit.action = parseAction(params, hit.site, tracked.customDimensions);
    hit.conversion = parseConversion(params);
    const settings = tenant.settings.forSite(hit.siteId);

    const result = this.#runSteps(hit, settings, state, context, tenant.salt);
    if (isDropped(result)) {
      const counted = state.writer.countDrop(result.siteId, formatSiteDate(result.time, result.timezone), result.dropped);
      return async () => {
        await counted;
        return { status: 'dropped', reason: result.dropped };
      };
    }
    const written = state.writer.write(result, tracked);
    return async () => {
      const outcome = await written;
      return outcome === 'recorded' ? { status: 'recorded' } : { status: 'dropped', reason: outcome };
    };
  }

  #runSteps(hit: Hit, settings: Settings, state: TenantTracking, context: TrackRequestContext, salt: string): StepResult<EnrichedHit> {
    const steps: ((hit: Hit) => StepResult<Hit>)[] = [
      dropWithoutRec,
      (current) => dropExcludedRequest(current, parseRequestExclusion(settings.string('Tracker', 'exclude_requests'))),
      dropExcludedIp,
      dropExcludedUserAgent,
      dropExcludedReferrer,
      dropUnknownUrl,
      (current) => enrichDevice(current, this.#devices),
      dropBot,
      (current) => dropDoNotTrack(current, settings.bool('Tracker', 'honor_do_not_track'), context.doNotTrack),
      (current) => enrichLocation(current, state.geolocator),
      enrichLanguage,
      (current) => enrichReferrer(current, {
        campaignNameParameters: splitList(settings.string('Tracker', 'campaign_var_name')),
        campaignKeywordParameters: splitList(settings.string('Tracker', 'campaign_keyword_var_name')),
      }),
      (current) => enrichVisitorIds(current, { salt, userIdOverwritesVisitorId: settings.bool('Tracker', 'enable_userid_overwrites_visitorid') }),
      (current) => enrichMaskedIp(current, settings.int('Tracker', 'ip_address_mask_length')),
    ];
    let current: StepResult<Hit> = hit;
    for (const step of steps) {
      current = step(current as Hit);
      if (isDropped(current)) return current;
    }
    return current as EnrichedHit;
  }

  /** Writes every queued hit of every tenant, for shutdown and tests. */
  async flush(): Promise<void> {
    for (const state of this.#live.values()) await state.writer.flush();
  }

  #stateOf(tenant: Tenant): TenantTracking {
    let state = this.#tenants.get(tenant);
    if (state) return state;
    const settings = tenant.settings;
    const geolocationPath = settings.string('Tracker', 'geolocation_database');
    let geolocator = this.#geolocators.get(geolocationPath);
    if (!geolocator) {
      geolocator = Geolocator.open(geolocationPath);
      this.#geolocators.set(geolocationPath, geolocator);
    }
    state = {
      sites: new SiteCache(tenant.key),
      auth: new TrackingAuth(),
      geolocator,
      writer: new TrackingWriter({
        db: () => tenant.db(), adapter: tenant.databaseConfig.adapter,
        visits: new VisitCache(settings.int('Tracker', 'visit_cache_size')), actions: new ActionDictionary(),
        rulesFor: (siteId) => readVisitRules(settings.forSite(siteId)),
        batchMs: settings.int('Tracker', 'write_batch_ms'), maxHits: settings.int('Tracker', 'write_batch_max_hits') || 1,
        logger: this.#logger, tenant: tenant.key,
      }),
    };
    this.#tenants.set(tenant, state);
    const replaced = this.#live.get(tenant.key);
    // A tenant whose config file changed gets a new state; the old writer finishes its queue on its own.
    if (replaced) void replaced.writer.flush();
    this.#live.set(tenant.key, state);
    return state;
  }
}
