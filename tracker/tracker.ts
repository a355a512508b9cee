/** One tracker: a tracker URL and site id with its cookies, options and request building. */
import { readCookie, writeCookie } from './browser-cookies.js';
import { isDoNotTrackEnabled, loadClientHints, randomBytes, waitForPageLoad } from './browser-environment.js';
import {
  buildCookieName, buildVisitorId, computeCookieHash, formatReferralCookie, formatVisitorCookie,
  isVisitorId, parseReferralCookie, parseVisitorCookie, type ReferralCookie,
} from './cookie-names.js';
import { readPagePerformance } from './page-performance.js';
import { sendBulk, sendSingle } from './request-sender.js';
import {
  DEFAULT_CAMPAIGN_KEYWORD_KEYS, DEFAULT_CAMPAIGN_NAME_KEYS, DEFAULT_HEARTBEAT_SECONDS, DEFAULT_REFERRAL_COOKIE_SECONDS,
  DEFAULT_SESSION_COOKIE_SECONDS, DEFAULT_VISITOR_COOKIE_SECONDS, type TrackerDefaults,
} from './tracker-defaults.js';
import { CROSS_DOMAIN_PARAMETER, parseCrossDomainVisitor } from './cross-domain.js';
import {
  DEFAULT_DOWNLOAD_EXTENSIONS, findQueryParameter, getHostName, getPathName, isSiteUrl, removeQueryParameters,
} from './url-matching.js';

/** Request parameters in the order they are sent. */
export type Params = [string, string][];

/** Extra parameters a page passes to a tracking call, sent as given. */
export type CustomData = Record<string, string | number> | undefined;

/** Name of the cookie that remembers a given consent, as Matomo names it. */
const CONSENT_COOKIE = 'mtm_consent';
const CONSENT_REMOVED_COOKIE = 'mtm_consent_removed';
const COOKIE_CONSENT_COOKIE = 'mtm_cookie_consent';
/** Hours a remembered consent lasts when the page gives none: 30 years. */
const DEFAULT_CONSENT_HOURS = 30 * 365 * 24;
const PAGE_VIEW_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

interface QueuedRequest {
  params: Params;
  callback?: () => void;
}

/** Client hints of the browser as sent in `uadata`, or null when the browser has none. */
let clientHints: Promise<string | null> | undefined;
/** The client hints once loaded, for requests that cannot wait. */
let loadedClientHints: string | null = null;
/** Resolves once the page's load event has ended, so that all `pf_*` timings are measured. */
let pageLoaded: Promise<void> | undefined;
/** Pageview parameters that get the page timings when they are sent. */
const requestsWithTimings = new WeakSet<Params>();

/**
 * A Matomo-compatible tracker. Each public method has the name and arguments of the
 * `_paq` command of the same name.
 */
export class Tracker {
  _trackerUrl: string;
  _siteId: string;
  /** Whether addTracker gave this tracker its own URL and site, so page-wide setTrackerUrl and setSiteId leave it alone. */
  readonly _explicitTarget: boolean;

  _customUrl = '';
  _documentTitle = '';
  _referrerUrl = '';
  _userId = '';
  _domains: string[] = [];
  _downloadExtensions: string[] = [...DEFAULT_DOWNLOAD_EXTENSIONS];
  _excludedQueryParams: string[] = [];
  _campaignNameKeys = [...DEFAULT_CAMPAIGN_NAME_KEYS];
  _campaignKeywordKeys = [...DEFAULT_CAMPAIGN_KEYWORD_KEYS];
  _customDimensions: Record<string, string> = {};
  _visitCustomVariables: Record<string, [string, string]> = {};
  _pageCustomVariables: Record<string, [string, string]> = {};
  _eventCustomVariables: Record<string, [string, string]> = {};
  _ecommerceItems: Record<string, [string, string, string | string[], number, number]> = {};
  _ecommerceView: Params = [];

  _cookiesDisabled = false;
  _cookieDomain = '';
  _cookiePath = '';
  _secureCookie = false;
  _cookieSameSite = 'Lax';
  _visitorCookieSeconds = DEFAULT_VISITOR_COOKIE_SECONDS;
  _sessionCookieSeconds = DEFAULT_SESSION_COOKIE_SECONDS;
  _referralCookieSeconds = DEFAULT_REFERRAL_COOKIE_SECONDS;
  _doNotTrack = false;
  _consentRequired = false;
  _consentGiven = false;
  _cookieConsentRequired = false;
  _cookieConsentGiven = false;
  _heartBeatSeconds = 0;
  _crossDomainLinking = false;

