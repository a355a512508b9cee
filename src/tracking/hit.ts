/** The typed hit that flows through the tracking pipeline, and the reasons a hit is dropped. */
import type { SiteRecord } from '../sites/site-store.js';
import type { TrackingParams } from './tracking-params.js';

/** The reason a hit was not recorded, counted per site and day in `tracking_drop`. */
export type DropReason =
  | 'no_rec'
  | 'excluded_ip'
  | 'excluded_user_agent'
  | 'excluded_referrer'
  | 'unknown_url'
  | 'bot'
  | 'do_not_track'
  | 'heartbeat_without_visit'
  | 'excluded_request';

/** Every drop reason, for reports on `tracking_drop`. */
export const DROP_REASONS: readonly DropReason[] = [
  'no_rec', 'excluded_ip', 'excluded_user_agent', 'excluded_referrer', 'unknown_url', 'bot', 'do_not_track', 'heartbeat_without_visit',
  'excluded_request',
];

/** A hit that a step rejected. */
export interface DroppedHit {
  dropped: DropReason;
  siteId: number;
  time: Date;
  timezone: string;
}

/** Device, operating system and browser as Matomo stores them (codes of DeviceDetector). */
export interface DeviceInfo {
  /** `config_device_type`: 0 desktop, 1 smartphone, 2 tablet... as Matomo numbers them; null when unknown. */
  deviceType: number | null;
  deviceBrand: string | null;
  deviceModel: string | null;
  /** 3-letter OS code such as WIN, or UNK. */
  os: string;
  osVersion: string | null;
  /** 2-letter browser code such as FF, or UNK. */
  browserName: string;
  browserVersion: string | null;
  browserEngine: string | null;
  /** 1 browser, 2 mobile app, 3 library, 4 feed reader, 5 media player, 6 PIM; null when unknown. */
  clientType: number | null;
  isBot: boolean;
}

/** The origin of a visit, as the `referer_*` and `campaign_*` columns store it. */
export interface ReferrerInfo {
  /** 1 direct, 2 search engine, 3 website, 6 campaign, 7 social network. */
  type: number;
  name: string | null;
  keyword: string | null;
  url: string | null;
  campaign: CampaignInfo | null;
}

/** The campaign columns of a visit. */
export interface CampaignInfo {
  name: string;
  keyword: string | null;
  source: string | null;
  medium: string | null;
  content: string | null;
  id: string | null;
}

/** The visitor's location, from the geolocation database or authenticated overrides. */
export interface LocationInfo {
  country: string | null;
  region: string | null;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
}

/** The kinds of action a hit can record. */
export type ActionKind = 'pageview' | 'download' | 'outlink' | 'site_search' | 'event' | 'content' | 'heartbeat' | 'none';

/** The strings of an action to look up in the `log_action` dictionary, by column. */
export interface ActionStrings {
  url: ActionString | null;
  name: ActionString | null;
  eventCategory: ActionString | null;
  eventAction: ActionString | null;
  contentName: ActionString | null;
  contentPiece: ActionString | null;
  contentTarget: ActionString | null;
  contentInteraction: ActionString | null;
  /** Product view of an e-commerce page (`_pks`, `_pkn`, first of `_pkc`). */
  productSku: ActionString | null;
  productName: ActionString | null;
  productCategory: ActionString | null;
}

/** One string of the action dictionary with its Matomo action type (1 page URL, 4 title...). */
export interface ActionString {
  value: string;
  type: number;
  /** The string as `log_action` stores it, which the action dictionary computes once and keeps here. */
  stored?: StoredActionString;
}

/** A dictionary string as `log_action` stores it: its cache key, its URL prefix id and the name after that prefix. */
export interface StoredActionString {
  key: string;
  prefix: number | null;
  rest: string;
}

/** The action part of a hit. */
export interface ActionInfo {
  kind: ActionKind;
  /** The page URL after excluded parameters and the fragment were removed. */
  pageUrl: string | null;
  strings: ActionStrings;
  pageviewId: string | null;
  eventValue: number | null;
  searchCategory: string | null;
  searchCount: number | null;
  /** `_pkp`, the price of the product viewed. */
  productPrice: number | null;
  timings: PageTimings;
  customVariables: CustomVariable[];
  customDimensions: Map<number, string>;
}

