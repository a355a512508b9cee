/** The user id (`uid`) of a hit, as Footfall stores and compares it. */
import type { TrackingParams } from './tracking-params.js';

/** Maximum characters of `log_visit.user_id`, a VARCHAR(200) as in Matomo 5 (`UserId::MAXLENGTH`). */
export const MAX_USER_ID_LENGTH = 200;

/**
 * Reads the user id of a hit as `log_visit.user_id` stores it: the first 200 characters of
 * `uid`, or null when `uid` is missing or empty. Characters are Unicode code points, as
 * Matomo 5 cuts the value with `mb_substr`, so a cut never splits a surrogate pair.
 *
 * Every comparison with a stored user id uses this value. Matomo 5.2.0-b5 compares the
 * whole `uid` instead, so a longer one never equals the value stored for its own visit there.
 */
export function readUserId(params: TrackingParams): string | null {
  const userId = params.get('uid');
  if (userId === undefined) return null;
  // A string of at most 200 UTF-16 code units has at most 200 code points.
  if (userId.length <= MAX_USER_ID_LENGTH) return userId;
  let cut = '';
  let count = 0;
  for (const character of userId) {
    if (count === MAX_USER_ID_LENGTH) break;
    cut += character;
    count += 1;
  }
  return cut;
}

/**
 * Returns whether a user id counts as set where Matomo 5 tests it with PHP's `empty()`,
 * which is true for a missing, empty or "0" user id. Such a user id derives no visitor id,
 * adds no user id condition to the lookup by config id and starts no new visit by
 * differing. Matomo still stores "0" as the visit's user id.
 */
export function isNonEmptyUserId(userId: string | null | undefined): userId is string {
  return userId !== null && userId !== undefined && userId !== '' && userId !== '0';
}