  private _visitorId = '';
  private _visitorCreatedTs = 0;
  private _isNewVisitor = false;
  private _pageViewId = '';
  private _performanceSent = false;
  private _lastRequestAt = 0;
  private _outbox: QueuedRequest[] = [];
  private _consentQueue: QueuedRequest[] = [];
  private _flushScheduled = false;

  constructor(trackerUrl: string, siteId: string | number, explicitTarget = false) {
    this._trackerUrl = trackerUrl;
    this._siteId = String(siteId);
    this._explicitTarget = explicitTarget;
    this._domains = [location.hostname];
    clientHints ??= loadClientHints().then((hints) => (loadedClientHints = hints));
    pageLoaded ??= waitForPageLoad();
    // Requests still waiting for the load event go out when the visitor leaves the page.
    window.addEventListener('pagehide', () => this._flush());
  }

  /** Applies a tenant build's defaults; called once, right after construction. */
  _applyDefaults(defaults: TrackerDefaults): void {
    if (defaults.cookieDomain) this.setCookieDomain(defaults.cookieDomain);
    if (defaults.downloadExtensions?.length) this.addDownloadExtensions(defaults.downloadExtensions);
    if (defaults.disableCookies) this.disableCookies();
    if (defaults.doNotTrack) this.setDoNotTrack(true);
    if (defaults.requireCookieConsent) this.requireCookieConsent();
    if (defaults.requireConsent) this.requireConsent();
    if (defaults.heartBeatSeconds) this.enableHeartBeatTimer(defaults.heartBeatSeconds);
  }

  setTrackerUrl(url: string): void { this._trackerUrl = url; }
  getTrackerUrl(): string { return this._trackerUrl; }
  setSiteId(siteId: string | number): void { this._siteId = String(siteId); }
  getSiteId(): string { return this._siteId; }
  setCustomUrl(url: string): void { this._customUrl = resolveUrl(url); }
  setDocumentTitle(title: string): void { this._documentTitle = title; }
  setReferrerUrl(url: string): void { this._referrerUrl = url; }
  setUserId(userId: string): void { this._userId = userId === undefined || userId === null ? '' : String(userId); }
  resetUserId(): void { this._userId = ''; }
  getUserId(): string { return this._userId; }
  setCampaignNameKey(keys: string | string[]): void { this._campaignNameKeys = toList(keys); }
  setCampaignKeywordKey(keys: string | string[]): void { this._campaignKeywordKeys = toList(keys); }
  setExcludedQueryParams(names: string | string[]): void { this._excludedQueryParams = toList(names); }
  setDownloadExtensions(extensions: string | string[]): void { this._downloadExtensions = toExtensionList(extensions); }
  addDownloadExtensions(extensions: string | string[]): void { this._downloadExtensions.push(...toExtensionList(extensions)); }
  removeDownloadExtensions(extensions: string | string[]): void {
    const removed = toExtensionList(extensions);
    this._downloadExtensions = this._downloadExtensions.filter((extension) => !removed.includes(extension));
  }

  /** Sets the site's domains for outlink detection; the page's own host always counts as the site. */
  setDomains(domains: string | string[]): void {
    const list = toList(domains);
    if (!isSiteUrl(location.hostname, location.pathname, list)) list.push(location.hostname);
    this._domains = list;
  }

  setCustomDimension(id: number | string, value: string): void {
    if (Number(id) > 0) this._customDimensions[String(id)] = value === undefined || value === null ? '' : String(value);
  }
  getCustomDimension(id: number | string): string | undefined { return this._customDimensions[String(id)]; }
  deleteCustomDimension(id: number | string): void { delete this._customDimensions[String(id)]; }

  /** Sets a custom variable of scope 'visit' (the default), 'page' or 'event'; indexes start at 1. */
  setCustomVariable(index: number, name: string, value: string, scope: 'visit' | 'page' | 'event' = 'visit'): void {
    if (!(index > 0) || name === undefined) return;
    this._customVariables(scope)[String(index)] = [String(name), value === undefined ? '' : String(value)];
  }
  getCustomVariable(index: number, scope: 'visit' | 'page' | 'event' = 'visit'): [string, string] | false {
    return this._customVariables(scope)[String(index)] ?? false;
  }
  deleteCustomVariable(index: number, scope: 'visit' | 'page' | 'event' = 'visit'): void {
    delete this._customVariables(scope)[String(index)];
  }
  private _customVariables(scope: string): Record<string, [string, string]> {
    if (scope === 'page') return this._pageCustomVariables;
    if (scope === 'event') return this._eventCustomVariables;
    return this._visitCustomVariables;
  }

