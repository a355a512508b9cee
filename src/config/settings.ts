/** The layered settings of one tenant: global.ini.php < common.config.ini.php < the tenant's file. */
import { readFileSync, existsSync } from 'node:fs';
import { FootfallError } from '../errors.js';
import { parseIni, IniSyntaxError, type IniData, type IniValue } from './ini.js';
import { describeMismatch, getSectionTypes, parseBoolSetting } from './setting-types.js';

/** Site ids whose `forSite` result one Settings object keeps. The cache starts over when full. */
const MAX_CACHED_SITE_SETTINGS = 10_000;

/** One file of the chain and what it holds. */
export interface ConfigLayer {
  file: string;
  data: IniData;
}

/** The files of one chain; `common` and `local` may be missing on disk. */
export interface ConfigFiles {
  global: string;
  common: string;
  local: string | null;
}

function mergeDefaults(base: IniData, over: IniData): IniData {
  const merged: IniData = structuredClone(base);
  for (const [section, values] of Object.entries(over)) {
    const target = (merged[section] ??= {});
    for (const [key, value] of Object.entries(values)) {
      const current = target[key];
      const bothMaps = isMap(current) && isMap(value);
      target[key] = bothMaps ? { ...current, ...value } : structuredClone(value);
    }
  }
  return merged;
}

function mergeLocal(defaults: IniData, local: IniData): IniData {
  const merged: IniData = structuredClone(defaults);
  for (const [section, values] of Object.entries(local)) {
    merged[section] = { ...(merged[section] ?? {}), ...structuredClone(values) };
  }
  return merged;
}

function isMap(value: IniValue | undefined): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readLayer(file: string): ConfigLayer {
  try {
    return { file, data: parseIni(readFileSync(file, 'utf8')) };
  } catch (error) {
    if (error instanceof IniSyntaxError) {
      throw new FootfallError('CONFIG_INVALID', `Invalid config file ${file}, line ${error.line}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** Lists every value in `layer` whose type does not fit, as 'file [section] key: ...' lines. */
export function findInvalidSettings(layer: ConfigLayer): string[] {
  const problems: string[] = [];
  for (const [section, values] of Object.entries(layer.data)) {
    const types = getSectionTypes(section);
    if (!types) continue;
    for (const [key, value] of Object.entries(values)) {
      const type = types[key];
      const expected = type ? describeMismatch(type, value) : null;
      if (expected !== null) problems.push(`${layer.file} [${section}] ${key}: got ${JSON.stringify(value)}, expected ${expected}`);
    }
  }
  return problems;
}

/**
 * Settings of one tenant, merged as Matomo merges them: common.config.ini.php overrides
 * global.ini.php key by key (maps merged by name), and the tenant's file then replaces
 * whole keys, so a list set there replaces the default list.
 *
 * @example
 * const settings = Settings.load({ global, common, local: 'misc/user/a.example/config.ini.php' });
 * settings.int('Tracker', 'visit_standard_length'); // 1800
 */
export class Settings {
  readonly layers: readonly ConfigLayer[];
  readonly #data: IniData;
  /**
   * `forSite` results by site id: a merged object for a site with override sections, else this
   * object. A config reload builds a new Settings object and none changes after construction,
   * so no entry goes stale.
   */
  readonly #siteSettings = new Map<number, Settings>();

  constructor(global: ConfigLayer, common: ConfigLayer | null, local: ConfigLayer | null) {
    this.layers = [global, common, local].filter((layer): layer is ConfigLayer => layer !== null);
    const defaults = common ? mergeDefaults(global.data, common.data) : global.data;
    this.#data = local ? mergeLocal(defaults, local.data) : structuredClone(defaults);
  }

  /**
   * Reads and checks the files of a chain.
   *
   * @throws FootfallError CONFIG_INVALID listing every bad value with its file, section and key.
   */
  static load(files: ConfigFiles): Settings {
    const global = readLayer(files.global);
    const common = existsSync(files.common) ? readLayer(files.common) : null;
    const local = files.local !== null && existsSync(files.local) ? readLayer(files.local) : null;
    const settings = new Settings(global, common, local);

    const problems = settings.layers.flatMap(findInvalidSettings);
    if (problems.length > 0) {
      throw new FootfallError('CONFIG_INVALID', `Invalid settings:\n  ${problems.join('\n  ')}`);
    }
    return settings;
  }

  /** Returns the merged values of every section. */
  get data(): IniData {
    return this.#data;
  }

  /** Returns the raw value of a key, or undefined when no file sets it. */
  raw(section: string, key: string): IniValue | undefined {
    return this.#data[section]?.[key];
  }

  /** Returns a scalar value; '' when no file sets it. */
  string(section: string, key: string): string {
    const value = this.raw(section, key);
    return typeof value === 'string' ? value : '';
  }

  /** Returns a whole number; 0 when no file sets it. Values were checked at load. */
  int(section: string, key: string): number {
    const value = Number.parseInt(this.string(section, key), 10);
    return Number.isNaN(value) ? 0 : value;
  }

  /** Returns a boolean read as PHP reads INI booleans; false when no file sets it. */
  bool(section: string, key: string): boolean {
    return parseBoolSetting(this.string(section, key)) ?? false;
  }

  /** Returns a list without its empty entries; a scalar becomes a list of one. */
  list(section: string, key: string): string[] {
    const value = this.raw(section, key);
    if (Array.isArray(value)) return value.filter((item) => item !== '');
    if (typeof value === 'string' && value !== '') return [value];
    return [];
  }

  /** Returns a `key[name] = value` map; {} when no file sets it. */
  map(section: string, key: string): Record<string, string> {
    const value = this.raw(section, key);
    return isMap(value) ? value : {};
  }

  /** Returns the file that set a key last, for messages that tell an operator where to look. */
  sourceOf(section: string, key: string): string | undefined {
    return [...this.layers].reverse().find((layer) => layer.data[section]?.[key] !== undefined)?.file;
  }

  /**
   * Returns the settings seen by one site: `[Tracker_<idSite>]` and `[General_<idSite>]`
   * replace keys of `[Tracker]` and `[General]`.
   */
  forSite(siteId: number): Settings {
    const cached = this.#siteSettings.get(siteId);
    if (cached !== undefined) return cached;
    const siteData: IniData = {};
    for (const base of ['Tracker', 'General']) {
      const override = this.#data[`${base}_${siteId}`];
      if (override) siteData[base] = override;
    }
    const siteSettings = Object.keys(siteData).length === 0
      ? this
      : new Settings({ file: 'merged', data: this.#data }, null, { file: `[*_${siteId}]`, data: siteData });
    if (this.#siteSettings.size >= MAX_CACHED_SITE_SETTINGS) this.#siteSettings.clear();
    this.#siteSettings.set(siteId, siteSettings);
    return siteSettings;
  }
}
