/** The empty state of a site without data: its tracking code from `SitesManager.getJavascriptTag`. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, callApi } from '../api-client';

/** Props of the tracking code panel. */
export interface TrackingCodeProps {
  siteId: number;
  siteName: string;
  sessionToken: string | null;
  /** Heading of the panel; by default it says that the site has no visits yet. */
  title?: string;
}

type TrackingCodeState =
  | { kind: 'loading' }
  | { kind: 'ready'; code: string }
  | { kind: 'unavailable' }
  | { kind: 'error'; message: string };

/**
 * Decodes the HTML entities of `SitesManager.getJavascriptTag`, which returns the code escaped
 * for pasting into HTML as Matomo does, so the panel shows `<script>` and not `&lt;script&gt;`.
 * DOMParser builds an inert document, so the markup is neither run nor inserted into the page.
 */
function decodeHtmlEntities(escaped: string): string {
  return new DOMParser().parseFromString(escaped, 'text/html').documentElement.textContent ?? '';
}

/** Explains that no visit was recorded yet and shows the snippet to install. */
export function TrackingCode({ siteId, siteName, sessionToken, title }: TrackingCodeProps) {
  const [state, setState] = useState<TrackingCodeState>({ kind: 'loading' });

  useEffect(() => {
    const controller = new AbortController();
    setState({ kind: 'loading' });
    callApi<{ value?: unknown }>('SitesManager.getJavascriptTag', { idSite: siteId }, sessionToken, controller.signal)
      .then((result) => setState(typeof result.value === 'string' ? { kind: 'ready', code: decodeHtmlEntities(result.value) } : { kind: 'error', message: 'The tracking code came back in an unexpected shape.' }))
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.code === 'API_METHOD_NOT_FOUND') setState({ kind: 'unavailable' });
        else setState({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
      });
    return () => controller.abort();
  }, [siteId, sessionToken]);

  return (
    <section class="empty-state" aria-labelledby="empty-title">
      <h2 id="empty-title">{title ?? `No visits recorded for ${siteName} yet`}</h2>
      <p>Add this tracking code to every page of the site, just before the closing <code>&lt;/head&gt;</code> tag. Visits show up here once the first ones are archived.</p>
      {state.kind === 'loading' && <p class="muted" aria-busy="true">Loading the tracking code…</p>}
      {state.kind === 'ready' && <pre class="tracking-code" tabIndex={0} aria-label="Tracking code"><code>{state.code}</code></pre>}
      {state.kind === 'unavailable' && (
        <p class="notice" role="status">This server cannot show the tracking code yet, because its SitesManager.getJavascriptTag method is not available. Ask your analytics provider for the code.</p>
      )}
      {state.kind === 'error' && <p class="notice error" role="alert">The tracking code could not be loaded: {state.message}</p>}
    </section>
  );
}
