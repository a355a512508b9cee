/**
 * Turns a log entry into the parameters a tracker would send, or a reason to skip it. The
 * checks run in the order of `HitBuilder.build`; the first that skips decides the reason.
 */
import type { DeviceDetection } from '../tracking/device-detection.js';
import { isIpAddress } from '../tracking/parse-hit.js';
import { TrackingParams } from '../tracking/tracking-params.js';
import type { LogEntry } from './log-entry.js';

/** The reason a request line is not imported. Results also count pipeline drop reasons such as `excluded_ip`. */
export type SkipReason =
  | 'tracking_request' | 'excluded_path' | 'too_old' | 'http_error' | 'http_redirect' | 'static' | 'bot' | 'unknown_site' | 'tcp_request';

/** The choice of requests an import keeps, from the command's flags. */
export interface HitBuilderOptions {
  enableStatic: boolean;
  enableBots: boolean;
  enableHttpErrors: boolean;
  enableHttpRedirects: boolean;
  replayTracking: boolean;
  /** Glob patterns (`*` any characters, `?` one) matched against the path without its query string. */
  excludePaths: readonly string[];
  /** Requests before this instant are skipped. */
  excludeOlderThan?: Date;
}

/** The site a line belongs to and the origin (`https://host`) of its URLs when the line names no host. */
export interface SiteTarget {
  siteId: number;
  origin: URL;
}

/** Finds the site of an entry: the fixed `--idsite`, or the site of the entry's host; null when none matches. */
export type SiteResolver = (entry: LogEntry) => SiteTarget | null;

/** Tracking parameters by name, as `TrackingParams` keeps them. */
type HitValues = Map<string, string>;

/** The result of building one hit. */
export type BuildResult = { kind: 'hit'; params: TrackingParams } | { kind: 'skipped'; reason: SkipReason };

/**
 * Extensions of files that are part of a page rather than visited on their own: styles,
 * scripts, images and fonts. Their requests are skipped unless `--enable-static`.
 */
const STATIC_EXTENSIONS: ReadonlySet<string> = new Set([
  'css', 'js', 'mjs', 'map', 'gif', 'jpg', 'jpeg', 'png', 'bmp', 'ico', 'svg', 'svgz', 'webp', 'avif', 'tif', 'tiff',
  'ttf', 'otf', 'eot', 'woff', 'woff2', 'swf', 'class',
]);
/** Paths that browsers and crawlers fetch on their own, skipped like static files. */
const STATIC_PATHS: ReadonlySet<string> = new Set(['/robots.txt', '/favicon.ico', '/apple-touch-icon.png', '/sitemap.xml']);
/**
 * Extensions recorded as downloads (`download=` hits): the download extensions of Matomo's
 * JavaScript tracker (5.x) minus those already counted as static.
 */
const DOWNLOAD_EXTENSIONS: ReadonlySet<string> = new Set([
  '7z', 'aac', 'apk', 'arc', 'arj', 'asf', 'asx', 'avi', 'azw3', 'bin', 'csv', 'deb', 'dmg', 'doc', 'docx', 'epub', 'exe', 'flv',
  'gz', 'gzip', 'hqx', 'ibooks', 'jar', 'mobi', 'mp2', 'mp3', 'mp4', 'mpg', 'mpeg', 'mov', 'movie', 'msi', 'msp', 'odb', 'odf',
  'odg', 'ods', 'odt', 'ogg', 'ogv', 'pdf', 'phps', 'ppt', 'pptx', 'qt', 'qtm', 'ra', 'ram', 'rar', 'rpm', 'rtf', 'sea', 'sit',
  'tar', 'tbz', 'tbz2', 'bz', 'bz2', 'tgz', 'torrent', 'txt', 'wav', 'wma', 'wmv', 'wpd', 'xls', 'xlsx', 'xml', 'z', 'zip',
]);
/** Paths of Matomo's tracking endpoints, whose requests `--replay-tracking` replays. */
const TRACKER_PATH = /^\/(?:[^?]*\/)?(?:matomo|piwik)\.php(?:\?|$)/;

