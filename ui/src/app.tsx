/** The dashboard shell: sign-in, site, period and segment choice, the menu and the page it picks. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, callApi, loadSession, signOut, type SessionView } from './api-client';
import { applyBranding, FALLBACK_BRANDING, loadBranding, type Branding } from './branding';
import { LoginForm } from './components/login-form';
import { AdminBranding } from './components/admin-branding';
import { AdminGeneral } from './components/admin-general';
import { AdminGoals } from './components/admin-goals';
import { AdminPrivacy } from './components/admin-privacy';
import { AdminSites } from './components/admin-sites';
import { AdminTokens, AdminUsers } from './components/admin-users';
import { EcommerceOverview } from './components/ecommerce-overview';
import { GoalsOverview } from './components/goals-overview';
import { ADMIN_PAGES, NavMenu, type AdminLevel } from './components/nav-menu';
import { PeriodPicker } from './components/period-picker';
import { ReportView } from './components/report-view';
import { SegmentEditor } from './components/segment-editor';
import { TrackingCode } from './components/tracking-code';
import { VisitorLog } from './components/visitor-log';
import { VisitsOverview } from './components/visits-overview';
import { addDays, parseSelection, todayString, type Selection } from './periods';
import { findReport } from './report-list';

/** A site as `SitesManager.getSitesWithAtLeastViewAccess` returns it; ids come as strings from Matomo. */
interface SiteRow {
  idsite: number | string;
  name: string;
}

/** A site the user can view. */
interface Site {
  idsite: number;
  name: string;
}

type SignedInSession = Extract<SessionView, { signedIn: true }>;

type AppState =
  | { kind: 'loading' }
  | { kind: 'signed-out'; notice?: string }
  | { kind: 'error'; message: string }
  /**
   * `session` is null when an anonymous visitor views public sites. `adminSiteIds` lists the
   * sites the user administers, null for a superuser, who administers every site.
   */
  | { kind: 'ready'; session: SignedInSession | null; sites: Site[]; adminSiteIds: number[] | null };

/** View kept in the URL's hash, so a reload or a shared link shows the same view. */
interface ViewState {
  siteId: number | null;
  selection: Selection;
  /** Matomo segment definition, '' for all visits. */
  segment: string;
  /** 'overview', or the API method of a report such as 'Referrers.getWebsites'. */
  page: string;
}

/** Pages other than reports and administration that replace the overview. */
const PAGES_BESIDE_OVERVIEW: readonly string[] = ['visitor-log', 'goals', 'ecommerce'];

/** Longest segment definition kept from the URL, so a pasted link cannot grow every API call without bound. */
const MAX_SEGMENT_LENGTH = 2000;

function readViewState(today: string): ViewState {
  const params = new URLSearchParams(window.location.hash.slice(1));
  const siteId = Number(params.get('idSite'));
  const segment = params.get('segment') ?? '';
  return {
    siteId: Number.isInteger(siteId) && siteId > 0 ? siteId : null,
    selection: parseSelection(params.get('period'), params.get('date'), today),
    segment: segment.length <= MAX_SEGMENT_LENGTH ? segment : '',
    page: params.get('page') ?? 'overview',
  };
}

function writeViewState(view: ViewState): void {
  const params = new URLSearchParams();
  if (view.siteId !== null) params.set('idSite', String(view.siteId));
  params.set('period', view.selection.period);
  params.set('date', view.selection.date);
  if (view.segment !== '') params.set('segment', view.segment);
  if (view.page !== 'overview') params.set('page', view.page);
  window.history.replaceState(null, '', `#${params.toString()}`);
}

async function loadSites(token: string | null): Promise<Site[]> {
  const rows = await callApi<SiteRow[]>('SitesManager.getSitesWithAtLeastViewAccess', {}, token);
  return Array.isArray(rows) ? rows.map((row) => ({ idsite: Number(row.idsite), name: row.name })) : [];
}

/** Returns the public sites an anonymous visitor may view, or none when the server rejects anonymous access. */
async function loadPublicSites(): Promise<Site[]> {
  try {
    return await loadSites(null);
  } catch (error) {
    if (error instanceof ApiError) return [];
    throw error;
  }
}

/** Returns the ids of the sites a signed-in user administers, or null for a superuser. */
async function loadAdminSiteIds(session: SignedInSession): Promise<number[] | null> {
  if (session.superuser) return null;
  const rows = await callApi<SiteRow[]>('SitesManager.getSitesWithAdminAccess', {}, session.token);
  return Array.isArray(rows) ? rows.map((row) => Number(row.idsite)) : [];
}

async function loadSignedInState(session: SignedInSession): Promise<AppState> {
  const [sites, adminSiteIds] = await Promise.all([loadSites(session.token), loadAdminSiteIds(session)]);
  return { kind: 'ready', session, sites, adminSiteIds };
}

