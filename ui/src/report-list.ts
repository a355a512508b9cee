/**
 * The reports the dashboard lists, grouped as Matomo's menu groups them. Each entry names
 * the Reporting API method that serves it, so the list can be replaced by
 * `API.getReportMetadata` once the server has that method.
 */

/** How a report's numbers are shown besides the table. */
export type ReportVisualization = 'table' | 'bar' | 'pie';

/** One report of the menu. */
export interface ReportEntry {
  /** `Module.action` of the Reporting API, also the report's id in the URL. */
  method: string;
  name: string;
  /** Extra API parameters that pick the report, such as `idDimension`. */
  params?: Readonly<Record<string, string>>;
  /** Heading of the label column. */
  dimension: string;
  /** Metric columns in the order the table shows them; the first is the default sort. */
  metrics: readonly string[];
  /** A view that suits the report besides the table. */
  chart?: Exclude<ReportVisualization, 'table'>;
  /** Whether rows may have subtables (`idsubdatatable`). */
  hasSubtables?: boolean;
}

/** A group of the menu, such as Visitors or Acquisition. */
export interface ReportCategory {
  name: string;
  /** Sub-groups as Matomo names them, each with its reports. */
  sections: readonly { name: string; reports: readonly ReportEntry[] }[];
}

const VISIT_METRICS = ['nb_visits', 'nb_uniq_visitors', 'nb_actions', 'bounce_rate', 'nb_actions_per_visit', 'avg_time_on_site'] as const;
const ACTION_METRICS = ['nb_hits', 'nb_visits', 'nb_uniq_visitors', 'avg_time_on_page'] as const;
const HIT_METRICS = ['nb_hits', 'nb_visits'] as const;
const EVENT_METRICS = ['nb_events', 'nb_visits', 'sum_event_value'] as const;

function visitReport(method: string, name: string, dimension: string, extra: Partial<ReportEntry> = {}): ReportEntry {
  return { method, name, dimension, metrics: VISIT_METRICS, ...extra };
}

