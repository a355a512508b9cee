/**
 * The tag, trigger and variable types the container runtime supports, with Matomo's type and
 * parameter names, and the checks their parameters must pass before they are stored.
 */
import { FootfallError, quote } from '../errors.js';

/** Tag types the container runtime can fire. */
export const TAG_TYPES = ['Matomo', 'CustomHtml', 'CustomImage'] as const;

/** Trigger types the container runtime can watch. */
export const TRIGGER_TYPES = [
  'PageView', 'DomReady', 'WindowLoaded', 'AllElementsClick', 'AllLinksClick', 'AllDownloadsClick', 'CustomEvent',
  'HistoryChange', 'ElementVisibility', 'ScrollReach', 'Timer', 'FormSubmit', 'JavaScriptError', 'WindowUnload',
] as const;

/** Variable types the container runtime can read. */
export const VARIABLE_TYPES = [
  'Constant', 'PageUrl', 'Url', 'Referrer', 'ReferrerUrl', 'DataLayer', 'Cookie', 'UrlParameter', 'DomElement', 'MetaContent',
  'JavaScript', 'MatomoConfiguration',
] as const;

/** Maximum length of a `JavaScript` variable's global name, in characters. */
export const MAX_JAVASCRIPT_NAME_LENGTH = 500;

/** Parts of a URL that the `Url` and `ReferrerUrl` variables return, named as the URL API names them. */
export const URL_PARTS = ['href', 'hash', 'host', 'hostname', 'origin', 'pathname', 'port', 'protocol', 'search'] as const;

/** Element lookups of `DomElement` variables and `ElementVisibility` triggers: by element id or CSS selector. */
export const SELECTION_METHODS = ['elementId', 'cssSelector'] as const;

/** When an `ElementVisibility` trigger fires: once per page, once per element, or on every appearance. */
export const VISIBILITY_FIRE_MODES = ['oncePage', 'onceElement', 'every'] as const;

/** Scroll measures of a `ScrollReach` trigger: direction, and percent or pixels. */
export const SCROLL_TYPES = ['verticalpercentage', 'verticalpixel', 'horizontalpercentage', 'horizontalpixel'] as const;

/** Minimum interval of a `Timer` trigger in milliseconds, so that a timer cannot flood the page. */
export const MIN_TIMER_INTERVAL_MS = 50;

/** Maximum interval of a `Timer` trigger in milliseconds: browsers run `setInterval` with a longer delay at once. */
export const MAX_TIMER_INTERVAL_MS = 2_147_483_647;

/** Maximum of the `pixels` of `ScrollReach` and the `triggerLimit` of `Timer`, as Matomo's TagManager plugin caps them in its trigger templates. */
const MAX_COUNT = 900_000;

type Parameters = Record<string, unknown>;

function requireText(parameters: Parameters, key: string): void {
  const value = parameters[key];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new FootfallError('PARAMETER_MISSING', `Missing 'parameters[${key}]'. Send a non-empty value for it.`);
  }
}

/** Checks an optional choice and stores its default when it is missing. */
function checkChoice(parameters: Parameters, key: string, allowed: readonly string[], fallback: string): string {
  const value = parameters[key] ?? fallback;
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw new FootfallError('PARAMETER_INVALID', `Invalid 'parameters[${key}]' ${quote(String(value))}. Use one of ${allowed.join(', ')}.`);
  }
  parameters[key] = value;
  return value;
}

/** Checks an optional whole number within a range and stores its default when it is missing. */
function checkInteger(parameters: Parameters, key: string, min: number, max: number, fallback: number): void {
  const value = parameters[key] ?? String(fallback);
  const text = String(value).trim();
  const number = Number(text);
  if (!/^[0-9]+$/.test(text) || number < min || number > max) {
    throw new FootfallError('PARAMETER_INVALID', `Invalid 'parameters[${key}]' ${quote(String(value))}. Use a whole number from ${min} to ${max}.`);
  }
  parameters[key] = text;
}

/** Checks the element selection shared by `DomElement` variables and `ElementVisibility` triggers. */
function checkElementSelection(parameters: Parameters): void {
  const method = checkChoice(parameters, 'selectionMethod', SELECTION_METHODS, 'elementId');
  requireText(parameters, method === 'cssSelector' ? 'cssSelector' : 'elementId');
}

/** Checks of each tag type's parameters; a type without an entry takes none. */
const TAG_CHECKS: Partial<Record<(typeof TAG_TYPES)[number], (parameters: Parameters) => void>> = {
  CustomImage: (parameters) => requireText(parameters, 'customImageSrc'),
};

/** Checks of each trigger type's parameters; a type without an entry takes none. */
const TRIGGER_CHECKS: Partial<Record<(typeof TRIGGER_TYPES)[number], (parameters: Parameters) => void>> = {
  CustomEvent: (parameters) => requireText(parameters, 'eventName'),
  ElementVisibility: (parameters) => {
    checkElementSelection(parameters);
    checkChoice(parameters, 'fireTriggerWhen', VISIBILITY_FIRE_MODES, 'oncePage');
    checkInteger(parameters, 'minPercentVisible', 1, 100, 50);
  },
  ScrollReach: (parameters) => {
    const scrollType = checkChoice(parameters, 'scrollType', SCROLL_TYPES, 'verticalpercentage');
    if (scrollType.endsWith('pixel')) checkInteger(parameters, 'pixels', 1, MAX_COUNT, 1);
    else checkInteger(parameters, 'percentage', 1, 100, 50);
  },
  Timer: (parameters) => {
    checkInteger(parameters, 'triggerInterval', MIN_TIMER_INTERVAL_MS, MAX_TIMER_INTERVAL_MS, 3000);
    checkInteger(parameters, 'triggerLimit', 0, MAX_COUNT, 0);
  },
};

/** Checks of each variable type's parameters; a type without an entry takes none. */
const VARIABLE_CHECKS: Partial<Record<(typeof VARIABLE_TYPES)[number], (parameters: Parameters) => void>> = {
  Url: (parameters) => { checkChoice(parameters, 'urlPart', URL_PARTS, 'href'); },
  ReferrerUrl: (parameters) => { checkChoice(parameters, 'urlPart', URL_PARTS, 'href'); },
  DataLayer: (parameters) => requireText(parameters, 'dataLayerName'),
  Cookie: (parameters) => requireText(parameters, 'cookieName'),
  UrlParameter: (parameters) => requireText(parameters, 'parameterName'),
  MetaContent: (parameters) => requireText(parameters, 'metaName'),
  DomElement: checkElementSelection,
  JavaScript: (parameters) => {
    requireText(parameters, 'variableName');
    const name = String(parameters.variableName);
    if (name.length > MAX_JAVASCRIPT_NAME_LENGTH) {
      throw new FootfallError('PARAMETER_INVALID', `Invalid 'parameters[variableName]' of ${name.length} characters. Use at most ${MAX_JAVASCRIPT_NAME_LENGTH}.`);
    }
  },
};

/**
 * Checks a tag's, trigger's or variable's parameters for its type and fills in the defaults of
 * the optional ones, so the runtime reads the same values the API returns.
 *
 * @throws FootfallError PARAMETER_MISSING or PARAMETER_INVALID naming the parameter.
 */
export function checkPartParameters(kind: 'tag' | 'trigger' | 'variable', type: string, parameters: Parameters): Parameters {
  const checksByKind: Record<typeof kind, Partial<Record<string, (parameters: Parameters) => void>>> = { tag: TAG_CHECKS, trigger: TRIGGER_CHECKS, variable: VARIABLE_CHECKS };
  checksByKind[kind][type]?.(parameters);
  return parameters;
}
