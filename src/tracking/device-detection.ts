/** Device, OS, browser and bot detection with node-device-detector, cached by user agent. */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { DetectResult, DeviceDetectorOptions, ResultBot } from 'node-device-detector';
import type { Logger } from 'pino';
import { LRUCache } from 'lru-cache';
import { DetectionThreadClosedError, DetectionThreadPool, DetectionTimeoutError, MAX_FAILED_THREAD_STARTS, type DetectionThreadOptions } from './detection-thread.js';
import type { DeviceInfo } from './hit.js';

/** Distinct user agents (with client hints) whose detection is kept in memory. */
export const DEFAULT_DEVICE_CACHE_SIZE = 10_000;

/** `config_device_type` numbers, as Matomo's DeviceDetector numbers device types. */
const DEVICE_TYPE_IDS: Readonly<Record<string, number>> = {
  desktop: 0, smartphone: 1, tablet: 2, 'feature phone': 3, console: 4, tv: 5, 'car browser': 6, 'smart display': 7,
  camera: 8, 'portable media player': 9, phablet: 10, 'smart speaker': 11, wearable: 12, peripheral: 13,
};

/** `config_client_type` numbers, as Matomo stores client types. */
const CLIENT_TYPE_IDS: Readonly<Record<string, number>> = {
  browser: 1, 'mobile app': 2, library: 3, 'feed reader': 4, 'media player': 5, pim: 6,
};

const UNKNOWN = 'UNK';

/**
 * The device of a user agent that nothing matched: what `detectUncached` returns for an
 * empty one. It is also the result for a user agent whose detection timed out on the thread.
 */
export const UNKNOWN_DEVICE: Readonly<DeviceInfo> = Object.freeze({
  deviceType: null, deviceBrand: null, deviceModel: null, os: UNKNOWN, osVersion: null,
  browserName: UNKNOWN, browserVersion: null, browserEngine: null, clientType: null, isBot: false,
});

/**
 * Maximum number of user agents kept as timed out. Each one held the thread for a full time
 * limit, so at the default limit the set covers at least the last 33 minutes of them. It is
 * apart from the LRU cache so that new user agents cannot push a timed-out one out between
 * `prepare` and `detect`, which would detect it on the main thread.
 */
const MAX_TIMED_OUT_USER_AGENTS = 1_000;

/**
 * Maximum number of cache keys kept as unanswered. A key has to stay until its hit calls
 * `detect`. The hits of one bulk request (up to 10,000) call it one after another once their
 * waits ended, so the set has room for the keys of two such requests.
 */
const MAX_UNANSWERED_KEYS = 20_000;

/**
 * Returns log fields that tell user agents apart without logging one: the first 16 hex digits
 * of its SHA-256 and its length. An operator finds the agent by hashing candidates from the
 * access log, such as `printf %s "$agent" | sha256sum`.
 */
export function userAgentLogFields(userAgent: string): { userAgentSha256: string; userAgentLength: number } {
  return { userAgentSha256: createHash('sha256').update(userAgent).digest('hex').slice(0, 16), userAgentLength: userAgent.length };
}

/** The part of node-device-detector's detector that this file calls. */
interface DeviceDetectorApi {
  detect(userAgent: string, clientHints?: object): DetectResult;
  parseBot(userAgent: string): ResultBot | null;
}

/** The part of node-device-detector's client hints parser that this file calls. */
interface ClientHintsParser {
  parse(headers: Record<string, string>, meta: Record<string, string>): object;
}

// The package is CommonJS and its typings declare an ES default export that does not exist
// at run time, so it is loaded with require and typed through the interfaces above.
const require = createRequire(import.meta.url);
const DeviceDetector = require('node-device-detector') as new (options: DeviceDetectorOptions) => DeviceDetectorApi;
const ClientHints = require('node-device-detector/client-hints.js') as new () => ClientHintsParser;
const BOT_PATTERNS = require('node-device-detector/regexes/bots.js') as { regex: string }[];
const { getBaseRegExp } = require('node-device-detector/parser/helper.js') as { getBaseRegExp(pattern: string): RegExp };
const ParserAbstract = require('node-device-detector/parser/abstract-parser.js') as { prototype: { getBaseRegExp(pattern: string): RegExp } };

