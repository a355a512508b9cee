/** Parsing of `SECTION.KEY` and `SECTION.KEY[]` as `config:get` and `config:set` take them. */
import { FootfallError, quote } from '../errors.js';

/** A setting named on the command line; `append` is true for `SECTION.KEY[]`. */
export interface SettingPath {
  section: string;
  key: string;
  append: boolean;
}

// Section names as Matomo writes them (`General`, `Tracker_3`); keys as the INI reader accepts them.
const SETTING_PATH_PATTERN = /^([A-Za-z0-9_]+)\.([A-Za-z0-9_.\-]+?)(\[\])?$/;

/**
 * Parses `General.trusted_hosts[]` into its section, key and whether to append. The section
 * ends at the first dot, so a key may contain dots.
 *
 * @throws FootfallError PARAMETER_INVALID naming the value and the expected form.
 */
export function parseSettingPath(raw: string | undefined): SettingPath {
  const match = SETTING_PATH_PATTERN.exec(raw ?? '');
  if (!match) {
    throw new FootfallError('PARAMETER_INVALID', `Invalid setting ${quote(raw ?? '')}. Use SECTION.KEY, such as General.default_timezone, or SECTION.KEY[] to append to a list.`);
  }
  return { section: match[1]!, key: match[2]!, append: match[3] !== undefined };
}
