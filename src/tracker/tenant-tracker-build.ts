/** A tenant's own tracker script: the bundled tracker wrapped with the tenant's defaults, precompressed. */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import type { Logger } from 'pino';
import type { Settings } from '../config/settings.js';
import { FootfallError } from '../errors.js';
import type { Tenant } from '../tenancy/tenant.js';
import { writeFileAtomically } from '../tenancy/tenant-provisioner.js';
import type { TrackerDefaults } from '../../tracker/tracker-defaults.js';

/** Path of the bundled tracker under the code tree, written by `npm run build:tracker`. */
export const TRACKER_BUNDLE_PATH = 'dist/tracker/matomo.js';

/** Tenant builds kept in memory (about 36 KB each); past this count the oldest build is dropped and rebuilt on its next request. */
export const MAX_CACHED_BUILDS = 2000;

/** One build of a tenant's tracker script, in each encoding it is served in. */
export interface TrackerScriptBuild {
  identity: Buffer;
  gzip: Buffer;
  brotli: Buffer;
  /** Hex digest of the uncompressed script; each encoding's ETag is derived from it. */
  digest: string;
  /** The newest modification time of the bundle and the tenant's config files, in whole seconds. */
  lastModified: Date;
  /** Seconds browsers may cache the script (`[CustomJsTracker] cache_max_age`). */
  maxAgeSeconds: number;
}

interface CachedBuild {
  tenant: Tenant;
  bundleStamp: string;
  build: TrackerScriptBuild;
}

/** Reads the `[CustomJsTracker]` settings as the defaults object of the browser tracker, leaving out unset options. */
export function readTrackerDefaults(settings: Settings): TrackerDefaults {
  const defaults: TrackerDefaults = {};
  if (settings.bool('CustomJsTracker', 'disable_cookies')) defaults.disableCookies = true;
  if (settings.bool('CustomJsTracker', 'do_not_track')) defaults.doNotTrack = true;
  if (settings.bool('CustomJsTracker', 'require_consent')) defaults.requireConsent = true;
  if (settings.bool('CustomJsTracker', 'require_cookie_consent')) defaults.requireCookieConsent = true;
  const heartBeatSeconds = settings.int('CustomJsTracker', 'heartbeat_seconds');
  if (heartBeatSeconds > 0) defaults.heartBeatSeconds = heartBeatSeconds;
  const cookieDomain = settings.string('CustomJsTracker', 'cookie_domain').trim();
  if (cookieDomain !== '') defaults.cookieDomain = cookieDomain;
  const extensions = settings.string('CustomJsTracker', 'download_extensions').split('|').map((item) => item.trim()).filter((item) => item !== '');
  if (extensions.length > 0) defaults.downloadExtensions = extensions;
  return defaults;
}

/**
 * Wraps the bundle in a function whose parameter `footfallTenantDefaults` the bundle reads.
 * The JSON is made safe for a script: `<`, U+2028 and U+2029 are escaped.
 */
export function wrapTrackerBundle(bundle: string, label: string, defaults: TrackerDefaults): string {
  const json = JSON.stringify(defaults).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return `/* Footfall tracker for ${label} */\n(function(footfallTenantDefaults){\n${bundle.trim()}\n})(${json});\n`;
}

/**
 * Builds each tenant's tracker script once and keeps it until the tenant's config or the
 * bundle changes. The registry hands out a new Tenant object whenever a config file of the
 * chain changes, so a build is tied to the Tenant object it was made for.
 */
export class TenantTrackerBuilder {
  readonly bundlePath: string;
  readonly #builds = new Map<string, CachedBuild>();
  readonly #logger: Logger | undefined;

  constructor(codeRoot: string, logger?: Logger) {
    this.bundlePath = resolve(codeRoot, TRACKER_BUNDLE_PATH);
    this.#logger = logger;
  }

  /**
   * Returns the tenant's current build, building it and writing `tmp/<host>/tracker/matomo.js`
   * when the tenant's settings or the bundle changed.
   *
   * @throws FootfallError TRACKER_SCRIPT_MISSING when the bundle was not built.
   */
  get(tenant: Tenant): TrackerScriptBuild {
    const bundleStats = this.#statBundle();
    const bundleStamp = `${bundleStats.mtimeMs}:${bundleStats.size}`;
    const cached = this.#builds.get(tenant.key);
    if (cached && cached.tenant === tenant && cached.bundleStamp === bundleStamp) return cached.build;

    const build = this.#build(tenant, bundleStats.mtimeMs);
    writeFileAtomically(resolve(tenant.paths.tmpDir, 'tracker', 'matomo.js'), build.identity.toString('utf8'));
    this.#logger?.info({ tenant: tenant.key, bytes: build.identity.length, gzipBytes: build.gzip.length }, 'tracker script built');
    this.#builds.delete(tenant.key);
    this.#builds.set(tenant.key, { tenant, bundleStamp, build });
    // Map order is insertion order, so the first key is the tenant built longest ago.
    if (this.#builds.size > MAX_CACHED_BUILDS) this.#builds.delete(this.#builds.keys().next().value!);
    return build;
  }

  #statBundle(): { mtimeMs: number; size: number } {
    try {
      return statSync(this.bundlePath);
    } catch (error) {
      throw new FootfallError('TRACKER_SCRIPT_MISSING', `The tracker bundle ${this.bundlePath} does not exist. Build it with npm run build:tracker.`, { cause: error });
    }
  }

  #build(tenant: Tenant, bundleMtimeMs: number): TrackerScriptBuild {
    const script = wrapTrackerBundle(readFileSync(this.bundlePath, 'utf8'), tenant.host ?? 'this server', readTrackerDefaults(tenant.settings));
    const identity = Buffer.from(script, 'utf8');
    const configMtimes = tenant.settings.layers.map((layer) => safeMtimeMs(layer.file));
    return {
      identity,
      gzip: gzipSync(identity, { level: 9 }),
      brotli: brotliCompressSync(identity, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
      digest: createHash('sha256').update(identity).digest('hex').slice(0, 32),
      lastModified: new Date(Math.floor(Math.max(bundleMtimeMs, ...configMtimes) / 1000) * 1000),
      maxAgeSeconds: tenant.settings.int('CustomJsTracker', 'cache_max_age'),
    };
  }
}

function safeMtimeMs(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