/**
 * Makes the library's parsers keep each RegExp they build. They built a new one from a
 * pattern text each time they tried it, and a user agent without a known device code tries
 * every brand's pattern (about 2,000). Keeping them cuts the time of a new user agent from
 * 2.7 to 1.6 ms on average over eight browser families (2-core VM). The patterns come from
 * the library's own lists, so the map stays bounded, and each RegExp has only the `i` flag,
 * so reusing it keeps no state between calls (`lastIndex` matters only with `g` or `y`).
 */
function reuseBuiltPatterns(): void {
  const built = new Map<string, RegExp>();
  ParserAbstract.prototype.getBaseRegExp = (pattern: string): RegExp => {
    let regExp = built.get(pattern);
    if (regExp === undefined) {
      regExp = getBaseRegExp(pattern);
      built.set(pattern, regExp);
    }
    return regExp;
  };
}
reuseBuiltPatterns();

/**
 * One regular expression that matches a user agent exactly when one of node-device-detector's
 * bot patterns matches it (838 of them in version 2.2.7), as Matomo's DeviceDetector
 * pre-matches its bot list. The parser tries the patterns one by one and built a new RegExp
 * for each, which cost about 1.5 ms per new browser user agent, and most user agents are
 * browsers. Each part is the parser's own pattern, and no pattern has a numbered
 * backreference that the alternation would shift.
 */
export const ANY_BOT_PATTERN = buildAnyBotPattern();

/** Joins the bot patterns behind the prefix group that the parser puts before each one. */
function buildAnyBotPattern(): RegExp {
  const empty = getBaseRegExp('').source;
  const prefix = empty.slice(0, empty.length - '(?:)'.length);
  const alternatives = BOT_PATTERNS.map((bot) => {
    const source = getBaseRegExp(bot.regex).source;
    return source.slice(prefix.length);
  });
  return new RegExp(`${prefix}(?:${alternatives.join('|')})`, 'i');
}

/** Settings of a `DeviceDetection`. */
export interface DeviceDetectionOptions extends DetectionThreadOptions {
  /** Detect new user agents on a worker thread in `prepare`. */
  offThread?: boolean;
  /** Worker threads of `offThread`, 1 unless set. Requests go to the least busy one. */
  threads?: number;
  /**
   * Make `prepare` wait for the thread however many requests are queued before it, so that
   * no wait ends at the time limit. `log:import` sets it, because it keeps no request open,
   * and a device recorded as unknown would stay so in the imported hits.
   */
  unlimitedWait?: boolean;
  logger?: Logger;
}

/** Returns the cache key of a user agent and its client hints. */
function cacheKeyOf(userAgent: string, uadata: string | undefined): string {
  return uadata ? `${userAgent}\n${uadata}` : userAgent;
}

/** A detection sent to the thread, and the wait of the hits that share it. */
interface ThreadDetection {
  key: string;
  userAgent: string;
  /** Aborted when a wait reaches the time limit, which takes the request off the thread's queue. */
  controller: AbortController;
  /** Resolves once the thread's result is cached or its failure handled. */
  settled: Promise<void>;
  /** The promise that `prepare` returns, until it resolves at the time limit. */
  wait: Promise<void> | undefined;
}

/**
 * Milliseconds after a detection timed out during which every hit waits at most one time
 * limit for its devices. Outside that window a hit waits until its user agent is detected,
 * so a burst of new user agents is detected in full rather than partly recorded as unknown.
 */
const BOUNDED_WAIT_WINDOW_MS = 60_000;

