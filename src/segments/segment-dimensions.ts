/** The segment names Footfall supports, each with the log column or action it filters on. */

/** The comparison type of a segment's values: numbers or text. */
export type SegmentValueType = 'number' | 'text';

/** A segment over a column of `log_visit`. */
export interface VisitSegmentDimension {
  kind: 'visit';
  column: string;
  type: SegmentValueType;
  /** Accepted words with the stored value of each (`referrerType==search` is 2). */
  values?: Readonly<Record<string, number>>;
  /** Multiplier from the segment's unit to the column's, such as 86400 from days to seconds. */
  unitSeconds?: number;
  /** Compare the column and the value in lower case, so the match ignores case. */
  lowerCase?: boolean;
  /** Compare the hour of a UTC 'YYYY-MM-DD HH:MM:SS' column, taken as its two-digit text. */
  hourOf?: boolean;
}

/** A segment over the actions of a visit: a visit matches when one of its actions matches. */
export interface ActionSegmentDimension {
  kind: 'action';
  /** Column of `log_link_visit_action` that points at `log_action`. */
  actionColumn: string;
  /** `log_action.type` of the strings: 1 page URL, 2 outlink, 3 download, 4 title, 8 site search, 10-12 event category, action, name. */
  actionType: number;
  /** URLs are stored without their scheme and www prefix, which `url_prefix` encodes. */
  isUrl: boolean;
}

/** A segment over the entry or exit action of a visit, a column of `log_visit` pointing at `log_action`. */
export interface VisitActionSegmentDimension {
  kind: 'visitAction';
  visitColumn: string;
  actionType: number;
  isUrl: boolean;
}

/** The continent of the visit's country, matched through the list of its countries. */
export interface ContinentSegmentDimension {
  kind: 'continent';
}

/** Any segment dimension. */
export type SegmentDimension = VisitSegmentDimension | ActionSegmentDimension | VisitActionSegmentDimension | ContinentSegmentDimension;

/** Device types as DeviceDetector numbers them, by the lower-case name segments use. */
export const DEVICE_TYPES: Readonly<Record<string, number>> = {
  desktop: 0, smartphone: 1, tablet: 2, 'feature phone': 3, console: 4, tv: 5, 'car browser': 6, 'smart display': 7,
  camera: 8, 'portable media player': 9, phablet: 10, 'smart speaker': 11, wearable: 12, peripheral: 13,
};

/** Referrer types by the word segments use, as stored in `log_visit.referer_type`. */
export const REFERRER_TYPES: Readonly<Record<string, number>> = { direct: 1, search: 2, website: 3, campaign: 6, social: 7 };

const visit = (column: string, type: SegmentValueType, extra: Partial<VisitSegmentDimension> = {}): VisitSegmentDimension => ({ kind: 'visit', column, type, ...extra });

/**
 * Segment names of custom dimensions: `dimension<id>` names the site's dimension of that id
 * (not a log column slot), so these are compiled against the site's configuration.
 */
export const CUSTOM_DIMENSION_SEGMENT = /^dimension([1-9][0-9]{0,8})$/;

/** A configured custom dimension as segments read it: its id, scope and log column slot. */
export interface SegmentCustomDimension {
  idcustomdimension: number;
  scope: 'visit' | 'action';
  /** The slot N of `custom_dimension_N` in `log_visit` (visit scope) or `log_link_visit_action` (action scope). */
  index: number;
  active: boolean;
}

/** Every segment name by its Matomo spelling, except the custom dimensions' `dimension<id>`. */
export const SEGMENT_DIMENSIONS: Readonly<Record<string, SegmentDimension>> = {
  visitorType: visit('visitor_returning', 'number', { values: { new: 0, returning: 1, returningCustomer: 2 } }),
  visitCount: visit('visitor_count_visits', 'number'),
  visitDuration: visit('visit_total_time', 'number'),
  actions: visit('visit_total_actions', 'number'),
  userId: visit('user_id', 'text'),
  visitorId: visit('idvisitor', 'text', { lowerCase: true }),
  visitConverted: visit('visit_goal_converted', 'number'),
  visitServerHour: visit('visit_last_action_time', 'number', { hourOf: true }),
  daysSinceLastVisit: visit('visitor_seconds_since_last', 'number', { unitSeconds: 86400 }),
  referrerType: visit('referer_type', 'number', { values: REFERRER_TYPES }),
  referrerName: visit('referer_name', 'text'),
  referrerKeyword: visit('referer_keyword', 'text'),
  referrerUrl: visit('referer_url', 'text'),
  browserCode: visit('config_browser_name', 'text'),
  operatingSystemCode: visit('config_os', 'text'),
  deviceType: visit('config_device_type', 'number', { values: DEVICE_TYPES }),
  countryCode: visit('location_country', 'text', { lowerCase: true }),
  continentCode: { kind: 'continent' },
  regionCode: visit('location_region', 'text'),
  languageCode: visit('location_browser_lang', 'text', { lowerCase: true }),
  city: visit('location_city', 'text'),
  pageUrl: { kind: 'action', actionColumn: 'idaction_url', actionType: 1, isUrl: true },
  pageTitle: { kind: 'action', actionColumn: 'idaction_name', actionType: 4, isUrl: false },
  eventCategory: { kind: 'action', actionColumn: 'idaction_event_category', actionType: 10, isUrl: false },
  eventAction: { kind: 'action', actionColumn: 'idaction_event_action', actionType: 11, isUrl: false },
  eventName: { kind: 'action', actionColumn: 'idaction_name', actionType: 12, isUrl: false },
  downloadUrl: { kind: 'action', actionColumn: 'idaction_url', actionType: 3, isUrl: true },
  outlinkUrl: { kind: 'action', actionColumn: 'idaction_url', actionType: 2, isUrl: true },
  siteSearchKeyword: { kind: 'action', actionColumn: 'idaction_name', actionType: 8, isUrl: false },
  entryPageUrl: { kind: 'visitAction', visitColumn: 'visit_entry_idaction_url', actionType: 1, isUrl: true },
  exitPageUrl: { kind: 'visitAction', visitColumn: 'visit_exit_idaction_url', actionType: 1, isUrl: true },
};

function editDistance(left: string, right: string): number {
  const previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= right.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(previous[j]! + 1, previous[j - 1]! + 1, diagonal + (left[i - 1] === right[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[right.length]!;
}

/** Returns up to three known segment names closest to an unknown one, closest first. */
export function findCloseSegmentNames(name: string): string[] {
  const lower = name.toLowerCase();
  return Object.keys(SEGMENT_DIMENSIONS)
    .map((candidate) => ({ candidate, distance: candidate.toLowerCase().includes(lower) || lower.includes(candidate.toLowerCase()) ? 0 : editDistance(lower, candidate.toLowerCase()) }))
    .filter((entry) => entry.distance <= Math.max(2, Math.floor(name.length / 3)))
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))
    .slice(0, 3)
    .map((entry) => entry.candidate);
}
