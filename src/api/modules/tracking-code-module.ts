/** `SitesManager.getJavascriptTag` and `SitesManager.getImageTrackingCode`: the code a site pastes into its pages. */
import { loadSite } from '../../sites/site-store.js';
import { FootfallError, quote } from '../../errors.js';
import {
  buildImageTrackingCode, buildJavascriptTag, escapeHtml, type CustomVariablePair,
} from '../../tracker/tracking-code.js';
import type { ApiCall, ApiMethodRegistry } from '../api-method-registry.js';
import type { ApiParams } from '../api-params.js';

/** Most custom variables a tracking code may set per scope; Matomo's tracker has 5 slots by default. */
const MAX_CUSTOM_VARIABLES = 5;

/**
 * Returns `piwikUrl` as scheme and the rest (`//host/path/`), or this request's host when it
 * is missing.
 *
 * @throws FootfallError PARAMETER_INVALID for a value that is not a host name with an optional path.
 */
export function parseServerUrl(raw: string | undefined, origin: ApiCall['origin']): { scheme: string; rest: string } {
  const fallbackScheme = origin.secure ? 'https:' : 'http:';
  if (raw === undefined || raw.trim() === '') return { scheme: fallbackScheme, rest: `//${origin.host}/` };
  const match = /^(?:(https?:)?\/\/)?([a-z0-9.-]+(?::[0-9]{1,5})?|\[[0-9a-f:.]+\](?::[0-9]{1,5})?)(\/[^\s"'<>\\]*)?$/i.exec(raw.trim());
  if (!match) throw new FootfallError('PARAMETER_INVALID', `Invalid piwikUrl ${quote(raw)}. Expected the URL of this server, such as https://stats.example.com/.`);
  const path = (match[3] ?? '/').replace(/[?#].*$/, '').replace(/\/?$/, '/');
  return { scheme: match[1]?.toLowerCase() ?? fallbackScheme, rest: `//${match[2]!.toLowerCase()}${path}` };
}

/**
 * Reads custom variables sent as `name[0][]=n&name[0][]=v`, `name[0][0]=n&name[0][1]=v` or
 * a JSON array of pairs.
 *
 * @throws FootfallError PARAMETER_INVALID for malformed JSON or more than 5 pairs.
 */
export function parseCustomVariablePairs(params: ApiParams, name: string): CustomVariablePair[] {
  const plain = params.optionalString(name);
  const pairs = plain !== undefined && plain.trim() !== '' ? parseJsonPairs(name, plain) : readIndexedPairs(params, name);
  if (pairs.length > MAX_CUSTOM_VARIABLES) {
    throw new FootfallError('PARAMETER_INVALID', `Invalid '${name}': ${pairs.length} custom variables given. Use at most ${MAX_CUSTOM_VARIABLES}.`);
  }
  return pairs;
}

function parseJsonPairs(name: string, text: string): CustomVariablePair[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const valid = Array.isArray(parsed) && parsed.every((pair) => Array.isArray(pair) && pair.length === 2 && pair.every((part) => typeof part === 'string'));
  if (!valid) throw new FootfallError('PARAMETER_INVALID', `Invalid '${name}' ${quote(text)}. Expected pairs of name and value, such as [["Type","Member"]].`);
  return parsed as CustomVariablePair[];
}

function readIndexedPairs(params: ApiParams, name: string): CustomVariablePair[] {
  const pattern = new RegExp(`^${name}\\[(\\d+)\\]\\[(\\d*)\\]$`);
  const slots = new Map<number, string[]>();
  for (const [key, value] of params.entries()) {
    const match = pattern.exec(key);
    if (!match) continue;
    const parts = slots.get(Number(match[1])) ?? [];
    const values = Array.isArray(value) ? value : [value ?? ''];
    if (match[2] === '') parts.push(...values);
    else parts[Number(match[2])] = values[values.length - 1]!;
    slots.set(Number(match[1]), parts);
  }
  return [...slots.entries()].sort(([a], [b]) => a - b).map(([, parts]) => [parts[0] ?? '', parts[1] ?? '']);
}

function siteUrlWithoutScheme(url: string): string {
  return url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/+$/, '');
}

async function getJavascriptTag(call: ApiCall): Promise<string> {
  const { params } = call;
  const siteId = params.requiredInt('idSite');
  call.access.ensure('view', [siteId]);
  const site = await loadSite(call.tenant.db(), siteId);
  const server = parseServerUrl(params.optionalString('piwikUrl'), call.origin);
  const tag = buildJavascriptTag({
    siteId, baseUrl: server.rest, siteUrls: site.urls.map(siteUrlWithoutScheme),
    mergeSubdomains: params.bool('mergeSubdomains', false),
    groupPageTitlesByDomain: params.bool('groupPageTitlesByDomain', false),
    mergeAliasUrls: params.bool('mergeAliasUrls', false),
    visitorCustomVariables: parseCustomVariablePairs(params, 'visitorCustomVariables'),
    pageCustomVariables: parseCustomVariablePairs(params, 'pageCustomVariables'),
    customCampaignNameQueryParam: params.optionalString('customCampaignNameQueryParam')?.trim(),
    customCampaignKeywordParam: params.optionalString('customCampaignKeywordParam')?.trim(),
    doNotTrack: params.bool('doNotTrack', false),
    disableCookies: params.bool('disableCookies', false),
    trackNoScript: params.bool('trackNoScript', false),
    crossDomain: params.bool('crossDomain', false),
    excludedQueryParams: params.optionalList('excludedQueryParams')?.filter((name) => name !== ''),
  });
  // Matomo returns the code HTML-escaped, so API clients show it as text and unescape it to paste it.
  return escapeHtml(tag);
}

async function getImageTrackingCode(call: ApiCall): Promise<string> {
  const { params } = call;
  const siteId = params.requiredInt('idSite');
  call.access.ensure('view', [siteId]);
  await loadSite(call.tenant.db(), siteId);
  const server = parseServerUrl(params.optionalString('piwikUrl'), call.origin);
  const goal = params.optionalString('idGoal');
  const revenue = params.optionalString('revenue')?.trim();
  if (revenue && !/^[0-9]+(\.[0-9]+)?$/.test(revenue)) {
    throw new FootfallError('PARAMETER_INVALID', `Invalid revenue ${quote(revenue)}. Expected a number such as 12.50.`);
  }
  const code = buildImageTrackingCode({
    siteId, baseUrl: `${server.scheme}${server.rest}`, actionName: params.optionalString('actionName'),
    goalId: goal === undefined || goal === '' ? undefined : params.requiredInt('idGoal'), revenue,
  });
  return escapeHtml(code);
}

/** Registers the tracking code methods of `SitesManager`; both need view access on the site. */
export function registerTrackingCodeModule(registry: ApiMethodRegistry): void {
  registry.register({
    name: 'SitesManager.getJavascriptTag',
    description: 'Returns the JavaScript tracking code of a site, HTML-escaped.',
    parameters: [
      { name: 'idSite', description: 'Site id.', required: true },
      { name: 'piwikUrl', description: 'URL of this server; the request host by default.' },
      { name: 'mergeSubdomains', description: '1 tracks visitors across all subdomains of the main URL.' },
      { name: 'groupPageTitlesByDomain', description: '1 prefixes page titles with the domain.' },
      { name: 'mergeAliasUrls', description: '1 treats clicks to alias URLs as internal, not outlinks.' },
      { name: 'visitorCustomVariables', description: 'Visit custom variables as pairs of name and value.' },
      { name: 'pageCustomVariables', description: 'Page custom variables as pairs of name and value.' },
      { name: 'customCampaignNameQueryParam', description: 'URL parameter that carries the campaign name.' },
      { name: 'customCampaignKeywordParam', description: 'URL parameter that carries the campaign keyword.' },
      { name: 'doNotTrack', description: '1 sends nothing from browsers that ask for Do Not Track.' },
      { name: 'disableCookies', description: '1 sets no tracking cookies.' },
      { name: 'trackNoScript', description: '1 adds an image tracker for browsers without JavaScript.' },
      { name: 'crossDomain', description: '1 enables cross-domain linking between the alias URLs.' },
      { name: 'excludedQueryParams', description: 'URL parameters removed from tracked page URLs.' },
    ],
    differences: 'The code has Footfall comments and its own loader lines; the _paq commands are those Matomo emits.',
    handler: getJavascriptTag,
  });
  registry.register({
    name: 'SitesManager.getImageTrackingCode',
    description: 'Returns an image tracker of a site, HTML-escaped.',
    parameters: [
      { name: 'idSite', description: 'Site id.', required: true },
      { name: 'piwikUrl', description: 'URL of this server; the request host by default.' },
      { name: 'actionName', description: 'Page title recorded for each view of the image.' },
      { name: 'idGoal', description: 'Goal converted by each view of the image.' },
      { name: 'revenue', description: 'Revenue of that goal conversion.' },
    ],
    differences: 'The code has Footfall comments.',
    handler: getImageTrackingCode,
  });
}