  disableCookies(): void {
    this._cookiesDisabled = true;
    this.deleteCookies();
  }
  setCookieDomain(domain: string): void { this._cookieDomain = domain.replace(/^\*/, ''); }
  setCookiePath(path: string): void { this._cookiePath = path; }
  setSecureCookie(secure: boolean): void { this._secureCookie = Boolean(secure); }
  setCookieSameSite(sameSite: string): void { this._cookieSameSite = sameSite; }
  setVisitorCookieTimeout(seconds: number): void { this._visitorCookieSeconds = Number(seconds); }
  setSessionCookieTimeout(seconds: number): void { this._sessionCookieSeconds = Number(seconds); }
  setReferralCookieTimeout(seconds: number): void { this._referralCookieSeconds = Number(seconds); }
  setDoNotTrack(enabled: boolean): void { this._doNotTrack = enabled !== false; }

  /** Holds every request until setConsentGiven, unless a consent was remembered in a cookie. */
  requireConsent(): void {
    this._consentRequired = true;
    this._consentGiven = readCookie(CONSENT_COOKIE) !== '';
  }
  setConsentGiven(): void {
    this._consentGiven = true;
    this._persistVisitor();
    const queued = this._consentQueue;
    this._consentQueue = [];
    for (const request of queued) this._enqueue(request);
  }
  rememberConsentGiven(hours?: number): void {
    this._writeOwnCookie(CONSENT_COOKIE, String(Date.now()), (hours ?? DEFAULT_CONSENT_HOURS) * 3_600_000, true);
    this._writeOwnCookie(CONSENT_REMOVED_COOKIE, '', -1, true);
    this.setConsentGiven();
  }
  forgetConsentGiven(): void {
    this._writeOwnCookie(CONSENT_COOKIE, '', -1, true);
    this._writeOwnCookie(CONSENT_REMOVED_COOKIE, String(Date.now()), DEFAULT_CONSENT_HOURS * 3_600_000, true);
    this.deleteCookies();
    this.requireConsent();
  }
  /** Sends requests at once but sets no tracking cookie until setCookieConsentGiven. */
  requireCookieConsent(): void {
    this._cookieConsentRequired = true;
    this._cookieConsentGiven = readCookie(COOKIE_CONSENT_COOKIE) !== '';
  }
  setCookieConsentGiven(): void {
    this._cookieConsentGiven = true;
    this._persistVisitor();
  }
  rememberCookieConsentGiven(hours?: number): void {
    this._writeOwnCookie(COOKIE_CONSENT_COOKIE, String(Date.now()), (hours ?? DEFAULT_CONSENT_HOURS) * 3_600_000, true);
    this.setCookieConsentGiven();
  }
  forgetCookieConsentGiven(): void {
    this._writeOwnCookie(COOKIE_CONSENT_COOKIE, '', -1, true);
    this.deleteCookies();
    this._cookieConsentGiven = false;
  }

  /** Returns whether tracking cookies may be written now. */
  _areCookiesAllowed(): boolean {
    if (this._cookiesDisabled || (typeof navigator === 'object' && navigator.cookieEnabled === false)) return false;
    if (this._consentRequired && !this._consentGiven) return false;
    return !(this._cookieConsentRequired && !this._cookieConsentGiven);
  }

  /** Deletes this tracker's `_pk_id`, `_pk_ses` and `_pk_ref` cookies. */
  deleteCookies(): void {
    for (const kind of ['id', 'ses', 'ref'] as const) this._writeOwnCookie(this._cookieName(kind), '', -1, true);
  }

  private _cookieName(kind: 'id' | 'ses' | 'ref'): string {
    return buildCookieName(kind, this._siteId, computeCookieHash(this._cookieDomain || location.hostname, this._cookiePath));
  }

  private _writeOwnCookie(name: string, value: string, maxAgeMs: number, always = false): void {
    if (!always && !this._areCookiesAllowed()) return;
    writeCookie(name, value, {
      maxAgeMs, path: this._cookiePath || '/', domain: this._cookieDomain, secure: this._secureCookie, sameSite: this._cookieSameSite,
    });
  }

