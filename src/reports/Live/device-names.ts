/** Display names of the device, OS and browser codes that tracking stores, from node-device-detector's tables. */
import { createRequire } from 'node:module';

// These tables are plain CommonJS objects inside node-device-detector, which has no typings for them.
const require = createRequire(import.meta.url);
const BROWSER_NAMES = require('node-device-detector/parser/client/browser-short.js') as Record<string, string>;
const BROWSER_FAMILIES = require('node-device-detector/parser/client/browser-families.js') as Record<string, string[]>;
const OS_NAMES = require('node-device-detector/parser/os/os_systems.js') as Record<string, string>;

/** Device type names by `config_device_type`, as Matomo's DeviceDetector names them. */
const DEVICE_TYPE_NAMES = [
  'Desktop', 'Smartphone', 'Tablet', 'Feature phone', 'Console', 'TV', 'Car browser', 'Smart display', 'Camera',
  'Portable media player', 'Phablet', 'Smart speaker', 'Wearable', 'Peripheral',
] as const;

/** Returns the name of a device type number, or 'Unknown'. */
export function deviceTypeName(type: number | null): string {
  return type === null ? 'Unknown' : DEVICE_TYPE_NAMES[type] ?? 'Unknown';
}

/** Returns the name of a 2-letter browser code, or 'Unknown'. */
export function browserName(code: string | null): string {
  return (code && BROWSER_NAMES[code]) || 'Unknown';
}

/** Returns the family of a browser code (such as 'Firefox' for FF), or 'Unknown'. */
export function browserFamily(code: string | null): string {
  if (!code) return 'Unknown';
  for (const [family, codes] of Object.entries(BROWSER_FAMILIES)) if (codes.includes(code)) return family;
  return 'Unknown';
}

/** Returns the name of a 3-letter OS code, 'Bot' for bots, or 'Unknown'. */
export function operatingSystemName(code: string | null): string {
  if (code === 'BOT') return 'Bot';
  return (code && OS_NAMES[code]) || 'Unknown';
}