async function loadInitialState(): Promise<AppState> {
  const session = await loadSession();
  if (session.signedIn) return loadSignedInState(session);
  const publicSites = await loadPublicSites();
  return publicSites.length > 0 ? { kind: 'ready', session: null, sites: publicSites, adminSiteIds: [] } : { kind: 'signed-out' };
}

/** The period and date the dashboard opens on when the URL names none, as `GET /ui/report-defaults.json` returns them. */
interface ReportDefaults {
  period: string;
  date: 'today' | 'yesterday';
}

/** Returns the selection of the host's default period and date, or null when they cannot be read. */
async function loadDefaultSelection(today: string): Promise<Selection | null> {
  try {
    const response = await fetch('/ui/report-defaults.json', { credentials: 'same-origin', headers: { accept: 'application/json' } });
    if (!response.ok) return null;
    const defaults = await response.json() as ReportDefaults;
    return parseSelection(defaults.period, defaults.date === 'yesterday' ? addDays(today, -1) : today, today);
  } catch {
    return null;
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function readAdminLevel(session: SignedInSession | null, adminSiteIds: number[] | null): AdminLevel {
  if (!session) return 'none';
  if (adminSiteIds === null) return 'superuser';
  return adminSiteIds.length > 0 ? 'site-admin' : 'none';
}

/** Returns the administration page `page`, or null when `page` is not one the user may open. */
function renderAdminPage(page: string, site: Site, session: SignedInSession, adminSiteIds: number[] | null, onSitesChanged: () => void, branding: Branding, onBrandingSaved: (branding: Branding) => void) {
  const entry = ADMIN_PAGES.find(([target]) => target === page);
  if (!entry) return null;
  const superuser = adminSiteIds === null;
  if (entry[2] && !superuser) return null;
  if (page === 'admin-sites') return <AdminSites sessionToken={session.token} superuser={superuser} onSitesChanged={onSitesChanged} />;
  if (page === 'admin-tokens') return <AdminTokens login={session.login} sessionToken={session.token} />;
  if (page === 'admin-branding') return <AdminBranding branding={branding} sessionToken={session.token} onSaved={onBrandingSaved} />;
  if (page === 'admin-privacy') return <AdminPrivacy sessionToken={session.token} />;
  if (page === 'admin-general') return <AdminGeneral sessionToken={session.token} />;
  if (!superuser && !adminSiteIds.includes(site.idsite)) {
    return (
      <section class="panel admin"><h2>{entry[1]}</h2>
        <p class="notice" role="status">You do not administer {site.name}. Pick a site you administer in the site selector.</p>
      </section>
    );
  }
  if (page === 'admin-tracking-code') return <TrackingCode siteId={site.idsite} siteName={site.name} sessionToken={session.token} title={`Tracking code of ${site.name}`} />;
  if (page === 'admin-goals') return <AdminGoals site={site} sessionToken={session.token} />;
  if (page === 'admin-users') return <AdminUsers site={site} sessionToken={session.token} currentLogin={session.login} superuser={superuser} />;
  return null;
}

/** Renders the whole dashboard. */
export function App() {
  const today = todayString();
  const [branding, setBranding] = useState<Branding>(FALLBACK_BRANDING);
  const [state, setState] = useState<AppState>({ kind: 'loading' });
  const [view, setView] = useState<ViewState>(() => readViewState(today));
  const [showSignIn, setShowSignIn] = useState(false);

  useEffect(() => {
    const urlNamesPeriod = new URLSearchParams(window.location.hash.slice(1)).has('period');
    writeViewState(view);
    if (!urlNamesPeriod) {
      const hashBeforeDefaults = window.location.hash;
      void loadDefaultSelection(today).then((selection) => {
        // The user may have picked a period while the defaults loaded, and that choice wins.
        if (selection && window.location.hash === hashBeforeDefaults) updateView({ ...readViewState(today), selection });
      });
    }
    loadBranding().then((loaded) => {
      applyBranding(loaded);
      setBranding(loaded);
    });
    loadInitialState().then(setState, (error: unknown) => setState({ kind: 'error', message: describeError(error) }));
    const onHashChange = () => setView(readViewState(today));
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, []);

  const updateView = (next: ViewState) => {
    writeViewState(next);
    setView(next);
  };

  const afterSignIn = (session: SessionView) => {
    setShowSignIn(false);
    if (!session.signedIn) return;
    setState({ kind: 'loading' });
    loadSignedInState(session).then(setState, (error: unknown) => setState({ kind: 'error', message: describeError(error) }));
  };

  const signOutNow = async (token: string) => {
    try {
      await signOut(token);
      setState({ kind: 'signed-out', notice: 'You are signed out.' });
    } catch (error) {
      setState({ kind: 'error', message: describeError(error) });
    }
  };

  if (state.kind === 'loading') return <main class="centered" aria-busy="true"><p class="muted">Loading…</p></main>;
  if (state.kind === 'error') {
    return (
      <main class="centered">
        <h1>The dashboard could not start</h1>
        <p class="notice error" role="alert">{state.message}</p>
        <button type="button" onClick={() => window.location.reload()}>Reload</button>
      </main>
    );
  }
  if (state.kind === 'signed-out' || showSignIn) {
    return (
      <LoginForm
        productName={branding.productName} logoUrl={branding.logoUrl} onSignedIn={afterSignIn}
        notice={state.kind === 'signed-out' ? state.notice : undefined}
        onCancel={state.kind === 'ready' ? () => setShowSignIn(false) : undefined}
      />
    );
  }

  const site = state.sites.find((candidate) => candidate.idsite === view.siteId) ?? state.sites[0];
  if (site) document.title = `${site.name} – ${branding.productName}`;
  const onSessionInvalid = () => setState({ kind: 'signed-out', notice: 'Your session has ended. Sign in again.' });
  const report = findReport(view.page);
  const adminLevel = readAdminLevel(state.session, state.adminSiteIds);
  const admin = adminLevel !== 'none' ? state.session : null;
  const reloadSites = () => loadSites(state.session?.token ?? null).then((sites) => setState({ ...state, sites }), () => undefined);
  const adminPage = admin && site ? renderAdminPage(view.page, site, admin, state.adminSiteIds, reloadSites, branding, (saved) => { applyBranding(saved); setBranding(saved); }) : null;
  return (
    <div class="shell">
      <a class="skip-link" href="#main">Skip to the report</a>
      <header class="top-bar">
        <div class="brand">
          {branding.logoUrl && <img class="logo" src={branding.logoUrl} alt="" />}
          <span>{branding.productName}</span>
        </div>
        {state.sites.length > 0 && site && (
          <label class="site-selector">
            <span class="visually-hidden">Site</span>
            <select value={String(site.idsite)} onChange={(event) => updateView({ ...view, siteId: Number(event.currentTarget.value) })}>
              {state.sites.map((candidate) => <option key={candidate.idsite} value={String(candidate.idsite)}>{candidate.name}</option>)}
            </select>
          </label>
        )}
        <div class="account">
          {state.session
            ? <><span class="muted">{state.session.login}</span><button type="button" onClick={() => signOutNow(state.session!.token)}>Sign out</button></>
            : <button type="button" onClick={() => setShowSignIn(true)}>Sign in</button>}
        </div>
      </header>
      <div class="layout">
        {site && <NavMenu page={report ? report.method : view.page} adminLevel={adminLevel} onSelect={(page) => updateView({ ...view, siteId: site.idsite, page })} />}
        <main id="main" tabIndex={-1}>
          {site ? (
            <>
              <div class="toolbar">
                <h1>{site.name}</h1>
                <div class="toolbar-controls">
                  <SegmentEditor segment={view.segment} onChange={(segment) => updateView({ ...view, siteId: site.idsite, segment })} />
                  <PeriodPicker selection={view.selection} today={today} onChange={(selection) => updateView({ ...view, siteId: site.idsite, selection })} />
                </div>
              </div>
              {view.page === 'visitor-log' && (
                <VisitorLog site={site} segment={view.segment} sessionToken={state.session?.token ?? null} onSessionInvalid={onSessionInvalid} />
              )}
              {report && (
                <ReportView
                  report={report} siteId={site.idsite} selection={view.selection} segment={view.segment} today={today}
                  accentColor={branding.accentColor} sessionToken={state.session?.token ?? null} onSessionInvalid={onSessionInvalid}
                />
              )}
              {adminPage}
              {view.page === 'goals' && (
                <GoalsOverview site={site} selection={view.selection} segment={view.segment} sessionToken={state.session?.token ?? null} onSessionInvalid={onSessionInvalid} />
              )}
              {view.page === 'ecommerce' && (
                <EcommerceOverview site={site} selection={view.selection} segment={view.segment} sessionToken={state.session?.token ?? null} onSessionInvalid={onSessionInvalid} />
              )}
              {!report && !adminPage && !PAGES_BESIDE_OVERVIEW.includes(view.page) && (
                <VisitsOverview
                  site={site} selection={view.selection} segment={view.segment} today={today} sessionToken={state.session?.token ?? null}
                  accentColor={branding.accentColor} onSessionInvalid={onSessionInvalid}
                />
              )}
            </>
          ) : (
            <section class="panel"><h1>No site to show</h1><p>This user cannot view any site yet. A superuser can grant access.</p></section>
          )}
        </main>
      </div>
    </div>
  );
}
