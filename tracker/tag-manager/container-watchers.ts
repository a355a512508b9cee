/**
 * Browser events that fire the Tag Manager's interaction triggers: clicks, history changes,
 * element visibility, scroll reach and timers. Each watcher calls `fire` with the trigger
 * type, an optional filter of the triggers, and the built-in variables of the event.
 */
import { DEFAULT_DOWNLOAD_EXTENSIONS } from '../url-matching.js';
import { isDownloadLink, measureScroll, readUrlPart } from './container-rules.js';

/** Trigger fields the watchers read. */
export interface WatchedTrigger {
  id: number;
  type: string;
  parameters: Record<string, unknown>;
}

/** Fires the triggers of `type` that `matches` accepts, with `variables` readable by name while their tags run. */
export type FireTriggers = (type: string, matches: (trigger: WatchedTrigger) => boolean, variables: Record<string, unknown>) => void;

const MAX_TEXT_LENGTH = 1000;

/**
 * Maximum `JavaScriptError` firings per page. A tag fired by an error may itself raise errors,
 * so without a cap such a tag would keep firing for as long as the page is open.
 */
const MAX_ERROR_FIRINGS = 100;

function readText(element: Element): string {
  return (element.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT_LENGTH);
}

function describeClick(element: Element, link: HTMLAnchorElement | null): Record<string, unknown> {
  return {
    ClickElement: element, ClickId: element.id, ClickClasses: element.getAttribute('class') ?? '', ClickNodeName: element.nodeName,
    ClickText: readText(link ?? element), ClickDestinationUrl: link ? link.href : '',
  };
}

/**
 * Watches clicks on the document: every click fires `AllElementsClick`, a click inside an
 * `<a href>` also fires `AllLinksClick`, and a link to a download also fires `AllDownloadsClick`.
 */
export function watchClicks(fire: FireTriggers): void {
  document.addEventListener('click', (event) => {
    const element = event.target instanceof Element ? event.target : null;
    if (!element) return;
    const link = element.closest('a[href]') as HTMLAnchorElement | null;
    const variables = describeClick(element, link);
    fire('AllElementsClick', () => true, variables);
    if (!link) return;
    fire('AllLinksClick', () => true, variables);
    if (isDownloadLink(link.href, link.hasAttribute('download'), DEFAULT_DOWNLOAD_EXTENSIONS)) fire('AllDownloadsClick', () => true, variables);
  }, true);
}

function describeHistoryChange(source: string, oldUrl: string, newUrl: string): Record<string, unknown> {
  return {
    HistorySource: source, HistoryHashOldUrl: oldUrl, HistoryHashNewUrl: newUrl,
    HistoryHashOld: readUrlPart(oldUrl, 'hash').replace(/^#/, ''), HistoryHashNew: readUrlPart(newUrl, 'hash').replace(/^#/, ''),
    HistoryHashOldPath: readUrlPart(oldUrl, 'pathname'), HistoryHashNewPath: readUrlPart(newUrl, 'pathname'),
    HistoryHashOldSearch: readUrlPart(oldUrl, 'search'), HistoryHashNewSearch: readUrlPart(newUrl, 'search'),
  };
}

/**
 * Fires `HistoryChange` when `pushState`, `replaceState`, `popstate` or `hashchange` changes the
 * page URL. A change that leaves the URL as it was fires nothing, so a hash navigation, which
 * raises both `popstate` and `hashchange`, fires once.
 */
export function watchHistory(fire: FireTriggers): void {
  let lastUrl = location.href;
  const check = (source: string): void => {
    const newUrl = location.href;
    if (newUrl === lastUrl) return;
    const oldUrl = lastUrl;
    lastUrl = newUrl;
    fire('HistoryChange', () => true, describeHistoryChange(source, oldUrl, newUrl));
  };
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      const result = original.apply(this, args);
      check(method);
      return result;
    };
  }
  window.addEventListener('popstate', () => check('popstate'));
  window.addEventListener('hashchange', () => check('hashchange'));
}

function findElements(parameters: Record<string, unknown>): Element[] {
  if (parameters.selectionMethod === 'cssSelector') {
    try {
      return Array.from(document.querySelectorAll(String(parameters.cssSelector ?? '')));
    } catch {
      return [];
    }
  }
  const element = document.getElementById(String(parameters.elementId ?? ''));
  return element ? [element] : [];
}

/** Returns the element a `DomElement` variable names: the first match of its CSS selector or its element id. */
export function findVariableElement(parameters: Record<string, unknown>): Element | undefined {
  return findElements(parameters)[0];
}

/**
 * Fires each `ElementVisibility` trigger when one of its elements shows at least
 * `minPercentVisible` percent of its area in the viewport: once per page, once per element, or
 * every time, as `fireTriggerWhen` sets.
 */