/** Detects devices from user agents and client hints; one instance serves every tenant. */
export class DeviceDetection {
  readonly #detector = new DeviceDetector({ clientIndexes: true, deviceIndexes: true, osIndexes: true, deviceAliasCode: false, maxUserAgentSize: 500 });
  readonly #clientHints = new ClientHints();
  readonly #cache: LRUCache<string, DeviceInfo>;
  /**
   * User agents whose detection ran past the thread's time limit, with any client hints.
   * Neither `prepare` nor `detect` detects them again, and `detect` returns `UNKNOWN_DEVICE`.
   */
  readonly #timedOut = new LRUCache<string, true>({ max: MAX_TIMED_OUT_USER_AGENTS });
  /**
   * Cache keys whose hits stopped waiting before the thread replied: the wait reached the time
   * limit or `close` ended the thread. `detect` returns `UNKNOWN_DEVICE` for them until a
   * result is cached, and `prepare` sends the user agent to the thread again.
   */
  readonly #unanswered = new LRUCache<string, true>({ max: MAX_UNANSWERED_KEYS });
  /**
   * The last request and its result. The log importer detects each line's user agent to skip
   * bots and again in the enrich step, so the second call skips the LRU lookup.
   */
  #lastUserAgent: string | undefined;
  #lastUadata: string | undefined;
  #lastInfo: DeviceInfo | undefined;

  /** Detections queued or running on the thread, by cache key, so that hits with one new user agent share one. */
  readonly #detecting = new Map<string, ThreadDetection>();
  readonly #thread: DetectionThreadPool | undefined;
  readonly #logger: Logger | undefined;
  readonly #unlimitedWait: boolean;
  #loggedGiveUp = false;
  /** `Date.now()` of the last detection that ran past the time limit. */
  #lastTimeoutAt = Number.NEGATIVE_INFINITY;
  /** Starters of the time limit of waits that began outside the bounded-wait window. A timeout runs them all. */
  readonly #unboundedWaits = new Set<() => void>();

  /**
   * `offThread` lets `prepare` detect new user agents on a worker thread. The server turns it
   * on: a new user agent costs 1 to 5 ms of detection, which would otherwise stall every
   * request of the event loop. `threads`, `timeoutMs` and `workerUrl` set up those threads,
   * and a RangeError is thrown for an invalid `threads` or `timeoutMs`.
   */
  constructor(cacheSize = DEFAULT_DEVICE_CACHE_SIZE, options: DeviceDetectionOptions = {}) {
    this.#cache = new LRUCache({ max: cacheSize });
    this.#thread = options.offThread === true
      ? new DetectionThreadPool(options.threads ?? 1, { timeoutMs: options.timeoutMs, workerUrl: options.workerUrl })
      : undefined;
    this.#logger = options.logger;
    this.#unlimitedWait = options.unlimitedWait === true;
  }

