/** Device, OS, browser and bot detection with node-device-detector, cached by user agent. */
import { createRequire } from 'node:module';
import type { DetectResult, DeviceDetectorOptions, ResultBot } from 'node-device-detector';
import { LRUCache } from 'lru-cache';
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

/** Detects devices from user agents and client hints; one instance serves every tenant. */
export class DeviceDetection {
  readonly #detector = new DeviceDetector({ clientIndexes: true, deviceIndexes: true, osIndexes: true, deviceAliasCode: false, maxUserAgentSize: 500 });
  readonly #clientHints = new ClientHints();
  readonly #cache: LRUCache<string, DeviceInfo>;
  /**
   * The last request and its result. The log importer detects each line's user agent to skip
   * bots and again in the enrich step, so the second call skips the LRU lookup.
   */
  #lastUserAgent: string | undefined;
  #lastUadata: string | undefined;
  #lastInfo: DeviceInfo | undefined;

  constructor(cacheSize = DEFAULT_DEVICE_CACHE_SIZE) {
    this.#cache = new LRUCache({ max: cacheSize });
  }

  /**
   * Returns the device of a user agent. `uadata` is the tracker's client hints JSON
   * (`{"brands":[...],"platform":...}`); a malformed value is ignored.
   */
  detect(userAgent: string, uadata?: string): DeviceInfo {
    if (userAgent === this.#lastUserAgent && uadata === this.#lastUadata && this.#lastInfo !== undefined) return this.#lastInfo;
    const key = uadata ? `${userAgent}\n${uadata}` : userAgent;
    let info = this.#cache.get(key);
    if (!info) {
      info = this.#detectUncached(userAgent, parseClientHints(this.#clientHints, uadata));
      this.#cache.set(key, info);
    }
    this.#lastUserAgent = userAgent;
    this.#lastUadata = uadata;
    this.#lastInfo = info;
    return info;
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
