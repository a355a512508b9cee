/** `UsersManager.createAppSpecificTokenAuth`: a new token for a user who proves their password. */
import { checkPasswordGuarded, formatRetryDelay } from '../../auth/sign-in.js';
import { createToken, findUserByLoginOrEmail } from '../../auth/user-store.js';
import { FootfallError, quote } from '../../errors.js';
import { formatUtcDateTime } from '../../time.js';
import type { ApiMethodRegistry } from '../api-method-registry.js';
import type { ApiParams } from '../api-params.js';

const EXPIRE_DATE_PATTERN = /^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2})?$/;
const MAX_DESCRIPTION_LENGTH = 100;

/**
 * Returns the UTC expiry time of a new token, or null when it never expires: `expireDate`
 * (a day or a UTC date and time) wins over `expireHours` (hours from now, 0 for never).
 *
 * @throws FootfallError PARAMETER_INVALID for a malformed date, a date in the past, or negative hours.
 */
export function parseTokenExpiry(params: ApiParams, now: Date): string | null {
  const expireDate = params.string('expireDate').trim();
  if (expireDate !== '') {
    const time = Date.parse(`${expireDate.replace(' ', 'T')}${expireDate.length === 10 ? 'T00:00:00' : ''}Z`);
    if (!EXPIRE_DATE_PATTERN.test(expireDate) || Number.isNaN(time)) {
      throw new FootfallError('PARAMETER_INVALID', `Invalid expireDate ${quote(expireDate)}. Use a UTC date such as 2030-01-31 or 2030-01-31 12:00:00.`);
    }
    if (time <= now.getTime()) throw new FootfallError('PARAMETER_INVALID', `Invalid expireDate ${quote(expireDate)}: it is in the past. Use a later date.`);
    return formatUtcDateTime(new Date(time));
  }

  const hours = params.int('expireHours', 0);
  if (hours === 0) return null;
  if (hours < 0) throw new FootfallError('PARAMETER_INVALID', `Invalid expireHours ${quote(String(hours))}. Use a whole number of hours of 1 or more, or 0 for a token that never expires.`);
  return formatUtcDateTime(new Date(now.getTime() + hours * 3_600_000));
}

/** Registers `UsersManager.createAppSpecificTokenAuth`. */
export function registerTokenMethods(registry: ApiMethodRegistry): void {
  registry.register({
    name: 'UsersManager.createAppSpecificTokenAuth',
    description: 'Creates a token for a user who sends their login (or email) and password, and returns it once.',
    parameters: [
      { name: 'userLogin', description: 'Login or email address of the user.', required: true },
      { name: 'passwordConfirmation', description: 'The user\'s password.', required: true },
      { name: 'description', description: `What the token is for, at most ${MAX_DESCRIPTION_LENGTH} characters.`, required: true },
      { name: 'expireDate', description: 'UTC date (and time) when the token stops working, such as 2030-01-31.' },
      { name: 'expireHours', description: 'Hours from now after which the token stops working; 0 (the default) for never. Used when expireDate is not sent.' },
      { name: 'secureOnly', description: '1 to accept the token only in a POST body.' },
    ],
    differences: 'An expireDate in the past or a negative expireHours is rejected, where Matomo creates a token that has already expired. secureOnly is a Footfall addition.',
    handler: async ({ tenant, params, clock, logger, ip }) => {
      const db = tenant.db();
      const loginOrEmail = params.requiredString('userLogin');
      const password = params.requiredString('passwordConfirmation');
      const description = params.requiredString('description');
      if (description.length > MAX_DESCRIPTION_LENGTH) {
        throw new FootfallError('PARAMETER_INVALID', `Invalid description: it has ${description.length} characters. Use at most ${MAX_DESCRIPTION_LENGTH}.`);
      }
      const now = clock();
      const expireDate = parseTokenExpiry(params, now);

      const user = await findUserByLoginOrEmail(db, loginOrEmail);
      // The sign-in form's guard applies here too, because this method also reveals whether a password is correct.
      // An unknown login costs the same bcrypt check and gets the same error as a wrong password, so logins cannot be probed.
      const checked = await checkPasswordGuarded(tenant, {
        login: user?.login ?? loginOrEmail, password, ip, logger, clock: () => now, purpose: 'token creation',
      });
      if (checked.kind === 'blocked') {
        throw new FootfallError('LOGIN_BLOCKED',
          `Too many failed password checks from this address or for login ${quote(loginOrEmail)}. Try again in ${formatRetryDelay(checked.retryAfterSeconds)}, or ask a superuser to reset the password.`,
          { retryAfterSeconds: checked.retryAfterSeconds });
      }
      if (!user || checked.kind === 'failed') {
        throw new FootfallError('PASSWORD_INCORRECT', 'Wrong login or password. Send the login (or email) and the current password of the user.');
      }
      const token = await createToken(db, tenant.salt, user.login, description, {
        clock: () => now, expireDate, secureOnly: params.bool('secureOnly', false),
      });
      logger.info({ tenant: tenant.key, expires: expireDate !== null }, 'token created');
      return token;
    },
  });
}
