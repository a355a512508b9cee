/**
 * Custom dimension extractions: values taken from the action's URL, one of its URL
 * parameters, or its name, for action-scope dimensions the hit does not set itself.
 */
import { decodePhpUrlComponent } from '../php-url-decode.js';
import { compileTenantRegExp, execTenantRegExp, type TenantRegExp } from '../tenant-regexp.js';
import type { ActionInfo, TrackedUrl } from './hit.js';
import { MAX_CUSTOM_DIMENSION_LENGTH } from './parse-action.js';
import { readTrackedUrl } from './page-url.js';
import type { TrackedCustomDimension } from './site-cache.js';
import type { TrackingParams } from './tracking-params.js';

/** One extraction rule, ready to run: a regular expression with one group, or a URL parameter name. */
export type CompiledExtraction =
  | { source: 'url' | 'action_name'; pattern: TenantRegExp }
  | { source: 'urlparam'; parameter: string; caseSensitive: boolean };

/**
 * Compiles a regular expression of an extraction, in RE2 syntax, ignoring case unless
 * `caseSensitive`. It runs on every hit in the process shared by all tenants, so it uses the
 * linear-time engine of every tenant pattern.
 *
 * @throws InvalidTenantRegExpError when RE2 cannot compile the pattern.
 */
export function compileExtractionPattern(pattern: string, caseSensitive: boolean): TenantRegExp {
  return compileTenantRegExp(pattern, caseSensitive ? '' : 'i');
}

/**
 * Compiles the stored extractions of a dimension (the JSON array of the `extractions`
 * column). A rule with an empty pattern is never applied, as in Matomo. Rules with an unknown
 * source, or a pattern that RE2 cannot compile, are skipped, because the
 * API rejects them and tracking must not fail on a row written before that check.
 */
export function compileExtractions(stored: string, caseSensitive: boolean): CompiledExtraction[] {
  let rules: unknown;
  try {
    rules = JSON.parse(stored);
  } catch {
    return [];
  }
  if (!Array.isArray(rules)) return [];

  const compiled: CompiledExtraction[] = [];
  for (const rule of rules as { dimension?: unknown; pattern?: unknown }[]) {
    const pattern = typeof rule?.pattern === 'string' ? rule.pattern : '';
    if (pattern === '') continue;
    if (rule.dimension === 'urlparam') {
      compiled.push({ source: 'urlparam', parameter: pattern, caseSensitive });
      continue;
    }
    if (rule.dimension !== 'url' && rule.dimension !== 'action_name') continue;
    try {
      compiled.push({ source: rule.dimension, pattern: compileExtractionPattern(pattern, caseSensitive) });
    } catch {
      // Skipped as documented above.
    }
  }
  return compiled;
}

/**
 * Returns the action's URL as sent but trimmed: `link` for an outlink, `download` for a download,
 * `url` (already cleaned in `page`) otherwise. A value that the action ignores, such as a
 * `javascript:` URL, gives undefined.
 */
function rawActionUrl(action: ActionInfo, params: TrackingParams, page: TrackedUrl | null): string | undefined {
  if (action.kind === 'outlink') return readTrackedUrl(params.raw('link'));
  if (action.kind === 'download') return readTrackedUrl(params.raw('download'));
  return page?.text;
}

/** Returns the value of a query parameter of a URL, matching its name with or without case, or null. */
function readUrlParameter(url: string | undefined, parameter: string, caseSensitive: boolean): string | null {
  if (url === undefined) return null;
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return null;
  const fragmentStart = url.indexOf('#', queryStart);
  const query = new URLSearchParams(url.slice(queryStart + 1, fragmentStart === -1 ? undefined : fragmentStart));
  const expected = caseSensitive ? parameter : parameter.toLowerCase();
  for (const [name, value] of query) {
    if ((caseSensitive ? name : name.toLowerCase()) === expected && value !== '') return value;
  }
  return null;
}

/** Runs one extraction and returns its value, or null when it does not match or matches ''. */
function runExtraction(extraction: CompiledExtraction, action: ActionInfo, params: TrackingParams, page: TrackedUrl | null): string | null {
  if (extraction.source === 'urlparam') return readUrlParameter(rawActionUrl(action, params, page), extraction.parameter, extraction.caseSensitive);
  const text = extraction.source === 'url' ? rawActionUrl(action, params, page) : action.strings.name?.value;
  if (text === undefined) return null;
  const group = execTenantRegExp(extraction.pattern, text)?.[1];
  return group === undefined || group === null || group === '' ? null : decodePhpUrlComponent(group);
}

/**
 * Sets the values of the action-scope dimensions whose `dimension<id>` the hit does not send,
 * not even empty. Each gets the first non-empty value of its extractions in order. A regular
 * expression gives its first group, URL-decoded, and a `urlparam` rule the parameter's value.
 * A regular expression runs on the first MAX_TENANT_REGEXP_INPUT_LENGTH characters of its text.
 * Values are trimmed and cut to the length of a sent value.
 * Visit-scope dimensions have no extractions, because the API rejects them there as Matomo does.
 * `page` is the hit's `url` parameter as `parseTrackedUrl` returns it.
 */
export function addExtractedDimensionValues(action: ActionInfo, params: TrackingParams, dimensions: readonly TrackedCustomDimension[], page: TrackedUrl | null): void {
  for (const dimension of dimensions) {
    if (dimension.scope !== 'action' || dimension.extractions.length === 0 || dimension.index < 1 || dimension.index > 5) continue;
    if (params.raw(`dimension${dimension.id}`) !== undefined) continue;
    for (const extraction of dimension.extractions) {
      const value = runExtraction(extraction, action, params, page)?.trim();
      if (!value) continue;
      action.customDimensions.set(dimension.index, value.slice(0, MAX_CUSTOM_DIMENSION_LENGTH));
      break;
    }
  }
}