export function watchVisibility(triggers: readonly WatchedTrigger[], fire: FireTriggers): void {
  if (typeof IntersectionObserver !== 'function') return;
  for (const trigger of triggers.filter((candidate) => candidate.type === 'ElementVisibility')) {
    const parameters = trigger.parameters;
    const threshold = Math.min(100, Math.max(1, Number(parameters.minPercentVisible) || 50)) / 100;
    const mode = String(parameters.fireTriggerWhen ?? 'oncePage');
    const observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting || entry.intersectionRatio < threshold - 0.001) continue;
        const element = entry.target;
        if (mode === 'oncePage') observer.disconnect();
        else if (mode === 'onceElement') observer.unobserve(element);
        fire('ElementVisibility', (candidate) => candidate.id === trigger.id, {
          VisibleElementId: element.id, VisibleElementClasses: element.getAttribute('class') ?? '', VisibleElementNodeName: element.nodeName,
          VisibleElementText: readText(element), VisibleElementUrl: element instanceof HTMLAnchorElement ? element.href : '',
        });
        if (mode === 'oncePage') return;
      }
    }, { threshold });
    // NOTE: elements are looked up once, on DOM ready; elements added later are not watched.
    for (const element of findElements(parameters)) observer.observe(element);
  }
}

function readScroll(): Record<string, number> {
  const page = document.documentElement;
  const vertical = measureScroll(window.scrollY, window.innerHeight, Math.max(page.scrollHeight, document.body?.scrollHeight ?? 0));
  const horizontal = measureScroll(window.scrollX, window.innerWidth, Math.max(page.scrollWidth, document.body?.scrollWidth ?? 0));
  return {
    ScrollTopPixel: vertical.pixels, ScrollVerticalPercentage: vertical.percentage,
    ScrollLeftPixel: horizontal.pixels, ScrollHorizontalPercentage: horizontal.percentage,
  };
}

/**
 * Fires each `ScrollReach` trigger once per page, when the page was scrolled `pixels` from its
 * top or left edge, or the far edge of the viewport reached `percentage` percent of the page.
 * The position is also checked on setup, so a page shorter than the viewport reaches 100%.
 */
export function watchScroll(triggers: readonly WatchedTrigger[], fire: FireTriggers): void {
  const pending = new Set(triggers.filter((trigger) => trigger.type === 'ScrollReach'));
  if (pending.size === 0) return;
  const check = (): void => {
    const scroll = readScroll();
    for (const trigger of pending) {
      const type = String(trigger.parameters.scrollType ?? 'verticalpercentage');
      const reached = type.endsWith('pixel')
        ? scroll[type.startsWith('vertical') ? 'ScrollTopPixel' : 'ScrollLeftPixel']! >= Number(trigger.parameters.pixels)
        : scroll[type.startsWith('vertical') ? 'ScrollVerticalPercentage' : 'ScrollHorizontalPercentage']! >= Number(trigger.parameters.percentage);
      if (!reached) continue;
      pending.delete(trigger);
      fire('ScrollReach', (candidate) => candidate.id === trigger.id, scroll);
    }
    if (pending.size === 0) window.removeEventListener('scroll', check);
  };
  window.addEventListener('scroll', check, { passive: true });
  check();
}

/**
 * Fires `FormSubmit` when a form is submitted, and `JavaScriptError` when an error reaches the
 * window, at most 100 times per page. Fires `WindowUnload` on `pagehide`, which browsers raise
 * more reliably than `unload`, when the page is closed or put in the back-forward cache.
 */
export function watchPageEvents(fire: FireTriggers): void {
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    fire('FormSubmit', () => true, {
      FormElement: form, FormId: form.id, FormName: form.getAttribute('name') ?? '', FormClasses: form.getAttribute('class') ?? '',
      FormDestination: form.action,
    });
  }, true);
  let errorFirings = 0;
  let handlingError = false;
  window.addEventListener('error', (event) => {
    // An error raised while the tags of an error run is not reported again, so a failing tag cannot recurse.
    if (!(event instanceof ErrorEvent) || handlingError || errorFirings >= MAX_ERROR_FIRINGS) return;
    errorFirings += 1;
    handlingError = true;
    try {
      fire('JavaScriptError', () => true, { ErrorMessage: event.message, ErrorUrl: event.filename, ErrorLine: event.lineno });
    } finally {
      handlingError = false;
    }
  });
  window.addEventListener('pagehide', () => fire('WindowUnload', () => true, {}));
}

/** Starts each `Timer` trigger: it fires every `triggerInterval` milliseconds, `triggerLimit` times, or without end for 0. */
export function watchTimers(triggers: readonly WatchedTrigger[], fire: FireTriggers): void {
  for (const trigger of triggers.filter((candidate) => candidate.type === 'Timer')) {
    const interval = Math.max(50, Number(trigger.parameters.triggerInterval) || 3000);
    const limit = Number(trigger.parameters.triggerLimit ?? 0);
    let count = 0;
    const timer = setInterval(() => {
      count += 1;
      if (limit > 0 && count >= limit) clearInterval(timer);
      fire('Timer', (candidate) => candidate.id === trigger.id, { TimerCount: count });
    }, interval);
  }
}
