/**
 * The tracking pipeline: parse → drop → conversion → enrich → identify visit → write. The list
 * of steps below is the documentation of what happens to a hit. Each step returns the hit or a drop.
 */
import type { Logger } from 'pino';
import type { Settings } from '../config/settings.js';
import type { Tenant } from '../tenancy/tenant.js';
import { ActionDictionary } from './action-dictionary.js';
import { addExtractedDimensionValues } from './custom-dimension-extraction.js';
import { DEFAULT_DEVICE_CACHE_SIZE, DeviceDetection } from './device-detection.js';
import {
  dropBot, dropDoNotTrack, dropExcludedIp, dropExcludedRequest, dropExcludedReferrer, dropExcludedUserAgent, dropUnknownUrl, dropWithoutRec,
} from './drop-steps.js';
import {
  enrichDevice, enrichLanguage, enrichLocation, enrichMaskedIp, enrichReferrer, enrichVisitorIds,
} from './enrich-steps.js';
import { Geolocator } from './geo/geolocator.js';
import { maskIpAddress } from './ip-address.js';
import { isDropped, type DropReason, type EnrichedHit, type Hit, type StepResult } from './hit.js';
import { parseAction } from './parse-action.js';
import { checkConversionGoal, parseConversion, parseHitAmounts, readHitAmounts } from './parse-conversion.js';
import { parseCachedHit, parseHit, readUserAgent, type HitRequestContext, type ParsedHit, type ParseHitDependencies } from './parse-hit.js';
import type { ReferrerDetectionConfig } from './referrer-detection.js';
import { parseRequestExclusion } from './request-exclusion.js';
import { readTrackedPageUrl } from './page-url.js';
import { SiteCache, type TrackedSite } from './site-cache.js';
import { siteDayOf } from './site-time.js';
import { TrackingAuth } from './tracking-auth.js';
import type { TrackingParams } from './tracking-params.js';
import { SqliteWriteThread } from './sqlite-write-thread.js';
import { TrackingWriter, type WriteOutcome } from './tracking-writer.js';
import { readVisitRules, VisitCache } from './visit-identifier.js';

/** The outcome of one hit. */
export type TrackOutcome = { status: 'recorded' } | { status: 'dropped'; reason: DropReason };

/** The outcome of one hit run through the steps before the write, as `checkAll` returns it. */
export type CheckOutcome = { status: 'accepted' } | { status: 'dropped'; reason: DropReason };

/** The outcome of every accepted hit, shared because it carries nothing else. */
const ACCEPTED: CheckOutcome = Object.freeze({ status: 'accepted' });

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

const RECORDED: TrackOutcome = Object.freeze({ status: 'recorded' });