  /**
   * Returns the visitor id: 16 hex digits from a fresh cross-domain link, else from the
   * `_pk_id` cookie, else a new random one.
   */
  getVisitorId(): string {
    if (this._visitorId) return this._visitorId;
    const linked = this._crossDomainLinking ? parseCrossDomainVisitor(findQueryParameter(location.href, [CROSS_DOMAIN_PARAMETER]), Date.now()) : '';
    if (linked) {
      this._visitorId = linked;
      this._visitorCreatedTs = Math.floor(Date.now() / 1000);
      return linked;
    }
    const stored = this._areCookiesAllowed() ? parseVisitorCookie(readCookie(this._cookieName('id'))) : null;
    if (stored) {
      this._visitorId = stored.visitorId;
      this._visitorCreatedTs = stored.createdTs;
      return this._visitorId;
    }
    this._visitorId = buildVisitorId(randomBytes(8));
    this._visitorCreatedTs = Math.floor(Date.now() / 1000);
    this._isNewVisitor = true;
    return this._visitorId;
  }

  /** Replaces the visitor id, for pages that know the visitor from elsewhere; ignored unless 16 hex digits. */
  setVisitorId(visitorId: string): void {
    if (!isVisitorId(visitorId)) return;
    this._visitorId = visitorId;
    this._persistVisitor();
  }

  /** Writes the visitor and session cookies when allowed; from then on the visitor is no longer new (`_idn=0`). */
  private _persistVisitor(): void {
    if (!this._areCookiesAllowed()) return;
    const visitorId = this.getVisitorId();
    this._writeOwnCookie(this._cookieName('id'), formatVisitorCookie({ visitorId, createdTs: this._visitorCreatedTs }), this._visitorCookieSeconds * 1000);
    this._writeOwnCookie(this._cookieName('ses'), '1', this._sessionCookieSeconds * 1000);
    this._isNewVisitor = false;
  }

  /** Returns the attribution of this visit, writing `_pk_ref` on a campaign or on a new session from another site. */
  private _readReferral(pageUrl: string, referrer: string): ReferralCookie | null {
    const campaignName = findQueryParameter(pageUrl, this._campaignNameKeys);
    const stored = this._areCookiesAllowed() ? parseReferralCookie(readCookie(this._cookieName('ref'))) : null;
    const newSession = !this._areCookiesAllowed() || readCookie(this._cookieName('ses')) === '';
    const external = referrer !== '' && !isSiteUrl(getHostName(referrer), getPathName(referrer), this._domains);
    if (!campaignName && !(external && newSession)) return stored;

    const referral: ReferralCookie = {
      campaignName, campaignKeyword: campaignName ? findQueryParameter(pageUrl, this._campaignKeywordKeys) : '',
      ts: Math.floor(Date.now() / 1000), url: external ? referrer.slice(0, 1024) : '',
    };
    this._writeOwnCookie(this._cookieName('ref'), formatReferralCookie(referral), this._referralCookieSeconds * 1000);
    return referral;
  }

  /** Builds the parameters every request carries, after the action's own parameters. */
  _buildRequest(actionParams: Params, options: { pageView?: boolean; customData?: CustomData; eventScope?: boolean } = {}): Params {
    const now = new Date();
    const pageUrl = removeQueryParameters(this._customUrl || location.href, [...this._excludedQueryParams, CROSS_DOMAIN_PARAMETER]);
    const referrer = this._referrerUrl || document.referrer;
    const visitorId = this.getVisitorId();
    const referral = this._readReferral(location.href, referrer);
    const params: Params = [...actionParams, ['idsite', this._siteId], ['rec', '1'], ['r', String(Math.floor(Math.random() * 1e6)).padStart(6, '0')],
      ['h', String(now.getHours())], ['m', String(now.getMinutes())], ['s', String(now.getSeconds())],
      ['url', pageUrl], ['urlref', referrer], ['_id', visitorId], ['_idn', this._isNewVisitor ? '1' : '0'],
      ['_refts', String(referral?.ts ?? 0)]];
    if (referral?.url) params.push(['_ref', referral.url]);
    if (referral?.campaignName) params.push(['_rcn', referral.campaignName]);
    if (referral?.campaignKeyword) params.push(['_rck', referral.campaignKeyword]);
    if (this._userId) params.push(['uid', this._userId]);
    params.push(['send_image', '0'], ['cookie', this._areCookiesAllowed() ? '1' : '0'], ['res', `${screen.width}x${screen.height}`]);
    this._appendCustomData(params, options);
    params.push(['pv_id', this._currentPageViewId()]);
    if (options.pageView && !this._performanceSent) {
      this._performanceSent = true;
      requestsWithTimings.add(params);
    }
    this._persistVisitor();
    return params;
  }