/** Page load timings in milliseconds (`pf_*`). */
export interface PageTimings {
  network: number | null;
  server: number | null;
  transfer: number | null;
  domProcessing: number | null;
  domCompletion: number | null;
  onLoad: number | null;
}

/** A custom variable in slot 1 to 5. */
export interface CustomVariable {
  index: number;
  name: string;
  value: string;
}

/** A goal conversion or e-commerce request carried by a hit. */
export interface ConversionRequest {
  /** Goal id, 0 for an e-commerce order, -1 for a cart update. */
  idgoal: number;
  /**
   * `revenue`, or null when it is missing or malformed. An order or cart then stores 0, as
   * Matomo 5 does (`Ecommerce\Columns\Revenue::onEcommerceOrderConversion`), not its items' total.
   */
  revenue: number | null;
  orderId: string | null;
  subtotal: number | null;
  tax: number | null;
  shipping: number | null;
  discount: number | null;
  items: EcommerceItem[];
}

/** One item of an order or cart (`ec_items`). */
export interface EcommerceItem {
  sku: string;
  name: string;
  categories: string[];
  price: number;
  quantity: number;
}

/** A hit after parsing: typed, validated and authenticated, with enrichment filled in by later steps. */
export interface Hit {
  siteId: number;
  site: SiteRecord;
  params: TrackingParams;
  time: Date;
  /** The client IP before anonymisation; used only for geolocation and the fingerprint, never stored. */
  ip: string;
  userAgent: string;
  acceptLanguage: string;
  authenticated: boolean;
  /** Set by the enrich steps. */
  device?: DeviceInfo;
  location?: LocationInfo;
  referrer?: ReferrerInfo;
  action?: ActionInfo;
  conversion?: ConversionRequest | null;
  browserLanguage?: string;
  /** The IP as stored: masked by `ip_address_mask_length`. */
  maskedIp?: string;
  /** The visitor id sent or derived from `uid`/`cid`/`_id`, as 16 hex characters; null when none was sent. */
  requestedVisitorId?: string | null;
  configId?: string;
  /**
   * `url` and `urlref`, cleaned and parsed once per hit by `readTrackedPageUrl` and
   * `readTrackedReferrerUrl`, or null when absent or not a URL. Steps read them and never change them.
   */
  trackedPageUrl?: TrackedUrl | null;
  trackedReferrerUrl?: TrackedUrl | null;
  /** `revenue` and `e_v`, read once per hit by `readHitAmounts`. */
  amounts?: HitAmounts;
}

/** The amounts that any hit may carry, because a goal it converts can take them as its revenue. */
export interface HitAmounts {
  /** `revenue` rounded to cents as Matomo 5 stores it, or null when it is missing or malformed. */
  revenue: number | null;
  /** `e_v` as sent, not rounded, or null when it is missing or malformed. */
  eventValue: number | null;
}

/** A `url`, `link`, `download` or `urlref` parameter after Matomo's cleanup, with its parse. */
export interface TrackedUrl {
  /** The parameter trimmed as PHP trims, without LF, CR and NUL. */
  text: string;
  /** `text` parsed, or null when the URL parser rejects it, such as `//example.org` without a scheme. */
  url: URL | null;
}

/** Fields of a hit that its first reader fills in, so they may still be missing on an enriched hit. */
type ReadOnDemandHitFields = 'trackedPageUrl' | 'trackedReferrerUrl' | 'amounts';

/** A hit ready for visit identification and writing: every enrich step has run. */
export type EnrichedHit = Required<Omit<Hit, 'conversion' | ReadOnDemandHitFields>> & Pick<Hit, ReadOnDemandHitFields> & { conversion: ConversionRequest | null };

/** The outcome of a step: the hit to go on with, or a drop. */
export type StepResult<T> = T | DroppedHit;

/** Returns whether a step result is a drop. */
export function isDropped(result: unknown): result is DroppedHit {
  return typeof result === 'object' && result !== null && 'dropped' in result;
}