function toTrackOutcome(outcome: WriteOutcome): TrackOutcome {
  return outcome === 'recorded' ? RECORDED : { status: 'dropped', reason: outcome };
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function splitList(text: string): string[] {
  return text.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

/** The tenant's state with what the parse step reads, looked up once per call rather than per hit. */
interface PipelineDependencies extends ParseHitDependencies {
  state: TenantTracking;
}

/** The `[Tracker]` settings the drop and enrich steps read. */
interface StepSettings {
  honorDoNotTrack: boolean;
  referrerDetection: ReferrerDetectionConfig;
  userIdOverwritesVisitorId: boolean;
  ipAddressMaskLength: number;
  /** The raw `exclude_requests` value, parsed (and cached) by the step that applies it. */
  excludeRequests: string;
  /** `use_anonymized_ip_for_visit_enrichment`: geolocate the masked address rather than the full one. */
  useAnonymizedIpForEnrichment: boolean;
}

/** Step settings by settings object. A tenant or site keeps its object until its config changes. */
const stepSettingsCache = new WeakMap<Settings, StepSettings>();

function readStepSettings(settings: Settings): StepSettings {
  let stepSettings = stepSettingsCache.get(settings);
  if (!stepSettings) {
    stepSettings = {
      honorDoNotTrack: settings.bool('Tracker', 'honor_do_not_track'),
      referrerDetection: {
        campaignNameParameters: splitList(settings.string('Tracker', 'campaign_var_name')),
        campaignKeywordParameters: splitList(settings.string('Tracker', 'campaign_keyword_var_name')),
      },
      userIdOverwritesVisitorId: settings.bool('Tracker', 'enable_userid_overwrites_visitorid'),
      ipAddressMaskLength: settings.int('Tracker', 'ip_address_mask_length'),
      excludeRequests: settings.string('Tracker', 'exclude_requests'),
      useAnonymizedIpForEnrichment: settings.bool('Tracker', 'use_anonymized_ip_for_visit_enrichment'),
    };
    stepSettingsCache.set(settings, stepSettings);
  }
  return stepSettings;
}

/**
 * Returns the address to geolocate: the masked one when `[Tracker] use_anonymized_ip_for_visit_enrichment`
 * is on, so no lookup uses more of the address than is stored, else the full one.
 */
function readLocationIp(hit: Hit, settings: StepSettings): string {
  if (!settings.useAnonymizedIpForEnrichment) return hit.ip;
  return maskIpAddress(hit.ip, settings.ipAddressMaskLength);
}

/** Settings of one pipeline instance that differ from the tenant's config. */
export interface TrackingPipelineOptions {
  /**
   * Hits per group commit, in place of `[Tracker] write_batch_max_hits`. The log importer
   * raises it because no request waits on its commits.
   */
  writeBatchMaxHits?: number;
  /**
   * Whether SQLite tenants write their batches on a worker thread while the next batch is
   * recorded (true by default). Off, each batch is written on the main thread before the next.
   */
  sqliteWriteThread?: boolean;
  /** Hits a SQLite batch needs to be written on the thread (256 by default); smaller batches are written on the main thread. */
  sqliteWriteThreadMinHits?: number;
  /** Module the SQLite write thread runs, in place of `sqlite-write-worker.js`, for tests that end the thread. */
  sqliteWriteWorkerUrl?: URL;
}

/**
 * Hits a SQLite batch needs before it is written on the write thread. Single requests make
 * batches of a few dozen hits, for which the thread's message round trip cost more than the
 * SQL it moved: 12% fewer single pageviews per second in the tracking benchmark.
 */
const DEFAULT_WRITE_THREAD_MIN_HITS = 256;

/** Runs hits of every tenant through the pipeline; one instance per process. */
export class TrackingPipeline {
  readonly #devices: DeviceDetection;
  readonly #tenants = new WeakMap<Tenant, TenantTracking>();
  /** The current state of each tenant key, so flush reaches every writer and replaced states are released. */
  readonly #live = new Map<string, TenantTracking>();
  readonly #geolocators = new Map<string, Geolocator>();
  readonly #logger: Logger;
  readonly #options: TrackingPipelineOptions;
  /** The write thread of every SQLite tenant, started by `warmUp` or else by the first batch it writes. */
  readonly #writeThread: SqliteWriteThread;

  /**
   * `devices` lets a caller that detects devices itself, such as the log importer, share one
   * cache. By default new user agents are detected on a worker thread, so that their
   * detection does not hold up the requests of other hits.
   */
  constructor(logger: Logger, devices = new DeviceDetection(DEFAULT_DEVICE_CACHE_SIZE, { offThread: true, logger }), options: TrackingPipelineOptions = {}) {
    this.#logger = logger;
    this.#devices = devices;
    this.#options = options;
    this.#writeThread = new SqliteWriteThread(options.sqliteWriteWorkerUrl);
  }

  /**
   * Tracks one hit and resolves once it is committed or counted as dropped.
   *
   * @throws FootfallError with a 4xx status for an unknown site or goal, a malformed parameter
   *   or a missing authentication. The hit is then not stored. The goal and the other conversion
   *   parameters are checked only on a hit that no drop step drops.
   */
  async track(tenant: Tenant, params: TrackingParams, context: TrackRequestContext): Promise<TrackOutcome> {
    const dependencies = this.#parseDependencies(tenant);
    const parsed = parseCachedHit(params, context, dependencies) ?? await parseHit(params, context, dependencies);
    // NOTE: a hit whose agent (or client hints) is new waits for the detection thread, so a
    // later request of the same visitor with a cached agent can be written before it.
    const detecting = this.#devices.prepare(parsed.hit.userAgent, params.get('uadata'));
    if (detecting) await detecting;
    return this.#queueParsed(dependencies, parsed, params, context);
  }

  /**
   * Tracks the hits of a bulk request in order: each is parsed and queued before the next,
   * so the writer records them in the order sent, and all are awaited together. Each result
   * is an outcome or the error that made the hit invalid.
   */
  async trackAll(tenant: Tenant, paramsList: readonly (TrackingParams | Error)[], context: TrackRequestContext): Promise<(TrackOutcome | Error)[]> {
    return (await this.queueAll(tenant, paramsList, context))();
  }

  /**
   * Parses the hits in order and queues each on the writer before the next, then resolves
   * with a function that awaits their outcomes. A caller that queues the next list only after
   * this resolves keeps the order of hits across lists, so many lists can wait on the writer
   * at once and fill its group commits.
   */
  async queueAll(tenant: Tenant, paramsList: readonly (TrackingParams | Error)[], context: TrackRequestContext): Promise<() => Promise<(TrackOutcome | Error)[]>> {
    const dependencies = this.#parseDependencies(tenant);
    const pending: Promise<TrackOutcome | Error>[] = [];
    // Every new user agent of the list is sent to the detection thread first, so that their
    // detections run while the hits before them are parsed.
    const detections = paramsList.map((params) => (params instanceof Error ? undefined : this.#prepareDevice(params, context)));
    for (const [index, params] of paramsList.entries()) {
      if (params instanceof Error) {
        pending.push(Promise.resolve(params));
        continue;
      }
      try {
        // A hit whose site and token are cached is queued without an await, so a bulk request
        // pays no microtask per hit. The others wait for their lookups before the next is parsed.
        const parsed = parseCachedHit(params, context, dependencies) ?? await parseHit(params, context, dependencies);
        const detecting = detections[index];
        if (detecting) await detecting;
        pending.push(this.#queueParsed(dependencies, parsed, params, context).catch(toError));
      } catch (error) {
        pending.push(Promise.resolve(toError(error)));
      }
    }
    return () => Promise.all(pending);
  }

  /**
   * Runs the parse, drop and enrich steps of each hit and stores nothing, drop counts
   * included: the dry run of `log:import`. A hit that passes every step is `accepted`.
   *
   * NOTE: the writer can still drop an accepted hit (for example one the visit rules
   * exclude), so `accepted` is an upper bound of what tracking would record.
   */
  async checkAll(tenant: Tenant, paramsList: readonly TrackingParams[], context: TrackRequestContext): Promise<(CheckOutcome | Error)[]> {
    const dependencies = this.#parseDependencies(tenant);
    const outcomes: (CheckOutcome | Error)[] = [];
    for (const params of paramsList) {
      try {
        // Most hits of an import find their site cached, so they are checked without an await.
        const parsed = parseCachedHit(params, context, dependencies) ?? await parseHit(params, context, dependencies);
        const { result } = this.#evaluateParsed(dependencies, parsed, params, context);
        outcomes.push(isDropped(result) ? { status: 'dropped', reason: result.dropped } : ACCEPTED);
      } catch (error) {
        outcomes.push(toError(error));
      }
    }
    return outcomes;
  }

  /**
   * Tracks hits of any tenants in the order given, as `trackAll` does for one tenant: each
   * is parsed and queued before the next, and all are awaited together. The queue workers use it.
   */
  async trackInOrder(hits: readonly { tenant: Tenant; params: TrackingParams; context: TrackRequestContext }[]): Promise<(TrackOutcome | Error)[]> {
    const pending: Promise<TrackOutcome | Error>[] = [];
    const detections = hits.map(({ params, context }) => this.#prepareDevice(params, context));
    for (const [index, { tenant, params, context }] of hits.entries()) {
      try {
        const dependencies = this.#parseDependencies(tenant);
        const parsed = parseCachedHit(params, context, dependencies) ?? await parseHit(params, context, dependencies);
        const detecting = detections[index];
        if (detecting) await detecting;
        pending.push(this.#queueParsed(dependencies, parsed, params, context).catch(toError));
      } catch (error) {
        pending.push(Promise.resolve(toError(error)));
      }
    }
    return Promise.all(pending);
  }

  /**
   * Runs the parse step, so queued tracking rejects a malformed hit before it enters the queue.
   * A hit whose conversion is invalid is rejected only when no drop step drops it, as `track`
   * does, so the queue takes a dropped hit and the worker counts its drop.
   *
   * @throws FootfallError with a 4xx status, as `track` does, for an unknown site or goal, a malformed parameter or a missing authentication.
   */
  async validate(tenant: Tenant, params: TrackingParams, context: TrackRequestContext): Promise<void> {
    const { hit, tracked, siteSettings } = await parseHit(params, context, this.#parseDependencies(tenant));
    const action = parseAction(params, hit.site, tracked.customDimensions);
    try {
      checkConversionGoal(parseConversion(params, parseHitAmounts(params, action)), tracked);
    } catch (error) {
      // Only a hit with an invalid conversion waits here for its device, which the bot step reads.
      const detecting = this.#prepareDevice(params, context);
      if (detecting) await detecting;
      if (isDropped(this.#runDropSteps(hit, readStepSettings(siteSettings), context))) return;
      throw error;
    }
  }

  /** Returns whether a token belongs to a superuser of the tenant, for the bulk answer's `invalid_indices`. */
  async isSuperuserToken(tenant: Tenant, token: string | undefined): Promise<boolean> {
    const owner = await this.#stateOf(tenant).auth.findOwner(tenant.db(), tenant.salt, token);
    return owner?.superuser === true;
  }

  /**
   * Runs the drop and enrich steps of a parsed hit now, then queues its write or its drop
   * count. Returns its outcome once that is committed.
   */
  #queueParsed(dependencies: PipelineDependencies, parsed: ParsedHit, params: TrackingParams, context: TrackRequestContext): Promise<TrackOutcome> {
    const { tracked, result } = this.#evaluateParsed(dependencies, parsed, params, context);
    const { writer } = dependencies.state;
    if (isDropped(result)) {
      const reason = result.dropped;
      return writer.countDrop(result.siteId, siteDayOf(result.time.getTime(), result.timezone), reason).then(() => ({ status: 'dropped', reason }));
    }
    return writer.write(result, tracked).then(toTrackOutcome);
  }

  /** Returns the tenant's state and what the parse step reads, once for all hits of one call. */
  #parseDependencies(tenant: Tenant): PipelineDependencies {
    const state = this.#stateOf(tenant);
    return { state, db: tenant.db(), salt: tenant.salt, settings: tenant.settings, sites: state.sites, auth: state.auth };
  }

  /** Runs the rest of the parse step, then the drop and enrich steps, of a hit whose site and time are parsed. */
  #evaluateParsed(
    dependencies: PipelineDependencies, parsed: ParsedHit, params: TrackingParams, context: TrackRequestContext,
  ): { tracked: TrackedSite; result: StepResult<EnrichedHit> } {
    const { hit, tracked, siteSettings } = parsed;
    const page = readTrackedPageUrl(hit);
    hit.action = parseAction(params, hit.site, tracked.customDimensions, page);
    addExtractedDimensionValues(hit.action, params, tracked.customDimensions, page);
    const settings = readStepSettings(siteSettings);
    const dropped = this.#runDropSteps(hit, settings, context);
    if (isDropped(dropped)) return { tracked, result: dropped };
    // Matomo 5 reads idgoal only on a request it does not exclude, so a dropped hit with an
    // unknown or malformed idgoal is counted as dropped rather than rejected.
    hit.conversion = parseConversion(params, readHitAmounts(hit));
    checkConversionGoal(hit.conversion, tracked);
    return { tracked, result: this.#runEnrichSteps(hit, settings, dependencies.state, dependencies.salt) };
  }

  /** Runs the drop steps in order, with the device detection that the bot step reads, and stops at the first drop. */
  #runDropSteps(hit: Hit, settings: StepSettings, context: TrackRequestContext): StepResult<Hit> {
    // The steps are plain calls rather than a list of closures, because this runs once per hit.
    let current: StepResult<Hit> = dropWithoutRec(hit);
    if (isDropped(current)) return current;
    current = dropExcludedRequest(hit, parseRequestExclusion(settings.excludeRequests));
    if (isDropped(current)) return current;
    current = dropExcludedIp(hit);
    if (isDropped(current)) return current;
    current = dropExcludedUserAgent(hit);
    if (isDropped(current)) return current;
    current = dropExcludedReferrer(hit);
    if (isDropped(current)) return current;
    current = dropUnknownUrl(hit);
    if (isDropped(current)) return current;
    enrichDevice(hit, this.#devices);
    current = dropBot(hit);
    if (isDropped(current)) return current;
    return dropDoNotTrack(hit, settings.honorDoNotTrack, context.doNotTrack);
  }

  /** Runs the enrich steps of a hit that no drop step dropped. */
  #runEnrichSteps(hit: Hit, settings: StepSettings, state: TenantTracking, salt: string): EnrichedHit {
    enrichLocation(hit, state.geolocator, readLocationIp(hit, settings));
    enrichLanguage(hit);
    enrichReferrer(hit, settings.referrerDetection);
    enrichVisitorIds(hit, { salt, userIdOverwritesVisitorId: settings.userIdOverwritesVisitorId });
    enrichMaskedIp(hit, settings.ipAddressMaskLength);
    return hit as EnrichedHit;
  }

  /** Writes every queued hit of every tenant, for shutdown and tests. */
  async flush(): Promise<void> {
    for (const state of this.#live.values()) await state.writer.flush();
  }

  /**
   * Starts the SQLite write thread, and the device detection thread, which builds the
   * detector's patterns, for a server that starts. Resolves once the detection thread is
   * ready or failed, and never rejects.
   */
  warmUp(): Promise<void> {
    if (this.#options.sqliteWriteThread !== false) this.#writeThread.start();
    return this.#devices.warmUp();
  }

  /** Writes every queued hit, then ends the device detection thread. */
  async close(): Promise<void> {
    await this.flush();
    await this.#writeThread.close();
    await this.#devices.close();
  }

  /** Starts detecting the device of a hit whose user agent is new, before the hit is parsed. */
  #prepareDevice(params: TrackingParams, context: TrackRequestContext): Promise<void> | undefined {
    return this.#devices.prepare(readUserAgent(params, context), params.get('uadata'));
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
        batchMs: settings.int('Tracker', 'write_batch_ms'), maxHits: this.#options.writeBatchMaxHits ?? (settings.int('Tracker', 'write_batch_max_hits') || 1),
        logger: this.#logger, tenant: tenant.key,
        writeThread: tenant.databaseConfig.adapter === 'sqlite' && this.#options.sqliteWriteThread !== false
          ? {
            thread: this.#writeThread, file: tenant.databaseConfig.sqliteFile, busyTimeoutSeconds: tenant.databaseConfig.sqliteBusyTimeoutSeconds,
            minHits: this.#options.sqliteWriteThreadMinHits ?? DEFAULT_WRITE_THREAD_MIN_HITS,
          }
          : undefined,
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
