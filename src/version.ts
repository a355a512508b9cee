/** Versions Footfall reports. */

/** Footfall's own version. */
export const FOOTFALL_VERSION = '0.1.0';

/**
 * The Matomo version whose HTTP interfaces Footfall matches; `API.getMatomoVersion` returns it,
 * because clients such as the log importer check it before they send anything.
 */
export const MATOMO_COMPATIBLE_VERSION = '5.1.0';
