/** The visitor log: the latest visits from `Live.getLastVisitsDetails` in the segment, with their actions, refreshed while shown. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, callApi, type ApiCallParams } from '../api-client';
import { TrackingCode } from './tracking-code';

/** Props of the visitor log. */
export interface VisitorLogProps {
  site: { idsite: number; name: string };
  /** Applied segment definition, '' for all visits. */
  segment: string;
  sessionToken: string | null;
  onSessionInvalid(): void;
}

/** One action of a visit, as `Live.getLastVisitsDetails` returns it. */
interface ActionDetail {
  type: string;
  url?: string | null;
  pageTitle?: string | null;
  eventCategory?: string | null;
  eventAction?: string | null;
  eventName?: string | null;
  siteSearchKeyword?: string | null;
  goalName?: string | null;
  revenue?: number | string | null;
  timestamp?: number;
}

/** The fields of a visit the log shows. */
interface VisitDetail {
  idVisit: number;
  serverDatePretty: string;
  serverTimePretty: string;
  visitorType: string;
  visitDurationPretty: string;
  referrerTypeName: string;
  referrerName: string;
  country: string | null;
  browser: string;
  operatingSystem: string;
  deviceType: string;
  actionDetails: ActionDetail[];
}

/** Visits per page of the log. */
const VISITS_PER_PAGE = 20;
/** Time between refreshes of the log while it is shown and not paused. */
const REFRESH_INTERVAL_MS = 10_000;

const ACTION_NAMES: Readonly<Record<string, string>> = {
  action: 'Page', download: 'Download', outlink: 'Outlink', event: 'Event', search: 'Site search', content: 'Content',
  goal: 'Goal', ecommerceOrder: 'Order', ecommerceAbandonedCart: 'Abandoned cart',
};

function describeAction(action: ActionDetail): string {
  if (action.type === 'event') return [action.eventCategory, action.eventAction, action.eventName].filter(Boolean).join(' / ');
  if (action.type === 'search') return `“${action.siteSearchKeyword ?? ''}”`;
  if (action.type === 'goal') return `${action.goalName ?? 'Goal'}${action.revenue ? `, revenue ${action.revenue}` : ''}`;
  if (action.type === 'ecommerceOrder' || action.type === 'ecommerceAbandonedCart') return `revenue ${action.revenue ?? 0}`;
  return action.pageTitle ? `${action.pageTitle} (${action.url ?? ''})` : action.url ?? '';
}

/** Loads and shows the latest visits, refreshing every REFRESH_INTERVAL_MS until paused. */
export function VisitorLog({ site, segment, sessionToken, onSessionInvalid }: VisitorLogProps) {
  const [visits, setVisits] = useState<VisitDetail[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [offset, setOffset] = useState(0);
  const [paused, setPaused] = useState(false);
  const [refreshes, setRefreshes] = useState(0);

  // A new segment starts again at the newest visits.
  useEffect(() => setOffset(0), [segment]);

  useEffect(() => {
    const controller = new AbortController();
    const params: ApiCallParams = { idSite: site.idsite, filter_limit: VISITS_PER_PAGE, filter_offset: offset };
    if (segment !== '') params.segment = segment;
    callApi<VisitDetail[]>('Live.getLastVisitsDetails', params, sessionToken, controller.signal)
      .then((result) => {
        setVisits(Array.isArray(result) ? result : []);
        setError(null);
      })
      .catch((failure: unknown) => {
        if (controller.signal.aborted) return;
        if (failure instanceof ApiError && failure.code === 'SESSION_INVALID') onSessionInvalid();
        else setError(failure instanceof Error ? failure.message : String(failure));
      });
    return () => controller.abort();
  }, [site.idsite, segment, offset, sessionToken, refreshes]);

  useEffect(() => {
    if (paused) return undefined;
    const timer = setInterval(() => setRefreshes((count) => count + 1), REFRESH_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [paused]);

  if (visits !== null && visits.length === 0 && offset === 0 && !error && segment === '') {
    return <TrackingCode siteId={site.idsite} siteName={site.name} sessionToken={sessionToken} />;
  }

  return (
    <section class="panel visitor-log" aria-labelledby="visitor-log-title">
      <h2 id="visitor-log-title">Visitor log</h2>
      <div class="report-controls">
        <button type="button" onClick={() => setRefreshes(refreshes + 1)}>Refresh now</button>
        <button type="button" aria-pressed={paused} onClick={() => setPaused(!paused)}>{paused ? 'Resume live updates' : 'Pause live updates'}</button>
        <span class="muted" role="status">{paused ? 'Live updates are paused.' : `Updates every ${REFRESH_INTERVAL_MS / 1000} seconds.`}</span>
      </div>
      {error && <p class="notice error" role="alert">{error}</p>}
      {visits === null && !error && <p class="muted" aria-busy="true">Loading visits…</p>}
      {visits !== null && visits.length === 0 && offset === 0 && !error && <p class="muted">No visit matches the segment.</p>}
      {visits !== null && (
        <ol class="visits">
          {visits.map((visit) => (
            <li class="visit" key={visit.idVisit}>
              <div class="visit-summary">
                <strong>{visit.serverDatePretty} {visit.serverTimePretty}</strong>
                <span>{visit.visitorType === 'returning' ? 'Returning visitor' : 'New visitor'}</span>
                <span>{visit.country ?? 'Unknown country'}</span>
                <span>{visit.browser || 'Unknown browser'} on {visit.operatingSystem || 'an unknown system'}, {visit.deviceType}</span>
                <span>{visit.referrerTypeName}{visit.referrerName ? `: ${visit.referrerName}` : ''}</span>
                <span>{visit.actionDetails.length} actions in {visit.visitDurationPretty}</span>
              </div>
              <ol class="actions-list">
                {visit.actionDetails.map((action, index) => (
                  <li key={index}><span class="action-type">{ACTION_NAMES[action.type] ?? action.type}</span> {describeAction(action)}</li>
                ))}
              </ol>
            </li>
          ))}
        </ol>
      )}
      <div class="actions">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - VISITS_PER_PAGE))}>Newer visits</button>
        <button type="button" disabled={visits === null || visits.length < VISITS_PER_PAGE} onClick={() => setOffset(offset + VISITS_PER_PAGE)}>Older visits</button>
      </div>
    </section>
  );
}
