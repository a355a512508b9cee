/** Visitor location from a MaxMind-format database (country or city). */
import { readFileSync } from 'node:fs';
import { Reader, type CityResponse } from 'maxmind';
import { FootfallError } from '../../errors.js';
import type { LocationInfo } from '../hit.js';
import { DEMO_COUNTRY_NETWORKS } from './demo-networks.js';
import { buildMmdb } from './mmdb-writer.js';

/** The location of an address that no database contains. */
export const UNKNOWN_LOCATION: LocationInfo = { country: null, region: null, city: null, latitude: null, longitude: null };

let demoDatabase: Buffer | undefined;

/** Returns the built-in country database, built once from the demo table. */
export function buildDemoCountryDatabase(): Buffer {
  demoDatabase ??= buildMmdb(DEMO_COUNTRY_NETWORKS, {
    databaseType: 'Footfall-Demo-Country', description: 'Footfall demo country database (documentation ranges only)', buildEpochSeconds: 1_767_225_600,
  });
  return demoDatabase;
}

/** Looks up addresses in one MaxMind database; readers are shared by path. */
export class Geolocator {
  readonly #reader: Reader<CityResponse>;

  constructor(database: Buffer) {
    this.#reader = new Reader<CityResponse>(database);
  }

  /**
   * Opens the database at `path`, or the built-in demo database when `path` is empty.
   *
   * @throws FootfallError CONFIG_INVALID when the file cannot be read or is not a MaxMind database.
   */
  static open(path: string): Geolocator {
    if (path === '') return new Geolocator(buildDemoCountryDatabase());
    try {
      return new Geolocator(readFileSync(path));
    } catch (error) {
      throw new FootfallError('CONFIG_INVALID', `Invalid geolocation database ${path}: ${(error as Error).message}. Set [Tracker] geolocation_database to a MaxMind .mmdb file.`, { cause: error });
    }
  }

  /** Returns the location of an address; unknown fields are null. Country codes are lower case, as Matomo stores them. */
  lookup(ip: string): LocationInfo {
    let record: CityResponse | null;
    try {
      record = this.#reader.get(ip);
    } catch {
      return UNKNOWN_LOCATION;
    }
    if (!record) return UNKNOWN_LOCATION;
    return {
      country: record.country?.iso_code?.toLowerCase() ?? null,
      region: record.subdivisions?.[0]?.iso_code ?? null,
      city: record.city?.names?.en ?? null,
      latitude: record.location?.latitude ?? null,
      longitude: record.location?.longitude ?? null,
    };
  }
}
