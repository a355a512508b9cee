/**
 * The Tag Manager runtime published in each `container_<id>.js`: reads the `_mtm` data layer,
 * fires triggers and runs the tags of one container version. In preview it logs each fired tag
 * to the browser console.
 */
import {
  buildPreviewScriptUrl, compareCondition, decidePreview, PREVIEW_PARAMETER, readDataLayerPath, readUrlPart, renderTemplate,
} from './container-rules.js';
import {
  findVariableElement, watchClicks, watchHistory, watchPageEvents, watchScroll, watchTimers, watchVisibility,
} from './container-watchers.js';

interface Entity { id: number; type: string; name: string; parameters: Record<string, unknown> }
interface Tag extends Entity { fireTriggerIds: number[]; blockTriggerIds: number[]; fireLimit: string; priority: number }
interface Trigger extends Entity { conditions: { actual: string; comparison: string; expected: string }[] }
interface Variable extends Entity { defaultValue: string | null }
interface Container { idcontainer: string; environment: string; tags: Tag[]; triggers: Trigger[]; variables: Variable[] }
interface MatomoTrackerApi { trackPageView(): void; trackEvent(...args: unknown[]): void; trackGoal(...args: unknown[]): void }
interface RuntimeWindow extends Window {
  _mtm?: Record<string, unknown>[] | { push(entry: Record<string, unknown>): number };
  Matomo?: { getTracker(url: string, siteId: unknown): MatomoTrackerApi };
}

/** The published container: the server wraps the runtime in a function with this parameter. */
declare const footfallContainer: Container;

const container = footfallContainer;
const runtimeWindow = window as RuntimeWindow;
const dataLayer: Record<string, unknown> = {};
const firedTriggerIds = new Set<number>();
const tagsFiredOnPage = new Set<number>();
const inPreview = container.environment === 'preview';
/** Built-in variables of the event being handled, such as `ClickText`; empty between events. */
let eventVariables: Record<string, unknown> = {};
const pendingMatomoCalls: (() => void)[] = [];
let matomoScriptRequested = false;

