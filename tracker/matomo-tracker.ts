/** The tracking calls of a tracker: pageviews, events, goals, links, e-commerce, content and heartbeat. */
import { findContentBlocks, findEnclosingContentBlock, readContentFacts, type ContentFacts } from './content-blocks.js';
import { Tracker, type CustomData, type Params } from './tracker.js';
import { appendCrossDomainParameter } from './cross-domain.js';
import { classifyLink, getHostName, getPathName, isSiteUrl, type LinkType } from './url-matching.js';

type Callback = (() => void) | undefined;

function withValue(params: Params, name: string, value: unknown): Params {
  if (value !== undefined && value !== null && String(value) !== '') params.push([name, String(value)]);
  return params;
}

function trimmed(value: unknown): string {
  return value === undefined || value === null ? '' : String(value).trim();
}

/** A tracker with every tracking call of Matomo's JavaScript tracker that Footfall supports. */
export class MatomoTracker extends Tracker {
  private _linkTrackingEnabled = false;
  private _contentImpressionsSent = new Set<string>();
  private _contentClicksWatched = false;
  private _heartBeatTimer: ReturnType<typeof setTimeout> | undefined;
  private _pageViewAt = 0;

  /** Tracks a pageview: a new `pv_id`, the title in `action_name` and, on the first one, the page timings. */
  trackPageView(customTitle?: string, customData?: CustomData, callback?: Callback): void {
    this._startNewPageView();
    this._pageViewAt = Date.now();
    const params: Params = [['action_name', customTitle ?? (this._documentTitle || document.title)], ...this._ecommerceView];
    this._sendRequest(this._buildRequest(params, { pageView: true, customData }), callback);
    this._scheduleHeartBeat();
  }

  /** Tracks an event; category and action are required, as the server requires `e_c` and `e_a`. */
  trackEvent(category: string, action: string, name?: string, value?: number, customData?: CustomData, callback?: Callback): void {
    if (trimmed(category) === '' || trimmed(action) === '') return;
    const params: Params = [['e_c', trimmed(category)], ['e_a', trimmed(action)]];
    withValue(params, 'e_n', trimmed(name));
    withValue(params, 'e_v', value === undefined || value === null || Number.isNaN(Number(value)) ? undefined : Number(value));
    params.push(['ca', '1']);
    this._sendRequest(this._buildRequest(params, { customData, eventScope: true }), callback);
  }

  /** Tracks a site search; a results count of 0 reports the keyword as a search without results. */
  trackSiteSearch(keyword: string, category?: string | string[], resultsCount?: number, customData?: CustomData): void {
    const params: Params = [['search', String(keyword)]];
    withValue(params, 'search_cat', Array.isArray(category) ? category.join(', ') : category);
    withValue(params, 'search_count', resultsCount === undefined || resultsCount === null ? undefined : Number(resultsCount));
    this._sendRequest(this._buildRequest(params, { pageView: true, customData }));
  }

  /** Tracks a conversion of a goal, with an optional revenue. */
  trackGoal(goalId: number | string, revenue?: number, customData?: CustomData, callback?: Callback): void {
    const params: Params = [['idgoal', String(goalId)]];
    withValue(params, 'revenue', revenue);
    this._sendRequest(this._buildRequest(params, { customData }), callback);
  }

  /** Tracks a click on a link; `linkType` is 'link' for an outlink or 'download'. */
  trackLink(url: string, linkType: 'link' | 'download', customData?: CustomData, callback?: Callback): void {
    this._sendRequest(this._buildRequest([[linkType === 'download' ? 'download' : 'link', url]], { customData }), callback, true);
  }

  /** Sends a heartbeat now, which extends the visit without counting an action. */
  ping(): void {
    this._sendRequest(this._buildRequest([['ping', '1']]));
  }


  /** Tracks clicks on downloads and outlinks anywhere in the page, links added later included. */
  enableLinkTracking(): void {
    if (this._linkTrackingEnabled) return;
    this._linkTrackingEnabled = true;
    document.addEventListener('click', (event) => this._handleLinkClick(event), true);
    // A middle click opens the link in a new tab and fires auxclick instead of click.
    document.addEventListener('auxclick', (event) => this._handleLinkClick(event), true);
  }

  private _handleLinkClick(event: MouseEvent): void {
    const link = (event.target as Element | null)?.closest?.('a[href],area[href]') as HTMLAnchorElement | HTMLAreaElement | null;
    if (!link) return;
    if (this._crossDomainLinking) this._decorateCrossDomainLink(link);
    const type: LinkType = classifyLink({
      href: link.href, classNames: Array.from(link.classList), hasDownloadAttribute: link.hasAttribute('download'),
    }, this._domains, this._downloadExtensions);
    if (type) this.trackLink(link.href, type);
  }

  /** Passes the visitor id to the site's other domains in links clicked from now on. */
  enableCrossDomainLinking(): void {
    this._crossDomainLinking = true;
    this.enableLinkTracking();
  }
  disableCrossDomainLinking(): void { this._crossDomainLinking = false; }

  private _decorateCrossDomainLink(link: HTMLAnchorElement | HTMLAreaElement): void {
    const host = getHostName(link.href);
    if (host === location.hostname.toLowerCase() || !isSiteUrl(host, getPathName(link.href), this._domains)) return;
    link.href = appendCrossDomainParameter(link.href, this.getVisitorId(), Date.now());
  }


