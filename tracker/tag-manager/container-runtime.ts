/**
 * The Tag Manager runtime published in each `container_<id>.js`: reads the `_mtm` data layer,
 * fires triggers and runs the tags of one container version.
 */
import { compareCondition, readDataLayerPath, renderTemplate } from './container-rules.js';

interface Entity { id: number; type: string; name: string; parameters: Record<string, unknown> }
interface Tag extends Entity { fireTriggerIds: number[]; blockTriggerIds: number[]; fireLimit: string; priority: number }
interface Trigger extends Entity { conditions: { actual: string; comparison: string; expected: string }[] }
interface Variable extends Entity { defaultValue: string | null }
interface Container { idcontainer: string; tags: Tag[]; triggers: Trigger[]; variables: Variable[] }
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
const pendingMatomoCalls: (() => void)[] = [];
let matomoScriptRequested = false;

const BUILT_IN_VARIABLES: Record<string, () => unknown> = {
  PageUrl: () => location.href,
  PageHostname: () => location.hostname,
  PagePath: () => location.pathname,
  PageTitle: () => document.title,
  Referrer: () => document.referrer,
};

function readVariable(name: string): unknown {
  const variable = container.variables.find((candidate) => candidate.name === name);
  if (!variable) return BUILT_IN_VARIABLES[name]?.() ?? readDataLayerPath(dataLayer, name);
  const value = computeVariable(variable);
  return value === undefined || value === null || value === '' ? variable.defaultValue ?? value : value;
}

function computeVariable(variable: Variable): unknown {
  const parameters = variable.parameters;
  switch (variable.type) {
    case 'Constant': return parameters.constantValue;
    case 'PageUrl': return location.href;
    case 'Referrer': return document.referrer;
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

function conditionsMet(trigger: Trigger): boolean {
  return trigger.conditions.every((condition) => {
    const actual = readVariable(condition.actual);
    return compareCondition(actual === undefined || actual === null ? '' : String(actual), condition.comparison, condition.expected);
  });
}

/** Fires every trigger of `type` whose conditions hold, with `matches` narrowing custom events by name. */
function fireTriggers(type: string, matches: (trigger: Trigger) => boolean = () => true): void {
  for (const trigger of container.triggers) {
    if (trigger.type !== type || !matches(trigger) || !conditionsMet(trigger)) continue;
    firedTriggerIds.add(trigger.id);
    const tags = container.tags.filter((tag) => tag.fireTriggerIds.includes(trigger.id)).sort((a, b) => b.priority - a.priority);
    for (const tag of tags) fireTag(tag);
  }
}

function fireTag(tag: Tag): void {
  if (tag.blockTriggerIds.some((id) => firedTriggerIds.has(id))) return;
  if (tag.fireLimit === 'once_page' && tagsFiredOnPage.has(tag.id)) return;
  tagsFiredOnPage.add(tag.id);
  const parameters = renderTemplate(tag.parameters, readVariable) as Record<string, unknown>;
  if (tag.type === 'Matomo') runMatomoTag(parameters);
  else if (tag.type === 'CustomHtml') insertCustomHtml(String(parameters.customHtml ?? ''));
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

function start(): void {
  const queued = Array.isArray(runtimeWindow._mtm) ? runtimeWindow._mtm : [];
  if (!queued.some((entry) => entry && entry.event === 'mtm.Start')) fireTriggers('PageView');
  for (const entry of queued) handleDataLayerEntry(entry);
  runtimeWindow._mtm = {
    push(entry: Record<string, unknown>): number {
      handleDataLayerEntry(entry);
      return 0;
    },
  };

  const onDomReady = (): void => fireTriggers('DomReady');
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', onDomReady);
  else onDomReady();
  const onLoad = (): void => fireTriggers('WindowLoaded');
  if (document.readyState === 'complete') onLoad();
  else window.addEventListener('load', onLoad);
  document.addEventListener('click', () => fireTriggers('AllElementsClick'), true);
}

start();
