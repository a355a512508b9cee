/** Names of the codes DeviceDetector stores for browsers, operating systems and device types. */
import { createRequire } from 'node:module';

// node-device-detector keeps this table as a plain CommonJS object without typings.
const require = createRequire(import.meta.url);

/**
 * Browser names by DeviceDetector's two-letter code, from node-device-detector's own table, so
 * every code that tracking can store gets the name Live.getLastVisitsDetails shows for it.
 */
export const BROWSER_NAMES: Readonly<Record<string, string>> = require('node-device-detector/parser/client/browser-short.js') as Record<string, string>;

/** Operating system families by DeviceDetector's OS code (a common subset; other codes are their own family). */
export const OS_FAMILIES: Readonly<Record<string, string>> = {
  WIN: 'Windows', WPH: 'Windows Mobile', WMO: 'Windows Mobile', WRT: 'Windows', MAC: 'Mac', IOS: 'iOS', IPA: 'iOS',
  ATV: 'iOS', WAS: 'iOS', AND: 'Android', ADR: 'Android', FIR: 'Android', HAR: 'Android', LIN: 'GNU/Linux',
  UBT: 'GNU/Linux', DEB: 'GNU/Linux', FED: 'GNU/Linux', ARL: 'GNU/Linux', MIN: 'GNU/Linux', MDR: 'GNU/Linux',
  RHT: 'GNU/Linux', SSE: 'GNU/Linux', COS: 'Chrome OS', BSD: 'Unix', FBS: 'Unix', OBS: 'Unix', NBS: 'Unix',
  SOS: 'Unix', KOS: 'KaiOS', TIZ: 'Tizen', WOS: 'webOS', BLB: 'BlackBerry', PS3: 'PlayStation Portable', PSP: 'PlayStation Portable',
};

/** Device type names by DeviceDetector's number. */
export const DEVICE_TYPE_NAMES: readonly string[] = [
  'Desktop', 'Smartphone', 'Tablet', 'Feature phone', 'Console', 'TV', 'Car browser', 'Smart display', 'Camera',
  'Portable media player', 'Phablet', 'Smart speaker', 'Wearable', 'Peripheral',
];
