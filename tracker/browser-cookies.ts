/** Reading and writing first-party cookies through `document.cookie`. */

/** Scope and lifetime of a cookie. */
export interface CookieOptions {
  /** Milliseconds until expiry; 0 makes a cookie for the browser session, a negative value deletes it. */
  maxAgeMs: number;
  path: string;
  domain: string;
  secure: boolean;
  sameSite: string;
}

/** Returns a cookie's value, or '' when it is not set. */
export function readCookie(name: string): string {
  const pattern = new RegExp(`(^|;)[ ]*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}=([^;]*)`);
  const match = pattern.exec(document.cookie);
  if (!match) return '';
  try {
    return decodeURIComponent(match[2]!);
  } catch {
    return match[2]!;
  }
}

/** Sets (or, with a negative max age, deletes) a cookie. */
export function writeCookie(name: string, value: string, options: CookieOptions): void {
  let text = `${name}=${encodeURIComponent(value)}; path=${options.path || '/'}`;
  // max-age counts from the browser's receipt, so a wrong clock in the page cannot expire the cookie early.
  if (options.maxAgeMs !== 0) text += `; max-age=${Math.round(options.maxAgeMs / 1000)}`;
  if (options.domain) text += `; domain=${options.domain}`;
  if (options.secure) text += '; secure';
  text += `; SameSite=${options.sameSite}`;
  document.cookie = text;
}
