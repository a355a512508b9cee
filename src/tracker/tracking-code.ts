/** The HTML that a site pastes into its pages: the JavaScript tracking code and the image tracker. */

/** A custom variable set by the tracking code: name and value. */
export type CustomVariablePair = [string, string];

/** Options of the JavaScript tracking code, named after the parameters of `SitesManager.getJavascriptTag`. */
export interface JavascriptTagOptions {
  siteId: number;
  /** Base URL of this server without scheme, ending in '/', such as `//stats.example.com/`. */
  baseUrl: string;
  /** Host names and paths of the site's URLs, main URL first, such as `shop.example.com/de`. */
  siteUrls: string[];
  mergeSubdomains?: boolean;
  groupPageTitlesByDomain?: boolean;
  mergeAliasUrls?: boolean;
  visitorCustomVariables?: CustomVariablePair[];
  pageCustomVariables?: CustomVariablePair[];
  customCampaignNameQueryParam?: string;
  customCampaignKeywordParam?: string;
  doNotTrack?: boolean;
  disableCookies?: boolean;
  trackNoScript?: boolean;
  crossDomain?: boolean;
  excludedQueryParams?: string[];
}

/** Options of the image tracking code, named after the parameters of `SitesManager.getImageTrackingCode`. */
export interface ImageTrackingCodeOptions {
  siteId: number;
  /** Base URL of this server with scheme, ending in '/'. */
  baseUrl: string;
  actionName?: string;
  goalId?: number;
  revenue?: string;
}

/** Returns a value as a JavaScript string literal that cannot end the enclosing script element. */
function scriptLiteral(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Escapes the five HTML special characters, as PHP's htmlspecialchars with ENT_QUOTES does. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#039;');
}

function stripWww(host: string): string {
  return host.startsWith('www.') ? host.slice(4) : host;
}

function pushLine(command: string, ...args: unknown[]): string {
  return `  _paq.push([${[scriptLiteral(command), ...args.map(scriptLiteral)].join(', ')}]);`;
}

/** Returns the `_paq` commands the options ask for, each on its own line, before trackPageView. */
function buildOptionLines(options: JavascriptTagOptions): string[] {
  const lines: string[] = [];
  const mainUrl = options.siteUrls[0];
  if (options.groupPageTitlesByDomain) lines.push('  _paq.push(["setDocumentTitle", document.domain + "/" + document.title]);');
  if (options.mergeSubdomains && mainUrl) lines.push(pushLine('setCookieDomain', `*.${stripWww(mainUrl.split('/')[0]!)}`));
  if (options.mergeAliasUrls && options.siteUrls.length > 0) lines.push(pushLine('setDomains', options.siteUrls.map((url) => `*.${stripWww(url)}`)));
  if (options.crossDomain) lines.push(pushLine('enableCrossDomainLinking'));
  (options.visitorCustomVariables ?? []).forEach(([name, value], index) => lines.push(pushLine('setCustomVariable', index + 1, name, value, 'visit')));
  (options.pageCustomVariables ?? []).forEach(([name, value], index) => lines.push(pushLine('setCustomVariable', index + 1, name, value, 'page')));
  if (options.customCampaignNameQueryParam) lines.push(pushLine('setCampaignNameKey', options.customCampaignNameQueryParam));
  if (options.customCampaignKeywordParam) lines.push(pushLine('setCampaignKeywordKey', options.customCampaignKeywordParam));
  if (options.excludedQueryParams && options.excludedQueryParams.length > 0) lines.push(pushLine('setExcludedQueryParams', options.excludedQueryParams));
  if (options.doNotTrack) lines.push(pushLine('setDoNotTrack', true));
  if (options.disableCookies) lines.push(pushLine('disableCookies'));
  return lines;
}

/**
 * Builds the JavaScript tracking code: it queues the options and a pageview in `_paq`,
 * then loads `matomo.js` asynchronously from this server.
 *
 * @example
 * buildJavascriptTag({ siteId: 1, baseUrl: '//stats.example.com/', siteUrls: ['example.com'] });
 */
export function buildJavascriptTag(options: JavascriptTagOptions): string {
  const lines = [
    '<!-- Footfall tracking code -->',
    '<script>',
    '  var _paq = window._paq = window._paq || [];',
    ...buildOptionLines(options),
    pushLine('trackPageView'),
    pushLine('enableLinkTracking'),
    '  (function () {',
    `    var base = ${scriptLiteral(options.baseUrl)};`,
    '    _paq.push(["setTrackerUrl", base + "matomo.php"]);',
    `    _paq.push(["setSiteId", ${scriptLiteral(String(options.siteId))}]);`,
    '    var script = document.createElement("script");',
    '    script.async = true;',
    '    script.src = base + "matomo.js";',
    '    document.head.appendChild(script);',
    '  })();',
    '</script>',
  ];
  if (options.trackNoScript) {
    const source = `${options.baseUrl}matomo.php?idsite=${options.siteId}&rec=1`;
    lines.push(`<noscript><p><img referrerpolicy="no-referrer-when-downgrade" src="${escapeHtml(source)}" style="border:0;" alt="" /></p></noscript>`);
  }
  lines.push('<!-- End Footfall tracking code -->');
  return `${lines.join('\n')}\n`;
}

/** Builds the image tracker: an `<img>` whose request records a pageview (and a goal conversion when `goalId` is set). */
export function buildImageTrackingCode(options: ImageTrackingCodeOptions): string {
  const query = new URLSearchParams({ idsite: String(options.siteId), rec: '1' });
  if (options.actionName) query.set('action_name', options.actionName);
  if (options.goalId !== undefined) query.set('idgoal', String(options.goalId));
  if (options.goalId !== undefined && options.revenue) query.set('revenue', options.revenue);
  const source = `${options.baseUrl}matomo.php?${query.toString().replace(/\+/g, '%20')}`;
  return [
    '<!-- Footfall image tracker -->',
    `<img referrerpolicy="no-referrer-when-downgrade" src="${escapeHtml(source)}" style="border:0" alt="" />`,
    '<!-- End Footfall image tracker -->',
  ].join('\n');
}
