/** Browser facts the tracker reads: client hints, page load, random bytes and Do Not Track. */

/** Returns the client hints as the JSON of `uadata`, or null when the browser has none (outside secure contexts, or not Chromium). */
export function loadClientHints(): Promise<string | null> {
  const data = (navigator as Navigator & { userAgentData?: { getHighEntropyValues(hints: string[]): Promise<Record<string, unknown>> } }).userAgentData;
  if (!data || typeof data.getHighEntropyValues !== 'function') return Promise.resolve(null);
  return data.getHighEntropyValues(['model', 'platform', 'platformVersion', 'fullVersionList'])
    .then((values) => JSON.stringify({
      fullVersionList: values.fullVersionList ?? [], mobile: values.mobile ?? false, model: values.model ?? '',
      platform: values.platform ?? '', platformVersion: values.platformVersion ?? '',
    }))
    .catch(() => null);
}

/** Returns `count` random bytes, from the Web Crypto API when the browser has it. */
export function randomBytes(count: number): Uint8Array {
  const bytes = new Uint8Array(count);
  if (typeof crypto === 'object' && typeof crypto.getRandomValues === 'function') return crypto.getRandomValues(bytes);
  for (let i = 0; i < count; i++) bytes[i] = Math.floor(Math.random() * 256);
  return bytes;
}

/** Milliseconds requests wait for the load event at most, so a page with a slow image still sends its pageview. */
const MAX_LOAD_WAIT_MS = 3000;

/** Resolves once the page's load event has ended, or after MAX_LOAD_WAIT_MS. */
export function waitForPageLoad(): Promise<void> {
  return new Promise((resolve) => {
    // The load event's end time is set after its listeners ran, so the timings are read one task later.
    const finish = (): void => { setTimeout(resolve, 0); };
    if (document.readyState === 'complete') finish();
    else window.addEventListener('load', finish);
    setTimeout(resolve, MAX_LOAD_WAIT_MS);
  });
}

/** Returns whether the browser sends Do Not Track. */
export function isDoNotTrackEnabled(): boolean {
  const nav = navigator as Navigator & { msDoNotTrack?: string };
  const value = nav.doNotTrack ?? (window as Window & { doNotTrack?: string }).doNotTrack ?? nav.msDoNotTrack;
  return value === '1' || value === 'yes';
}