  /** Adds or replaces (by SKU) an item of the cart or order being tracked. */
  addEcommerceItem(sku: string, name?: string, category?: string | string[], price?: number, quantity?: number): void {
    if (trimmed(sku) === '') return;
    this._ecommerceItems[String(sku)] = [String(sku), name ?? '', category ?? '', Number(price) || 0, quantity === undefined ? 1 : Number(quantity) || 0];
  }
  removeEcommerceItem(sku: string): void { delete this._ecommerceItems[String(sku)]; }
  clearEcommerceCart(): void { this._ecommerceItems = {}; }
  getEcommerceItems(): unknown[] { return Object.values(this._ecommerceItems); }

  /** Marks the next pageview as a product or category view (`_pks`, `_pkn`, `_pkc`, `_pkp`). */
  setEcommerceView(sku?: string | false, name?: string | false, category?: string | string[], price?: number): void {
    const params: Params = [];
    if (sku) params.push(['_pks', String(sku)]);
    if (name) params.push(['_pkn', String(name)]);
    if (category !== undefined && category !== null) params.push(['_pkc', Array.isArray(category) ? JSON.stringify(category) : String(category)]);
    if (price !== undefined && price !== null && String(price) !== '') params.push(['_pkp', String(price)]);
    this._ecommerceView = params;
  }

  /** Tracks the cart's content and total; the server keeps it as the visit's cart until an order. */
  trackEcommerceCartUpdate(grandTotal: number): void {
    this._trackEcommerce([['idgoal', '0']], grandTotal);
  }

  /** Tracks an order with its items, then empties the cart. */
  trackEcommerceOrder(orderId: string, grandTotal: number, subTotal?: number, tax?: number, shipping?: number, discount?: number): void {
    if (trimmed(orderId) === '') return;
    const params: Params = [['idgoal', '0'], ['ec_id', String(orderId)]];
    this._trackEcommerce(params, grandTotal, [['ec_st', subTotal], ['ec_tx', tax], ['ec_sh', shipping], ['ec_dt', discount]]);
    this._ecommerceItems = {};
  }

  private _trackEcommerce(params: Params, grandTotal: number, amounts: [string, number | undefined][] = []): void {
    withValue(params, 'revenue', grandTotal);
    for (const [name, value] of amounts) withValue(params, name, value);
    const items = Object.values(this._ecommerceItems);
    if (items.length > 0) params.push(['ec_items', JSON.stringify(items)]);
    this._sendRequest(this._buildRequest(params));
  }


  /** Tracks an impression of every content block in the page once the DOM is ready. */
  trackAllContentImpressions(): void {
    whenDomReady(() => this.trackContentImpressionsWithinNode(document));
  }

  /** Tracks an impression of each content block inside `node` (each once per page), sent together. */
  trackContentImpressionsWithinNode(node: Element | Document): void {
    if (!node) return;
    this._watchContentClicks();
    for (const block of findContentBlocks(node)) {
      const facts = readContentFacts(block);
      const key = JSON.stringify(facts);
      if (this._contentImpressionsSent.has(key)) continue;
      this._contentImpressionsSent.add(key);
      this._sendContent(facts);
    }
  }

  /** Tracks an interaction (such as 'click') with a content block. */
  trackContentInteraction(interaction: string, name: string, piece?: string, target?: string): void {
    if (trimmed(interaction) === '' || trimmed(name) === '') return;
    this._sendContent({ name, piece: piece ?? 'Unknown', target: target ?? '' }, interaction);
  }

  /** Tracks an interaction with the content block that contains `node`. */
  trackContentInteractionNode(node: Element, interaction = 'Unknown'): void {
    const block = node ? findEnclosingContentBlock(node) : null;
    if (block) this._sendContent(readContentFacts(block), interaction);
  }

  private _sendContent(facts: ContentFacts, interaction?: string): void {
    const params: Params = [];
    if (interaction) params.push(['c_i', interaction]);
    params.push(['c_n', facts.name], ['c_p', facts.piece], ['c_t', facts.target], ['ca', '1']);
    this._sendRequest(this._buildRequest(params), undefined, interaction !== undefined);
  }

  private _watchContentClicks(): void {
    if (this._contentClicksWatched) return;
    this._contentClicksWatched = true;
    document.addEventListener('click', (event) => {
      const block = (event.target as Element | null)?.closest?.('[data-track-content],.matomoTrackContent,.piwikTrackContent');
      if (block && !block.hasAttribute('data-content-ignoreinteraction')) this._sendContent(readContentFacts(block), 'click');
    }, true);
  }


  /**
   * Sends `ping=1` every `seconds` after a pageview while the page is visible, and when the
   * page is hidden if no request went out for `seconds`. The delay is at least 1 second.
   */
  override enableHeartBeatTimer(seconds?: number): void {
    super.enableHeartBeatTimer(seconds === undefined ? undefined : Math.max(1, Number(seconds)));
    if (this._pageViewAt > 0) this._scheduleHeartBeat();
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden' && this._heartBeatDue()) this.ping();
    });
  }

  private _scheduleHeartBeat(): void {
    if (this._heartBeatSeconds <= 0) return;
    if (this._heartBeatTimer !== undefined) clearTimeout(this._heartBeatTimer);
    this._heartBeatTimer = setTimeout(() => {
      // Pings stop once the session would have timed out anyway, so an idle open tab stops sending.
      if (Date.now() - this._pageViewAt > this._sessionCookieSeconds * 1000) return;
      if (document.visibilityState !== 'hidden') this.ping();
      this._scheduleHeartBeat();
    }, this._heartBeatSeconds * 1000);
  }

  private _heartBeatDue(): boolean {
    return this._heartBeatSeconds > 0 && this._millisecondsSinceLastRequest() >= this._heartBeatSeconds * 1000;
  }
}

/** Runs `callback` once the DOM is parsed, right away when it already is. */
export function whenDomReady(callback: () => void): void {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', callback);
  else callback();
}
