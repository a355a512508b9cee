/** The tenant's branding from `/ui/branding.json`, applied as the page's accent colour and name. */

/** Product name, accent colour and logo of the tenant's dashboard. */
export interface Branding {
  productName: string;
  accentColor: string;
  logoUrl: string | null;
}

/** Branding used when `/ui/branding.json` cannot be read. */
export const FALLBACK_BRANDING: Branding = { productName: 'Footfall', accentColor: '#1f6feb', logoUrl: null };

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

/** Sets the accent colour as the CSS variable `--accent`, which every control's colour derives from. */
export function applyBranding(branding: Branding): void {
  document.documentElement.style.setProperty('--accent', branding.accentColor);
}
