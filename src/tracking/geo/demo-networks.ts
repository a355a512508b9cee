/**
 * The built-in country table: the three IPv4 ranges reserved for documentation (RFC 5737),
 * each given a country so tests and demos can geolocate a known address. It contains no facts
 * about real addresses, so set `[Tracker] geolocation_database` to a real database for that.
 */
import type { MmdbNetwork } from './mmdb-writer.js';

function country(isoCode: string, name: string, continentCode: string, continentName: string): MmdbNetwork['data'] {
  return { country: { iso_code: isoCode, names: { en: name } }, continent: { code: continentCode, names: { en: continentName } } };
}

/** Networks of the built-in database. */
export const DEMO_COUNTRY_NETWORKS: readonly MmdbNetwork[] = [
  { cidr: '192.0.2.0/24', data: country('FR', 'France', 'EU', 'Europe') },
  { cidr: '198.51.100.0/24', data: country('JP', 'Japan', 'AS', 'Asia') },
  { cidr: '203.0.113.0/24', data: country('DE', 'Germany', 'EU', 'Europe') },
];