  /**
   * Starts detecting a user agent that is not cached on the worker thread, and returns a
   * promise to await before `detect`. Returns undefined when `detect` needs no wait: the
   * result is cached, the user agent timed out before, or the detection runs on this thread.
   *
   * The promise never rejects. It resolves once the thread's result is cached, the thread
   * failed (and then `detect` does the work itself) or the thread was closed. Unless
   * `unlimitedWait` is set, it also resolves one time limit after the first waiting `prepare`
   * call of this user agent and client hints, when a detection timed out less than a minute
   * before that call or while it waits. In the last two cases `detect` returns
   * `UNKNOWN_DEVICE` until a result is cached, and the next `prepare` sends it to the thread again.
   * A user agent that runs past the thread's time limit is recorded as timed out, whatever
   * its client hints.
   */
  prepare(userAgent: string, uadata?: string): Promise<void> | undefined {
    const thread = this.#thread;
    if (thread === undefined || thread.gaveUp) return undefined;
    const key = cacheKeyOf(userAgent, uadata);
    if (this.#cache.has(key) || this.#timedOut.has(userAgent)) return undefined;
    const detection = this.#detecting.get(key) ?? this.#startDetection(thread, userAgent, uadata, key);
    detection.wait ??= this.#unlimitedWait ? detection.settled : this.#waitFor(thread, detection);
    return detection.wait;
  }

  /** Sends a user agent to the thread and handles its result or failure. */
  #startDetection(thread: DetectionThreadPool, userAgent: string, uadata: string | undefined, key: string): ThreadDetection {
    const controller = new AbortController();
    const detection: ThreadDetection = { key, userAgent, controller, settled: Promise.resolve(), wait: undefined };
    detection.settled = thread.detect(userAgent, uadata, controller.signal).then(
      (info) => {
        this.#cache.set(key, info);
        this.#unanswered.delete(key);
      },
      (error: unknown) => this.#handleFailure(detection, error),
    ).finally(() => {
      if (this.#detecting.get(key) === detection) this.#detecting.delete(key);
    });
    this.#detecting.set(key, detection);
    return detection;
  }

  /**
   * Returns a promise that resolves when the detection settles or one time limit after this
   * call, whichever comes first. The limit applies only within `BOUNDED_WAIT_WINDOW_MS` of a
   * timeout: a wait that began outside that window gets its limit when the next timeout
   * happens, counted from the wait's start. At the limit the key is recorded as unanswered,
   * and the request leaves the thread's queue unless the worker has it already.
   */
  #waitFor(thread: DetectionThreadPool, detection: ThreadDetection): Promise<void> {
    const startedAt = Date.now();
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const giveUp = (): void => {
        this.#unboundedWaits.delete(startLimit);
        detection.wait = undefined;
        this.#unanswered.set(detection.key, true);
        detection.controller.abort();
        resolve();
      };
      const startLimit = (): void => {
        // The worker keeps the process running while the request is queued or in progress.
        timer ??= setTimeout(giveUp, Math.max(0, startedAt + thread.timeoutMs - Date.now())).unref();
      };
      if (startedAt - this.#lastTimeoutAt < BOUNDED_WAIT_WINDOW_MS) startLimit();
      else this.#unboundedWaits.add(startLimit);
      void detection.settled.then(() => {
        this.#unboundedWaits.delete(startLimit);
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #handleFailure(detection: ThreadDetection, error: unknown): void {
    const { key, userAgent, controller } = detection;
    // The request left the thread's queue because its wait reached the time limit or its user agent timed out.
    if (controller.signal.aborted && error === controller.signal.reason) return;
    if (error instanceof DetectionThreadClosedError) {
      this.#unanswered.set(key, true);
      return;
    }
    if (error instanceof DetectionTimeoutError) {
      this.#timedOut.set(userAgent, true);
      this.#lastTimeoutAt = Date.now();
      for (const startLimit of this.#unboundedWaits) startLimit();
      this.#unboundedWaits.clear();
      this.#logger?.warn({ ...userAgentLogFields(userAgent), timeoutMs: error.timeoutMs }, 'device detection timed out, so this user agent is recorded as an unknown device');
      // Hits of the same user agent with other client hints would each hold a new worker for a full limit.
      for (const other of this.#detecting.values()) {
        if (other.userAgent === userAgent) other.controller.abort();
      }
      return;
    }
    if (this.#thread?.gaveUp !== true) {
      this.#logger?.warn({ err: error, ...userAgentLogFields(userAgent) }, 'device detection thread failed, so the main thread detects this user agent');
    } else if (!this.#loggedGiveUp) {
      this.#loggedGiveUp = true;
      this.#logger?.error({ err: error, failedStarts: MAX_FAILED_THREAD_STARTS }, 'device detection thread failed to start repeatedly, so new user agents are detected on the main thread from now on');
    }
  }

  /**
   * Starts the worker thread, if this detector has one, and has it detect a few user agents of
   * common families, which builds most of the library's patterns. A server calls this when it
   * starts, so that its first visitors do not wait for about a second of that work. After a
   * timeout that work also counts against the limit of their wait. Resolves once the thread has warmed up,
   * failed or was closed, and never rejects.
   */
  async warmUp(): Promise<void> {
    const thread = this.#thread;
    if (thread === undefined || thread.gaveUp) return;
    try {
      await thread.warmUp();
    } catch (error) {
      if (error instanceof DetectionThreadClosedError) return;
      this.#logger?.warn({ err: error }, 'device detection thread failed to start, so new user agents are detected on the main thread');
    }
  }

  /**
   * Ends the worker thread, if one runs. A user agent whose detection it cut off gets
   * `UNKNOWN_DEVICE` from `detect` until a result is cached. A later `prepare` starts a new thread.
   */
  close(): Promise<void> {
    return this.#thread?.close() ?? Promise.resolve();
  }

  /**
   * Returns the device of a user agent. `uadata` is the tracker's client hints JSON
   * (`{"brands":[...],"platform":...}`); a malformed value is ignored.
   */
  detect(userAgent: string, uadata?: string): DeviceInfo {
    if (userAgent === this.#lastUserAgent && uadata === this.#lastUadata && this.#lastInfo !== undefined) return this.#lastInfo;
    const key = cacheKeyOf(userAgent, uadata);
    let info = this.#cache.get(key);
    if (!info) {
      // Not remembered as the last result, because a result of the thread may replace it.
      if (this.#timedOut.has(userAgent) || this.#unanswered.has(key)) return UNKNOWN_DEVICE;
      // NOTE: detection here, on the calling thread, has no time limit. It runs when there is
      // no thread, the thread failed or was given up, `prepare` was not awaited, or newer
      // results or keys pushed this one out of the LRU cache or the unanswered set before this call.
      info = this.#detectUncached(userAgent, parseClientHints(this.#clientHints, uadata));
      this.#cache.set(key, info);
    }
    this.#lastUserAgent = userAgent;
    this.#lastUadata = uadata;
    this.#lastInfo = info;
    return info;
  }

  /** Detects a user agent without the cache. The worker thread's entry calls this. */
  detectUncached(userAgent: string, uadata?: string): DeviceInfo {
    return this.#detectUncached(userAgent, parseClientHints(this.#clientHints, uadata));
  }

  #detectUncached(userAgent: string, hints: object | undefined): DeviceInfo {
    const bot = ANY_BOT_PATTERN.test(userAgent) ? this.#detector.parseBot(userAgent) : null;
    const result = this.#detector.detect(userAgent, hints as never);
    const deviceType = result.device.type in DEVICE_TYPE_IDS ? DEVICE_TYPE_IDS[result.device.type]! : null;
    return {
      deviceType,
      deviceBrand: result.device.brand || null,
      deviceModel: result.device.model || null,
      os: bot?.name ? 'BOT' : result.os.short_name || UNKNOWN,
      osVersion: result.os.version || null,
      browserName: result.client.type === 'browser' && result.client.short_name ? result.client.short_name : UNKNOWN,
      browserVersion: result.client.version || null,
      browserEngine: result.client.engine || null,
      clientType: result.client.type && result.client.type in CLIENT_TYPE_IDS ? CLIENT_TYPE_IDS[result.client.type]! : null,
      isBot: Boolean(bot?.name),
    };
  }
}

/**
 * Converts the tracker's `uadata` (the result of `navigator.userAgentData.getHighEntropyValues`)
 * into the header form node-device-detector reads.
 */
function parseClientHints(parser: ClientHintsParser, uadata: string | undefined): object | undefined {
  if (!uadata) return undefined;
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(uadata) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const brands = Array.isArray(data.fullVersionList) ? data.fullVersionList : Array.isArray(data.brands) ? data.brands : [];
  const brandList = brands
    .filter((brand): brand is { brand: string; version: string } => typeof brand?.brand === 'string')
    .map((brand) => `"${brand.brand}";v="${String(brand.version ?? '')}"`).join(', ');
  const headers: Record<string, string> = {
    'sec-ch-ua-full-version-list': brandList,
    'sec-ch-ua-platform': `"${String(data.platform ?? '')}"`,
    'sec-ch-ua-platform-version': `"${String(data.platformVersion ?? '')}"`,
    'sec-ch-ua-model': `"${String(data.model ?? '')}"`,
    'sec-ch-ua-mobile': data.mobile ? '?1' : '?0',
  };
  return parser.parse(headers, {});
}
