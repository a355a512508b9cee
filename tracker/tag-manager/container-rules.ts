/** Pure rules of the Tag Manager runtime: trigger conditions, `{{Variable}}` templates and data layer paths. */

/** Matches one `{{Name}}` reference in a parameter value. */
const REFERENCE_PATTERN = /\{\{\s*([^{}]+?)\s*\}\}/g;

/**
 * Compares a variable's value with a condition's expected value, with Matomo's comparison
 * names. `equals` ignores case while `equals_exactly` does not; an invalid regular
 * expression never matches.
 */
export function compareCondition(actual: string, comparison: string, expected: string): boolean {
  const negated = comparison.startsWith('not_');
  const base = negated ? comparison.slice(4) : comparison;
  let result: boolean;
  switch (base) {
    case 'equals': result = actual.toLowerCase() === expected.toLowerCase(); break;
    case 'equals_exactly': result = actual === expected; break;
    case 'contains': result = actual.toLowerCase().includes(expected.toLowerCase()); break;
    case 'starts_with': result = actual.toLowerCase().startsWith(expected.toLowerCase()); break;
    case 'ends_with': result = actual.toLowerCase().endsWith(expected.toLowerCase()); break;
    case 'matches_regex': result = matchesRegex(actual, expected); break;
    default: return false;
  }
  return negated ? !result : result;
}

function matchesRegex(actual: string, pattern: string): boolean {
  try {
    return new RegExp(pattern, 'i').test(actual);
  } catch {
    return false;
  }
}

/**
 * Replaces `{{Name}}` references in a parameter value with the variables' values. A value
 * that is exactly one reference becomes the variable's value itself, which may be an object
 * such as a Matomo configuration. Objects and arrays are rendered member by member.
 */
export function renderTemplate(value: unknown, lookup: (name: string) => unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => renderTemplate(item, lookup));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderTemplate(item, lookup)]));
  }
  if (typeof value !== 'string') return value;
  const whole = /^\{\{\s*([^{}]+?)\s*\}\}$/.exec(value);
  if (whole) return lookup(whole[1]!);
  return value.replace(REFERENCE_PATTERN, (_match, name: string) => {
    const resolved = lookup(name);
    return resolved === undefined || resolved === null ? '' : String(resolved);
  });
}

/** Reads a dotted path such as `user.plan` from the merged data layer; undefined when a step is missing. */
export function readDataLayerPath(dataLayer: Record<string, unknown>, path: string): unknown {
  if (path in dataLayer) return dataLayer[path];
  let current: unknown = dataLayer;
  for (const step of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

/** Parts of a URL that the `Url` and `ReferrerUrl` variables return, as the URL API names them. */
const URL_PARTS = ['href', 'hash', 'host', 'hostname', 'origin', 'pathname', 'port', 'protocol', 'search'] as const;

/** Returns one part of an absolute URL; '' when the URL is empty or invalid, or the part unknown. */
export function readUrlPart(url: string, part: string): string {
  if (!(URL_PARTS as readonly string[]).includes(part)) return '';
  try {
    return new URL(url)[part as (typeof URL_PARTS)[number]];
  } catch {
    return '';
  }
}

/**
 * Returns whether a link is a download: it has a `download` attribute, or its path ends in
 * one of `extensions` (compared without case), such as `/files/report.PDF`.
 */
export function isDownloadLink(href: string, hasDownloadAttribute: boolean, extensions: readonly string[]): boolean {
  if (hasDownloadAttribute) return true;
  const path = readUrlPart(href, 'pathname').toLowerCase();
  const dot = path.lastIndexOf('.');
  return dot > path.lastIndexOf('/') && extensions.includes(path.slice(dot + 1));
}

/**
 * Returns how far a page was scrolled: pixels from the top or left edge, and the share of the
 * page from its start to the far edge of the viewport in percent, at most 100.
 */
export function measureScroll(offset: number, viewportSize: number, pageSize: number): { pixels: number; percentage: number } {
  const percentage = pageSize <= 0 ? 100 : Math.min(100, Math.round(((offset + viewportSize) / pageSize) * 100));
  return { pixels: Math.max(0, Math.round(offset)), percentage };
}

/** Name of the URL parameter and the cookie that request a container's preview, as Matomo names them. */
export const PREVIEW_PARAMETER = 'mtmPreviewMode';

/**
 * Decides whether the page requests the preview of `containerId`: the URL parameter
 * `mtmPreviewMode=<id>` turns it on, any other value of that parameter turns it off, and
 * without the parameter the cookie decides. Returns the cookie value to store: the id to keep
 * the preview over later pages, '' to delete the cookie, or undefined to leave it.
 */
export function decidePreview(containerId: string, parameterValue: string | null, cookieValue: string | undefined): { preview: boolean; cookie?: string } {
  if (parameterValue === containerId) return { preview: true, cookie: containerId };
  if (parameterValue !== null) return { preview: false, cookie: cookieValue === containerId ? '' : undefined };
  return { preview: cookieValue === containerId };
}

/** Returns the URL of a container's preview file next to its published file, or undefined for another script URL. */
export function buildPreviewScriptUrl(scriptUrl: string, containerId: string): string | undefined {
  const pattern = new RegExp(`/container_${containerId}(?:_[a-z0-9]+_[0-9a-f]{24})?\\.js(?=[?#]|$)`);
  if (!pattern.test(scriptUrl)) return undefined;
  return scriptUrl.replace(pattern, `/container_${containerId}_preview.js`).replace(/[?#].*$/, '');
}
