/** The tenant's branding from `/ui/branding.json`, applied as the page's accent colour, name and favicon. */

/** Product name, accent colour and logo of the tenant's dashboard. */
export interface Branding {
  productName: string;
  accentColor: string;
  logoUrl: string | null;
  faviconUrl: string | null;
}

/** Branding used when `/ui/branding.json` cannot be read. */
export const FALLBACK_BRANDING: Branding = { productName: 'Footfall', accentColor: '#1f6feb', logoUrl: null, faviconUrl: null };

/** Loads the branding; any failure gives the fallback, because branding must never block the page. */
export async function loadBranding(): Promise<Branding> {
  try {
    const response = await fetch('/ui/branding.json', { credentials: 'same-origin' });
    if (!response.ok) return FALLBACK_BRANDING;
    return { ...FALLBACK_BRANDING, ...((await response.json()) as Partial<Branding>) };
  } catch {
    return FALLBACK_BRANDING;
  }
}

/**
 * Sets the accent colour as the CSS variable `--accent`, which every control's colour derives
 * from, and points the page's icon at the tenant's favicon. A query string with a new value on
 * each call makes the browser fetch an icon that was just replaced.
 */
export function applyBranding(branding: Branding): void {
  document.documentElement.style.setProperty('--accent', branding.accentColor);
  const icon = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (icon) icon.href = branding.faviconUrl ? `${branding.faviconUrl}?v=${Date.now()}` : 'data:,';
}

/** A logo or favicon to upload, as `POST /ui/branding` takes it. */
export interface BrandingImageUpload {
  type: 'image/png' | 'image/svg+xml';
  /** The file's bytes as base64. */
  data: string;
}

/** Fields of a branding change; missing fields keep the tenant's current value. */
export interface BrandingChange {
  productName?: string;
  accentColor?: string;
  logo?: BrandingImageUpload;
  favicon?: BrandingImageUpload;
  removeLogo?: boolean;
  removeFavicon?: boolean;
}

/**
 * Saves a branding change as the signed-in superuser and returns the new branding. The
 * session's token goes in the `X-Footfall-Token` header, as the server's CSRF check expects.
 */
export async function saveBranding(change: BrandingChange, sessionToken: string): Promise<Branding> {
  const response = await fetch('/ui/branding', {
    method: 'POST', credentials: 'same-origin', body: JSON.stringify(change),
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-footfall-token': sessionToken },
  });
  const body = (await response.json()) as Branding | { result: 'error'; message: string };
  if ('result' in body) throw new Error(body.message);
  return { ...FALLBACK_BRANDING, ...body };
}