  private _appendCustomData(params: Params, options: { pageView?: boolean; customData?: CustomData; eventScope?: boolean }): void {
    for (const [id, value] of Object.entries(this._customDimensions)) params.push([`dimension${id}`, value]);
    if (Object.keys(this._visitCustomVariables).length > 0) params.push(['_cvar', JSON.stringify(this._visitCustomVariables)]);
    let scoped: Record<string, [string, string]> = {};
    if (options.pageView) scoped = this._pageCustomVariables;
    else if (options.eventScope) scoped = this._eventCustomVariables;
    if (Object.keys(scoped).length > 0) params.push(['cvar', JSON.stringify(scoped)]);
    for (const [name, value] of Object.entries(options.customData ?? {})) params.push([name, String(value)]);
  }

  private _currentPageViewId(): string {
    if (!this._pageViewId) this._startNewPageView();
    return this._pageViewId;
  }

  /** Starts a page view: later requests carry a new 6-character `pv_id`. */
  _startNewPageView(): void {
    let id = '';
    for (const byte of randomBytes(6)) id += PAGE_VIEW_ID_ALPHABET[byte % PAGE_VIEW_ID_ALPHABET.length];
    this._pageViewId = id;
  }

  /**
   * Sends a request unless Do Not Track applies or the tracker has no URL or site id, and
   * queues it while consent is missing.
   * `immediate` sends it in this task, for clicks that leave the page.
   */
  _sendRequest(params: Params, callback?: () => void, immediate = false): void {
    if (this._doNotTrack && isDoNotTrackEnabled()) return;
    // Without a tracker URL a beacon would go to the page's own URL, and without a site the server rejects the hit.
    if (!this._trackerUrl || !this._siteId) return;
    this._lastRequestAt = Date.now();
    if (this._consentRequired && !this._consentGiven) {
      this._consentQueue.push({ params, callback });
      return;
    }
    this._enqueue({ params, callback });
    if (immediate) this._flush();
  }

  /** Queues a request; the queue is sent once the client hints are known and the page has loaded. */
  private _enqueue(request: QueuedRequest): void {
    this._outbox.push(request);
    if (this._flushScheduled) return;
    this._flushScheduled = true;
    void Promise.all([clientHints, pageLoaded]).then(() => setTimeout(() => this._flush(), 0));
  }

  private _flush(): void {
    this._flushScheduled = false;
    const requests = this._outbox;
    this._outbox = [];
    if (requests.length === 0) return;
    const queries = requests.map((request) => encodeParams(completeParams(request.params)));
    const callAll = (): void => { for (const request of requests) request.callback?.(); };
    if (queries.length === 1) sendSingle(this._trackerUrl, queries[0]!, callAll);
    else sendBulk(this._trackerUrl, queries, callAll);
  }

  /** Milliseconds since the last request of this tracker, for the heartbeat. */
  _millisecondsSinceLastRequest(): number {
    return Date.now() - this._lastRequestAt;
  }

  /** Turns the heartbeat on; the subclass that sends pings schedules them. */
  enableHeartBeatTimer(seconds?: number): void {
    this._heartBeatSeconds = seconds ?? DEFAULT_HEARTBEAT_SECONDS;
  }
}

/** Adds what is known only when a request is sent: the page timings of the first pageview and the client hints. */
function completeParams(params: Params): Params {
  const complete: Params = [...params];
  if (requestsWithTimings.has(params)) {
    for (const [name, value] of Object.entries(readPagePerformance())) complete.push([name, String(value)]);
  }
  if (loadedClientHints) complete.push(['uadata', loadedClientHints]);
  return complete;
}

/** Encodes parameters as a query string, in order. */
export function encodeParams(params: Params): string {
  return params.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&');
}

function toList(value: string | string[]): string[] {
  return (Array.isArray(value) ? value : [value]).map(String).filter((item) => item !== '');
}

function toExtensionList(value: string | string[]): string[] {
  return (Array.isArray(value) ? value : String(value).split('|')).map((item) => String(item).toLowerCase().replace(/^\./, '')).filter(Boolean);
}

function resolveUrl(url: string): string {
  try {
    return new URL(url, location.href).href;
  } catch {
    return url;
  }
}