/** Returns the path without its query string or fragment. */
function pathOnly(path: string): string {
  const query = path.indexOf('?');
  const fragment = path.indexOf('#');
  let end = query;
  if (end < 0 || (fragment >= 0 && fragment < end)) end = fragment;
  return end >= 0 ? path.slice(0, end) : path;
}

/** Returns the lower-cased extension of the last segment of a path without query, '' when it has none (or is a dot file). */
function extensionOf(pathWithoutQuery: string): string {
  const nameStart = pathWithoutQuery.lastIndexOf('/') + 1;
  const dot = pathWithoutQuery.lastIndexOf('.');
  return dot > nameStart ? pathWithoutQuery.slice(dot + 1).toLowerCase() : '';
}

/** Compiles a shell-style glob into an anchored regular expression. */
function compileGlob(glob: string): RegExp {
  const source = [...glob].map((char) => {
    if (char === '*') return '.*';
    if (char === '?') return '.';
    return char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }).join('');
  return new RegExp(`^${source}$`);
}

/** Formats an instant as the `cdt` parameter: Unix seconds. */
function formatCdt(time: Date): string {
  return String(Math.floor(time.getTime() / 1000));
}

/**
 * Returns the page title of an HTTP error page in Matomo's naming:
 * `404/URL = <encoded path>/From = <encoded referrer>`. A `/` in a page title makes a
 * category in page title reports, so these pages group under their status code.
 */
export function buildErrorPageTitle(status: number, path: string, referrer: string | undefined): string {
  return `${status}/URL = ${encodeURIComponent(path)}/From = ${encodeURIComponent(referrer ?? '')}`;
}

/** Builds tracking parameters from log entries. */
export class HitBuilder {
  readonly #options: HitBuilderOptions;
  readonly #excludePatterns: RegExp[];
  readonly #resolveSite: SiteResolver;
  readonly #devices: DeviceDetection;

  constructor(options: HitBuilderOptions, resolveSite: SiteResolver, devices: DeviceDetection) {
    this.#options = options;
    this.#excludePatterns = options.excludePaths.map(compileGlob);
    this.#resolveSite = resolveSite;
    this.#devices = devices;
  }