/** Every report of the menu. `VisitsSummary.get` is the overview page and is not listed. */
export const REPORT_CATEGORIES: readonly ReportCategory[] = [
  {
    name: 'Visitors',
    sections: [
      { name: 'Locations', reports: [
        visitReport('UserCountry.getContinent', 'Continents', 'Continent', { chart: 'pie' }),
        visitReport('UserCountry.getCountry', 'Countries', 'Country', { chart: 'bar' }),
        visitReport('UserCountry.getRegion', 'Regions', 'Region'),
        visitReport('UserCountry.getCity', 'Cities', 'City'),
        visitReport('UserLanguage.getLanguage', 'Browser languages', 'Language', { chart: 'bar' }),
      ] },
      { name: 'Devices', reports: [
        visitReport('DevicesDetection.getType', 'Device types', 'Device type', { chart: 'pie' }),
        visitReport('DevicesDetection.getBrand', 'Device brands', 'Brand', { chart: 'bar' }),
        visitReport('DevicesDetection.getModel', 'Device models', 'Model'),
        visitReport('Resolution.getResolution', 'Screen resolutions', 'Resolution', { chart: 'bar' }),
      ] },
      { name: 'Software', reports: [
        visitReport('DevicesDetection.getOsFamilies', 'Operating system families', 'Operating system family', { chart: 'pie' }),
        visitReport('DevicesDetection.getOsVersions', 'Operating system versions', 'Operating system version'),
        visitReport('DevicesDetection.getBrowsers', 'Browsers', 'Browser', { chart: 'pie' }),
        visitReport('DevicesDetection.getBrowserVersions', 'Browser versions', 'Browser version'),
        visitReport('DevicesDetection.getBrowserEngines', 'Browser engines', 'Browser engine', { chart: 'pie' }),
      ] },
      { name: 'Times', reports: [
        visitReport('VisitTime.getVisitInformationPerLocalTime', 'Visits per local time', 'Local time', { chart: 'bar' }),
        visitReport('VisitTime.getVisitInformationPerServerTime', 'Visits per server time', 'Server time', { chart: 'bar' }),
      ] },
      { name: 'Engagement', reports: [
        { method: 'VisitorInterest.getNumberOfVisitsPerVisitDuration', name: 'Visits per visit duration', dimension: 'Visit duration', metrics: ['nb_visits'], chart: 'bar' },
        { method: 'VisitorInterest.getNumberOfVisitsPerPage', name: 'Visits per number of pages', dimension: 'Pages per visit', metrics: ['nb_visits'], chart: 'bar' },
        visitReport('CustomDimensions.getCustomDimension', 'Custom dimension 1', 'Value', { params: { idDimension: '1' } }),
      ] },
    ],
  },
  {
    name: 'Behaviour',
    sections: [
      { name: 'Pages', reports: [{ method: 'Actions.getPageUrls', name: 'Pages', dimension: 'Page URL', metrics: ACTION_METRICS, hasSubtables: true }] },
      { name: 'Entry/Exit pages', reports: [
        { method: 'Actions.getEntryPageUrls', name: 'Entry pages', dimension: 'Entry page URL', metrics: ['entry_nb_visits', 'entry_bounce_count', 'entry_nb_actions'], hasSubtables: true },
        { method: 'Actions.getExitPageUrls', name: 'Exit pages', dimension: 'Exit page URL', metrics: ['exit_nb_visits', 'exit_rate'], hasSubtables: true },
        { method: 'Actions.getEntryPageTitles', name: 'Entry page titles', dimension: 'Entry page title', metrics: ['entry_nb_visits', 'entry_bounce_count', 'entry_nb_actions'], hasSubtables: true },
        { method: 'Actions.getExitPageTitles', name: 'Exit page titles', dimension: 'Exit page title', metrics: ['exit_nb_visits', 'exit_rate'], hasSubtables: true },
      ] },
      { name: 'Page titles', reports: [{ method: 'Actions.getPageTitles', name: 'Page titles', dimension: 'Page title', metrics: ACTION_METRICS, hasSubtables: true }] },
      { name: 'Site search', reports: [{ method: 'Actions.getSiteSearchKeywords', name: 'Site search keywords', dimension: 'Keyword', metrics: HIT_METRICS, chart: 'bar' }] },
      { name: 'Outlinks', reports: [{ method: 'Actions.getOutlinks', name: 'Outlinks', dimension: 'Outlink', metrics: HIT_METRICS, hasSubtables: true }] },
      { name: 'Downloads', reports: [{ method: 'Actions.getDownloads', name: 'Downloads', dimension: 'Download', metrics: HIT_METRICS, hasSubtables: true }] },
      { name: 'Events', reports: [
        { method: 'Events.getCategory', name: 'Event categories', dimension: 'Event category', metrics: EVENT_METRICS, chart: 'bar', hasSubtables: true },
        { method: 'Events.getAction', name: 'Event actions', dimension: 'Event action', metrics: EVENT_METRICS, chart: 'bar', hasSubtables: true },
        { method: 'Events.getName', name: 'Event names', dimension: 'Event name', metrics: EVENT_METRICS, chart: 'bar', hasSubtables: true },
      ] },
    ],
  },
  {
    name: 'Acquisition',
    sections: [
      { name: 'Channel types', reports: [visitReport('Referrers.getReferrerType', 'Channel types', 'Channel type', { chart: 'pie', hasSubtables: true })] },
      { name: 'Websites', reports: [visitReport('Referrers.getWebsites', 'Websites', 'Website', { hasSubtables: true })] },
      { name: 'Search engines & keywords', reports: [
        visitReport('Referrers.getSearchEngines', 'Search engines', 'Search engine', { chart: 'bar', hasSubtables: true }),
        visitReport('Referrers.getKeywords', 'Keywords', 'Keyword', { hasSubtables: true }),
      ] },
      { name: 'Campaigns', reports: [visitReport('Referrers.getCampaigns', 'Campaigns', 'Campaign', { hasSubtables: true })] },
      { name: 'Social', reports: [visitReport('Referrers.getSocials', 'Social networks', 'Social network', { chart: 'pie', hasSubtables: true })] },
    ],
  },
];

/** Returns the menu entry of a method, or undefined for a method the menu does not list. */
export function findReport(method: string): ReportEntry | undefined {
  for (const category of REPORT_CATEGORIES) {
    for (const section of category.sections) {
      const report = section.reports.find((entry) => entry.method === method);
      if (report) return report;
    }
  }
  return undefined;
}

/** Readable names of the metric columns Matomo's reports use. */
export const METRIC_NAMES: Readonly<Record<string, string>> = {
  nb_visits: 'Visits', nb_uniq_visitors: 'Unique visitors', nb_actions: 'Actions', nb_hits: 'Pageviews', bounce_rate: 'Bounce rate',
  nb_actions_per_visit: 'Actions per visit', avg_time_on_site: 'Avg. visit duration (s)', avg_time_on_page: 'Avg. time on page (s)',
  entry_nb_visits: 'Entrances', entry_bounce_count: 'Bounces', entry_nb_actions: 'Actions after entry', exit_nb_visits: 'Exits', exit_rate: 'Exit rate',
  nb_events: 'Events', sum_event_value: 'Event value', nb_conversions: 'Conversions', revenue: 'Revenue', nb_visits_converted: 'Converted visits',
  conversion_rate: 'Conversion rate',
};
