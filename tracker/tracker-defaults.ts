/** Options a tenant's build sets on every tracker before the page's own commands run. */

/** Defaults written into a tenant's tracker build from its `[CustomJsTracker]` settings. */
export interface TrackerDefaults {
  disableCookies?: boolean;
  doNotTrack?: boolean;
  requireConsent?: boolean;
  requireCookieConsent?: boolean;
  /** Seconds of the heartbeat timer; 0 leaves it off. */
  heartBeatSeconds?: number;
  cookieDomain?: string;
  /** Download extensions added to the default list. */
  downloadExtensions?: string[];
}

/** Seconds a visitor cookie lives unless the page sets another value: 13 months of 30 days, as Matomo's tracker. */
export const DEFAULT_VISITOR_COOKIE_SECONDS = 33_955_200;

/** Seconds a session cookie lives: the 30-minute visit length. */
export const DEFAULT_SESSION_COOKIE_SECONDS = 1800;

/** Seconds the referral cookie lives: 6 months of 182.5 days. */
export const DEFAULT_REFERRAL_COOKIE_SECONDS = 15_768_000;

/** Seconds of the heartbeat timer when enableHeartBeatTimer is called without a delay. */
export const DEFAULT_HEARTBEAT_SECONDS = 15;

/** URL parameters that carry a campaign name, in Matomo's order. */
export const DEFAULT_CAMPAIGN_NAME_KEYS = ['pk_campaign', 'mtm_campaign', 'piwik_campaign', 'matomo_campaign', 'utm_campaign', 'utm_source', 'utm_medium'];

/** URL parameters that carry a campaign keyword, in Matomo's order. */
export const DEFAULT_CAMPAIGN_KEYWORD_KEYS = ['pk_kwd', 'mtm_kwd', 'piwik_kwd', 'matomo_kwd', 'utm_term'];
