/** Device, OS, browser and bot detection with node-device-detector, cached by user agent. */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { DetectResult, DeviceDetectorOptions, ResultBot } from 'node-device-detector';
import type { Logger } from 'pino';
import { LRUCache } from 'lru-cache';
import { DetectionThread, DetectionThreadClosedError, DetectionTimeoutError, MAX_FAILED_THREAD_STARTS, type DetectionThreadOptions } from './detection-thread.js';
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
 * Maximum number of user agents (with client hints) kept as timed out. Each one held the
 * thread for a full time limit, so at the default limit the set covers at least the last 33
 * minutes of them. It is apart from the LRU cache so that new user agents cannot push a
 * timed-out one out between `prepare` and `detect`, which would detect it on the main thread.
 */
const MAX_TIMED_OUT_USER_AGENTS = 1_000;

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
  logger?: Logger;
}

/** Returns the cache key of a user agent and its client hints. */
function cacheKeyOf(userAgent: string, uadata: string | undefined): string {
  return uadata ? `${userAgent}\n${uadata}` : userAgent;
}

/** Detects devices from user agents and client hints; one instance serves every tenant. */
export class DeviceDetection {
  readonly #detector = new DeviceDetector({ clientIndexes: true, deviceIndexes: true, osIndexes: true, deviceAliasCode: false, maxUserAgentSize: 500 });
  readonly #clientHints = new ClientHints();
  readonly #cache: LRUCache<string, DeviceInfo>;
  /** Cache keys whose detection ran past the thread's time limit. `detect` returns `UNKNOWN_DEVICE` for them. */
  readonly #timedOut = new LRUCache<string, true>({ max: MAX_TIMED_OUT_USER_AGENTS });
  /**
   * The last request and its result. The log importer detects each line's user agent to skip
   * bots and again in the enrich step, so the second call skips the LRU lookup.
   */
  #lastUserAgent: string | undefined;
  #lastUadata: string | undefined;
  #lastInfo: DeviceInfo | undefined;

  /** Detections running on the thread, by cache key, so that hits with one new user agent share one. */
  readonly #detecting = new Map<string, Promise<void>>();
  readonly #thread: DetectionThread | undefined;
  readonly #logger: Logger | undefined;
  #loggedGiveUp = false;

  /**
   * `offThread` lets `prepare` detect new user agents on a worker thread. The server turns it
   * on: a new user agent costs 1 to 5 ms of detection, which would otherwise stall every
   * request of the event loop. `timeoutMs` and `workerUrl` set up that thread, and its
   * constructor throws a RangeError for an invalid `timeoutMs`.
   */
  constructor(cacheSize = DEFAULT_DEVICE_CACHE_SIZE, options: DeviceDetectionOptions = {}) {
    this.#cache = new LRUCache({ max: cacheSize });
    this.#thread = options.offThread === true ? new DetectionThread({ timeoutMs: options.timeoutMs, workerUrl: options.workerUrl }) : undefined;
    this.#logger = options.logger;
  }

  /**
   * Starts detecting a user agent that is not cached on the worker thread, and returns a
   * promise that settles once `detect` can return its result from the cache. Returns undefined when
   * `detect` needs no wait: the result is cached, or the detection runs on this thread. When
   * the thread fails, the promise still resolves, and `detect` then does the work itself.
   * When the detection runs past the thread's time limit, the promise resolves, and `detect`
   * returns `UNKNOWN_DEVICE` for that user agent without detecting it again.
   */
  prepare(userAgent: string, uadata?: string): Promise<void> | undefined {
    if (this.#thread === undefined || this.#thread.gaveUp) return undefined;
    const key = cacheKeyOf(userAgent, uadata);
    if (this.#cache.has(key) || this.#timedOut.has(key)) return undefined;
    let detecting = this.#detecting.get(key);
    if (detecting === undefined) {
      detecting = this.#thread.detect(userAgent, uadata).then(
        (info) => {
          this.#cache.set(key, info);
        },
        (error: unknown) => {
          if (error instanceof DetectionThreadClosedError) return;
          if (error instanceof DetectionTimeoutError) {
            this.#timedOut.set(key, true);
            this.#logger?.warn({ ...userAgentLogFields(userAgent), timeoutMs: error.timeoutMs }, 'device detection timed out, so this user agent is recorded as an unknown device');
            return;
          }
          if (this.#thread?.gaveUp !== true) {
            this.#logger?.warn({ err: error, ...userAgentLogFields(userAgent) }, 'device detection thread failed, so the main thread detects this user agent');
          } else if (!this.#loggedGiveUp) {
            this.#loggedGiveUp = true;
            this.#logger?.error({ err: error, failedStarts: MAX_FAILED_THREAD_STARTS }, 'device detection thread failed to start repeatedly, so new user agents are detected on the main thread from now on');
          }
        },
      ).finally(() => this.#detecting.delete(key));
      this.#detecting.set(key, detecting);
    }
    return detecting;
  }

  /**
   * Starts the worker thread, if this detector has one, and has it detect a few user agents of
   * common families, which builds most of the library's patterns. A server calls this when it
   * starts, so that its first visitors do not wait for about a second of that work.
   */
  warmUp(): void {
    try {
      this.#thread?.warmUp();
    } catch (error) {
      this.#logger?.warn({ err: error }, 'device detection thread failed to start, so new user agents are detected on the main thread');
    }
  }

  /** Ends the worker thread, if one runs. A later `prepare` starts a new one. */
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
    let info = this.#cache.get(key) ?? (this.#timedOut.has(key) ? UNKNOWN_DEVICE : undefined);
    if (!info) {
      // NOTE: detection here, on the calling thread, has no time limit. It runs when there is
      // no thread, the thread failed or was given up, `prepare` was not awaited, or newer
      // results pushed this one out of the LRU cache before this call.
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