const BUILT_IN_VARIABLES: Record<string, () => unknown> = {
  PageUrl: () => location.href,
  PageOrigin: () => location.origin,
  PageHostname: () => location.hostname,
  PagePath: () => location.pathname,
  PageHash: () => location.hash.replace(/^#/, ''),
  PageTitle: () => document.title,
  Referrer: () => document.referrer,
  ContainerId: () => container.idcontainer,
  Environment: () => container.environment,
  PreviewMode: () => (inPreview ? '1' : '0'),
};

function readVariable(name: string): unknown {
  const variable = container.variables.find((candidate) => candidate.name === name);
  if (!variable) {
    if (name in eventVariables) return eventVariables[name];
    return BUILT_IN_VARIABLES[name]?.() ?? readDataLayerPath(dataLayer, name);
  }
  const value = computeVariable(variable);
  return value === undefined || value === null || value === '' ? variable.defaultValue ?? value : value;
}

function computeVariable(variable: Variable): unknown {
  const parameters = variable.parameters;
  switch (variable.type) {
    case 'Constant': return parameters.constantValue;
    case 'PageUrl': return location.href;
    case 'Url': return readUrlPart(location.href, String(parameters.urlPart ?? 'href'));
    case 'Referrer': return document.referrer;
    case 'ReferrerUrl': return readUrlPart(document.referrer, String(parameters.urlPart ?? 'href'));
    case 'DomElement': return readElementValue(findVariableElement(parameters), String(parameters.attributeName ?? ''));
    case 'MetaContent': return readMetaContent(String(parameters.metaName ?? ''));
    case 'JavaScript': return readGlobalPath(String(parameters.variableName ?? ''));
    case 'DataLayer': return readDataLayerPath(dataLayer, String(parameters.dataLayerName ?? ''));
    case 'Cookie': return readCookieValue(String(parameters.cookieName ?? ''));
    case 'UrlParameter': return new URLSearchParams(location.search).get(String(parameters.parameterName ?? '')) ?? undefined;
    case 'MatomoConfiguration': return renderTemplate(parameters, readVariable);
    default: return undefined;
  }
}

function readCookieValue(name: string): string | undefined {
  for (const pair of document.cookie.split(';')) {
    const [key, ...rest] = pair.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/** Returns an element's attribute when `attributeName` is set, else its trimmed text; undefined without an element or attribute. */
function readElementValue(element: Element | undefined, attributeName: string): string | undefined {
  if (!element) return undefined;
  if (attributeName !== '') return element.getAttribute(attributeName) ?? undefined;
  return (element.textContent ?? '').trim();
}

function readMetaContent(name: string): string | undefined {
  for (const meta of Array.from(document.getElementsByTagName('meta'))) {
    if (meta.name === name || meta.getAttribute('property') === name) return meta.content;
  }
  return undefined;
}

/** Reads a global such as `shop.cart.total` from `window`; undefined when a step is missing. */
function readGlobalPath(path: string): unknown {
  let current: unknown = window;
  for (const step of path.split('.')) {
    if (current === null || (typeof current !== 'object' && typeof current !== 'function')) return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

function conditionsMet(trigger: Trigger): boolean {
  return trigger.conditions.every((condition) => {
    const actual = readVariable(condition.actual);
    return compareCondition(actual === undefined || actual === null ? '' : String(actual), condition.comparison, condition.expected);
  });
}

/**
 * Fires every trigger of `type` that `matches` accepts and whose conditions hold. `variables`
 * are the built-in variables of the event, readable while its conditions and tags run.
 */
function fireTriggers(type: string, matches: (trigger: Trigger) => boolean = () => true, variables: Record<string, unknown> = {}): void {
  const outerVariables = eventVariables;
  eventVariables = variables;
  try {
    for (const trigger of container.triggers) {
      if (trigger.type !== type || !matches(trigger) || !conditionsMet(trigger)) continue;
      firedTriggerIds.add(trigger.id);
      const tags = container.tags.filter((tag) => tag.fireTriggerIds.includes(trigger.id)).sort((a, b) => b.priority - a.priority);
      for (const tag of tags) fireTag(tag, trigger);
    }
  } finally {
    eventVariables = outerVariables;
  }
}

function fireTag(tag: Tag, trigger: Trigger): void {
  if (tag.blockTriggerIds.some((id) => firedTriggerIds.has(id))) return;
  if (tag.fireLimit === 'once_page' && tagsFiredOnPage.has(tag.id)) return;
  tagsFiredOnPage.add(tag.id);
  if (inPreview) console.info(`Footfall Tag Manager preview: tag "${tag.name}" (${tag.type}) fired by trigger "${trigger.name}" (${trigger.type})`);
  const parameters = renderTemplate(tag.parameters, readVariable) as Record<string, unknown>;
  if (tag.type === 'Matomo') runMatomoTag(parameters);
  else if (tag.type === 'CustomHtml') insertCustomHtml(String(parameters.customHtml ?? ''));
  else if (tag.type === 'CustomImage') new Image().src = String(parameters.customImageSrc ?? '');
}

function runMatomoTag(parameters: Record<string, unknown>): void {
  const config = (parameters.matomoConfig && typeof parameters.matomoConfig === 'object' ? parameters.matomoConfig : parameters) as Record<string, unknown>;
  const baseUrl = String(config.matomoUrl ?? '').replace(/\/?$/, '/');
  const call = (): void => {
    const tracker = runtimeWindow.Matomo!.getTracker(`${baseUrl}matomo.php`, config.idSite);
    if (parameters.trackingType === 'event') tracker.trackEvent(parameters.eventCategory, parameters.eventAction, parameters.eventName || undefined, parameters.eventValue === undefined || parameters.eventValue === '' ? undefined : Number(parameters.eventValue));
    else if (parameters.trackingType === 'goal') tracker.trackGoal(parameters.idGoal, parameters.goalCustomRevenue === undefined || parameters.goalCustomRevenue === '' ? undefined : Number(parameters.goalCustomRevenue));
    else tracker.trackPageView();
  };
  if (runtimeWindow.Matomo) {
    call();
    return;
  }
  pendingMatomoCalls.push(call);
  if (matomoScriptRequested) return;
  matomoScriptRequested = true;
  const script = document.createElement('script');
  script.async = true;
  script.src = `${baseUrl}matomo.js`;
  script.onload = () => { for (const pending of pendingMatomoCalls.splice(0)) pending(); };
  document.head.appendChild(script);
}

/** Appends custom HTML to the body; script elements are recreated, because scripts set through innerHTML never run. */
function insertCustomHtml(html: string): void {
  const holder = document.createElement('div');
  holder.innerHTML = html;
  for (const node of Array.from(holder.childNodes)) {
    if (node instanceof HTMLScriptElement) {
      const script = document.createElement('script');
      for (const attribute of Array.from(node.attributes)) script.setAttribute(attribute.name, attribute.value);
      script.text = node.text;
      document.body.appendChild(script);
    } else {
      document.body.appendChild(node);
    }
  }
}

function handleDataLayerEntry(entry: Record<string, unknown>): void {
  if (!entry || typeof entry !== 'object') return;
  Object.assign(dataLayer, entry);
  const event = entry.event;
  if (event === 'mtm.Start') fireTriggers('PageView');
  else if (typeof event === 'string') fireTriggers('CustomEvent', (trigger) => trigger.parameters.eventName === event);
}

/** Sets or, for '', deletes the preview cookie of the page's site; it lasts until the browser closes. */
function writePreviewCookie(value: string): void {
  const expiry = value === '' ? '; expires=Thu, 01 Jan 1970 00:00:00 GMT' : '';
  document.cookie = `${PREVIEW_PARAMETER}=${encodeURIComponent(value)}; path=/; SameSite=Lax${expiry}`;
}

/**
 * Loads the container's preview in place of this version when the page requests it, and
 * returns whether it did. When the preview cannot load, for example because the browser is not
 * signed in to Footfall as the user who enabled it, this version runs after all.
 */
function loadPreviewInstead(): boolean {
  if (inPreview) return false;
  const decision = decidePreview(container.idcontainer, new URLSearchParams(location.search).get(PREVIEW_PARAMETER), readCookieValue(PREVIEW_PARAMETER));
  if (decision.cookie !== undefined) writePreviewCookie(decision.cookie);
  const scriptUrl = document.currentScript instanceof HTMLScriptElement ? document.currentScript.src : '';
  const previewUrl = decision.preview ? buildPreviewScriptUrl(scriptUrl, container.idcontainer) : undefined;
  if (!previewUrl) return false;
  const script = document.createElement('script');
  script.async = true;
  script.src = previewUrl;
  script.onerror = () => start();
  document.head.appendChild(script);
  return true;
}

function start(): void {
  if (inPreview) console.info(`Footfall Tag Manager preview of container ${container.idcontainer}: the draft runs on this page.`);
  const queued = Array.isArray(runtimeWindow._mtm) ? runtimeWindow._mtm : [];
  if (!queued.some((entry) => entry && entry.event === 'mtm.Start')) fireTriggers('PageView');
  for (const entry of queued) handleDataLayerEntry(entry);
  runtimeWindow._mtm = {
    push(entry: Record<string, unknown>): number {
      handleDataLayerEntry(entry);
      return 0;
    },
  };

  const onDomReady = (): void => {
    fireTriggers('DomReady');
    watchVisibility(container.triggers, fireTriggers);
    watchScroll(container.triggers, fireTriggers);
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', onDomReady);
  else onDomReady();
  const onLoad = (): void => fireTriggers('WindowLoaded');
  if (document.readyState === 'complete') onLoad();
  else window.addEventListener('load', onLoad);
  watchClicks(fireTriggers);
  watchHistory(fireTriggers);
  watchPageEvents(fireTriggers);
  watchTimers(container.triggers, fireTriggers);
}

if (!loadPreviewInstead()) start();
