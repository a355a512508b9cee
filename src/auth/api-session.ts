/** API calls made by a signed-in browser with Matomo's `force_api_session=1`. */
import type { ApiParams } from '../api/api-params.js';
import { FootfallError } from '../errors.js';
import type { Tenant } from '../tenancy/tenant.js';
import { SYSTEM_CLOCK, type Clock } from '../time.js';
import { Access } from './access.js';
import { isSameToken, loadSession } from './session-store.js';
import { findUser, loadRoles } from './user-store.js';

/** Name of the cookie that carries the dashboard session id. */
export const SESSION_COOKIE_NAME = 'footfall_session';

/** What of the HTTP request the session check reads. */
export interface ApiSessionRequest {
  cookies: Record<string, string | undefined>;
  /** Whether `token_auth` came in the POST body rather than the URL. */
  tokenInBody: boolean;
}

/**
 * Returns the Access of the signed-in user when the call has `force_api_session=1`, and
 * null when it does not (the caller then authenticates `token_auth` as an API token).
 * As in Matomo, the session's token must come as `token_auth` in the POST body, so a link
 * or an image on another site cannot make the call.
 *
 * @throws FootfallError SESSION_INVALID without a live session cookie, or when
 *   `token_auth` is missing, sent in the URL, or not this session's token.
 */
export async function authenticateApiSession(
  tenant: Tenant, params: ApiParams, request: ApiSessionRequest, clock: Clock = SYSTEM_CLOCK,
): Promise<Access | null> {
  if (!params.bool('force_api_session', false)) return null;

  const db = tenant.db();
  const session = await loadSession(db, request.cookies[SESSION_COOKIE_NAME], { tenantKey: tenant.key, salt: tenant.salt, clock });
  if (!session) throw new FootfallError('SESSION_INVALID', 'force_api_session=1 needs a signed-in session on this host. Sign in again.');
  if (!request.tokenInBody || !isSameToken(params.optionalString('token_auth'), session.token)) {
    throw new FootfallError('SESSION_INVALID', "force_api_session=1 needs the session's token as token_auth in the POST body.");
  }

  const user = await findUser(db, session.login);
  if (!user) throw new FootfallError('SESSION_INVALID', 'The user of this session no longer exists. Sign in again.');
  return new Access(user.login, user.superuser, await loadRoles(db, user.login));
}