  /**
   * Starts detecting the devices of entries whose user agents are new, where the detector
   * has a thread for it, and resolves once `build` finds them all cached. Without bot
   * skipping no device is needed here, so nothing is started.
   */
  prepareDevices(entries: readonly LogEntry[]): Promise<unknown> {
    if (this.#options.enableBots) return Promise.resolve();
    const detections: Promise<void>[] = [];
    for (const entry of entries) {
      const detection = entry.userAgent === undefined ? undefined : this.#devices.prepare(entry.userAgent);
      if (detection !== undefined) detections.push(detection);
    }
    return Promise.all(detections);
  }

  /** Returns the hit of an entry, or the reason it is skipped. */
  build(entry: LogEntry): BuildResult {
    if (TRACKER_PATH.test(entry.path)) return this.#buildReplay(entry);
    const path = pathOnly(entry.path);
    const extension = extensionOf(path);
    const skip = this.#findSkipReason(entry, path, extension);
    if (skip) return { kind: 'skipped', reason: skip };
    const target = this.#resolveSite(entry);
    if (!target) return { kind: 'skipped', reason: 'unknown_site' };
    return { kind: 'hit', params: this.#buildParams(entry, target, extension) };
  }

  /** Returns why an entry is skipped, or null. `path` is its path without query and `extension` that of its last segment. */
  #findSkipReason(entry: LogEntry, path: string, extension: string): SkipReason | null {
    const options = this.#options;
    if (this.#excludePatterns.some((pattern) => pattern.test(path))) return 'excluded_path';
    if (options.excludeOlderThan && entry.time && entry.time < options.excludeOlderThan) return 'too_old';
    if (entry.status !== undefined && entry.status >= 400 && !options.enableHttpErrors) return 'http_error';
    if (entry.status !== undefined && isRedirect(entry.status) && !options.enableHttpRedirects) return 'http_redirect';
    if (!options.enableStatic && (STATIC_PATHS.has(path) || STATIC_EXTENSIONS.has(extension))) return 'static';
    if (!options.enableBots && entry.userAgent !== undefined && this.#devices.detect(entry.userAgent).isBot) return 'bot';
    return null;
  }

  #buildParams(entry: LogEntry, target: SiteTarget, extension: string): TrackingParams {
    const url = buildUrl(entry, target.origin);
    const values: HitValues = new Map();
    values.set('idsite', String(target.siteId));
    values.set('rec', '1');
    values.set('url', url);
    values.set('ua', entry.userAgent ?? '');
    addRequestFacts(values, entry);
    if (this.#options.enableBots) values.set('bots', '1');
    if (entry.event) {
      values.set('e_c', entry.event.category);
      values.set('e_a', entry.event.action);
      if (entry.event.name !== undefined) values.set('e_n', entry.event.name);
    } else if (entry.status !== undefined && entry.status >= 400) {
      values.set('action_name', buildErrorPageTitle(entry.status, entry.path, entry.referrer));
    } else if (DOWNLOAD_EXTENSIONS.has(extension)) {
      values.set('download', url);
    }
    return new TrackingParams(values);
  }

  /**
   * Replays a request to `/matomo.php` or `/piwik.php` as the hit it was: its own parameters,
   * with the line's address and time, and the line's user agent unless the hit sent `ua`.
   */
  #buildReplay(entry: LogEntry): BuildResult {
    if (!this.#options.replayTracking) return { kind: 'skipped', reason: 'tracking_request' };
    if (entry.status !== undefined && entry.status >= 400) return { kind: 'skipped', reason: 'http_error' };
    const original = TrackingParams.fromQueryString(entry.path);
    const values: HitValues = new Map();
    for (const name of original.names()) values.set(name, original.raw(name)!);
    if (this.#options.enableBots) values.set('bots', '1');
    if (!values.has('ua') && entry.userAgent !== undefined) values.set('ua', entry.userAgent);
    addRequestFacts(values, { ...entry, referrer: undefined });
    if (!values.has('idsite')) {
      const target = this.#resolveSite(entry);
      if (!target) return { kind: 'skipped', reason: 'unknown_site' };
      values.set('idsite', String(target.siteId));
    }
    return { kind: 'hit', params: new TrackingParams(values) };
  }
}

/**
 * Sets `cip`, `cdt` and `urlref` from the line; replayed hits keep their own `urlref`.
 *
 * NOTE: the pipeline records a `cdt` in the future or more than 20 years old at the current
 * time (as Matomo's tracker does), so such lines are imported at the time of the import.
 */
function addRequestFacts(values: HitValues, entry: LogEntry): void {
  if (entry.ip !== undefined && isIpAddress(entry.ip)) values.set('cip', entry.ip);
  if (entry.time) values.set('cdt', formatCdt(entry.time));
  if (entry.referrer !== undefined) values.set('urlref', entry.referrer);
}

/** 3xx statuses other than 304 Not Modified, which is a cached copy of a page that was shown. */
function isRedirect(status: number): boolean {
  return status >= 300 && status < 400 && status !== 304;
}

/** Builds the page URL: the line's scheme and host when it has them, else those of the site's main URL. */
function buildUrl(entry: LogEntry, origin: URL): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry.path)) return entry.path;
  const scheme = entry.scheme ?? origin.protocol.replace(/:$/, '');
  const host = entry.host ?? origin.host;
  const path = entry.path.startsWith('/') ? entry.path : `/${entry.path}`;
  return `${scheme}://${host}${path}`;
}
