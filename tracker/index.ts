/**
 * Entry of the browser tracker: defines `Matomo` and `Piwik`, creates the trackers of the
 * `_paq` queue and replaces `_paq` by an object whose `push` runs each command at once.
 */
import { MatomoTracker } from './matomo-tracker.js';
import type { TrackerDefaults } from './tracker-defaults.js';

/** Defaults of the tenant's build: the server wraps the bundle in a function with this parameter. */
declare const footfallTenantDefaults: TrackerDefaults | undefined;

type Command = unknown[] | ((this: MatomoTracker) => void);

interface QueueWindow extends Window {
  _paq?: Command[] | { push(...commands: Command[]): number };
  Matomo?: unknown;
  Piwik?: unknown;
  matomoAsyncInit?: () => void;
  piwikAsyncInit?: () => void;
}

/**
 * Commands that configure trackers, run before all others when the queue is first read, in
 * this order, as Matomo's tracker does: so that a snippet may push trackPageView before
 * setTrackerUrl. setTrackerUrl and setSiteId come before addTracker so that a tracker added
 * without its own URL gets the page's tracker URL.
 */
const CONFIGURATION_COMMANDS = [
  'setTrackerUrl', 'setSiteId', 'addTracker', 'disableCookies', 'requireCookieConsent', 'forgetCookieConsentGiven',
  'setSessionCookieTimeout', 'setVisitorCookieTimeout', 'setReferralCookieTimeout', 'setSecureCookie', 'setCookieSameSite',
  'setCookiePath', 'setCookieDomain', 'setDomains', 'enableCrossDomainLinking', 'setUserId', 'setVisitorId', 'enableLinkTracking', 'setCookieConsentGiven',
  'requireConsent', 'setConsentGiven', 'setExcludedQueryParams',
];

const tenantDefaults: TrackerDefaults = typeof footfallTenantDefaults === 'object' && footfallTenantDefaults !== null ? footfallTenantDefaults : {};
const pageWindow = window as QueueWindow;
const asyncTrackers: MatomoTracker[] = [];

function createTracker(trackerUrl: string, siteId: string | number, explicitTarget: boolean): MatomoTracker {
  const tracker = new MatomoTracker(trackerUrl, siteId, explicitTarget);
  tracker._applyDefaults(tenantDefaults);
  return tracker;
}

/** Runs one `_paq` command on every async tracker; addTracker creates one more. */
function runCommand(command: Command): void {
  if (typeof command === 'function') {
    for (const tracker of asyncTrackers) command.call(tracker);
    return;
  }
  const [name, ...args] = command;
  if (typeof name === 'function') {
    // Matomo's queue also runs `[function () { ... }]` with `this` set to each tracker.
    for (const tracker of asyncTrackers) name.apply(tracker, args);
    return;
  }
  if (typeof name !== 'string') return;
  if (name === 'addTracker') {
    addAsyncTracker(args[0] as string | undefined, args[1] as string | number | undefined);
    return;
  }
  for (const tracker of asyncTrackers) {
    if ((name === 'setTrackerUrl' || name === 'setSiteId') && tracker._explicitTarget) continue;
    const method = (tracker as unknown as Record<string, unknown>)[name];
    if (typeof method === 'function') method.apply(tracker, args);
    else if (typeof console === 'object') console.error(`The method '${name}' is not a Footfall tracker method.`);
  }
}

function addAsyncTracker(trackerUrl?: string, siteId?: string | number): MatomoTracker {
  const first = asyncTrackers[0];
  const tracker = createTracker(trackerUrl ?? first?._trackerUrl ?? '', siteId ?? first?._siteId ?? '', trackerUrl !== undefined || siteId !== undefined);
  asyncTrackers.push(tracker);
  return tracker;
}

function runQueue(commands: Command[]): void {
  const remaining = [...commands];
  for (const name of CONFIGURATION_COMMANDS) {
    for (let i = 0; i < remaining.length; i++) {
      const command = remaining[i]!;
      if (Array.isArray(command) && command[0] === name) {
        runCommand(command);
        remaining.splice(i--, 1);
      }
    }
  }
  for (const command of remaining) runCommand(command);
}

/** The `Matomo` (and `Piwik`) global object. */
const matomoGlobal = {
  initialized: true,
  /** Returns a new tracker, not driven by `_paq`. */
  getTracker(trackerUrl?: string, siteId?: string | number): MatomoTracker {
    const first = asyncTrackers[0];
    return createTracker(trackerUrl ?? first?._trackerUrl ?? '', siteId ?? first?._siteId ?? '', true);
  },
  /** Returns the `_paq` tracker of a URL and site, the first one when none is given. */
  getAsyncTracker(trackerUrl?: string, siteId?: string | number): MatomoTracker | undefined {
    if (trackerUrl === undefined && siteId === undefined) return asyncTrackers[0];
    return asyncTrackers.find((tracker) => (trackerUrl === undefined || tracker._trackerUrl === trackerUrl)
      && (siteId === undefined || tracker._siteId === String(siteId)));
  },
  getAsyncTrackers(): MatomoTracker[] {
    return [...asyncTrackers];
  },
  addTracker(trackerUrl?: string, siteId?: string | number): MatomoTracker {
    return addAsyncTracker(trackerUrl, siteId);
  },
};

function start(): void {
  if (pageWindow.Matomo && (pageWindow.Matomo as { initialized?: boolean }).initialized) return;
  pageWindow.Matomo = matomoGlobal;
  pageWindow.Piwik = matomoGlobal;

  const queued = Array.isArray(pageWindow._paq) ? pageWindow._paq : [];
  asyncTrackers.push(createTracker('', '', false));
  runQueue(queued);
  pageWindow._paq = {
    push(...commands: Command[]): number {
      for (const command of commands) runQueue([command]);
      return 0;
    },
  };

  pageWindow.matomoAsyncInit?.();
  pageWindow.piwikAsyncInit?.();
}

start();
