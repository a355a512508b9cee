/** The catalog of Footfall's errors: each has a stable code, an HTTP status and a message. */

/**
 * Stable error codes with their HTTP status. A code is never reused once retired;
 * `docs/errors.md` lists each one.
 */
export const ERROR_CODES = {
  // HTTP requests
  REQUEST_BODY_TOO_LARGE: 413,
  REQUEST_BODY_INVALID: 400,
  REQUEST_ENCODING_UNSUPPORTED: 415,
  REQUEST_BODY_DECODING_FAILED: 400,
  SERVER_LISTEN_FAILED: 500,

  // Configuration and start-up
  CONFIG_INVALID: 500,
  CONFIG_KEY_INVALID: 400,
  CONFIG_KEY_NOT_SET: 404,

  // Tenancy
  HOST_INVALID: 400,
  TENANT_NOT_FOUND: 404,
  TENANT_EXISTS: 409,
  TENANT_DISABLED: 503,
  TENANT_MAINTENANCE: 503,
  TENANT_DATABASE_UNAVAILABLE: 503,
  TENANT_EXPORT_INVALID: 400,

  // Database
  DATABASE_ADAPTER_INVALID: 500,
  DATABASE_ADMIN_MISSING: 500,
  DATABASE_ADMIN_UNAVAILABLE: 503,
  DATABASE_ADMIN_PRIVILEGES_MISSING: 500,
  SCHEMA_NEWER_THAN_CODE: 500,

  // Reporting API requests
  API_METHOD_MISSING: 400,
  API_METHOD_NOT_FOUND: 400,
  API_FORMAT_INVALID: 400,
  PARAMETER_MISSING: 400,
  PARAMETER_INVALID: 400,

  // Sites, users and access
  SITE_NOT_FOUND: 400,
  SITE_URL_INVALID: 400,
  TIMEZONE_INVALID: 400,
  CURRENCY_INVALID: 400,
  USER_NOT_FOUND: 400,
  USER_EXISTS: 400,
  LOGIN_INVALID: 400,
  EMAIL_INVALID: 400,
  PASSWORD_INVALID: 400,
  ACCESS_INVALID: 400,
  IP_INVALID: 400,
  SITE_LAST_REMAINING: 400,
  SUPERUSER_LAST_REMAINING: 400,

  // Reports, periods, segments and archiving
  PERIOD_INVALID: 400,
  DATE_INVALID: 400,
  SEGMENT_INVALID: 400,

  // Authentication
  TOKEN_INVALID: 401,
  ACCESS_DENIED: 401,
  PASSWORD_INCORRECT: 401,
  LOGIN_FAILED: 401,
  LOGIN_BLOCKED: 429,
  SESSION_INVALID: 401,
  CSRF_TOKEN_INVALID: 403,

  // Tracker script
  TRACKER_SCRIPT_MISSING: 500,

  // Tag Manager
  TAG_MANAGER_CONTAINER_NOT_FOUND: 400,
  TAG_MANAGER_VERSION_NOT_FOUND: 400,
  TAG_MANAGER_RUNTIME_MISSING: 500,

  // Tracking API
  TRACKING_PARAMETER_INVALID: 400,
  TRACKING_AUTH_REQUIRED: 400,
  TRACKING_TIME_TOO_OLD: 400,
  TRACKING_BULK_INVALID: 400,
  TRACKING_QUEUE_UNAVAILABLE: 503,

  // Goals
  GOAL_NOT_FOUND: 400,
  GOAL_INVALID: 400,

  // Log import
  LOG_FORMAT_NOT_DETECTED: 400,
  LOG_FILE_UNREADABLE: 400,
  LOG_FORMAT_MISMATCH: 400,
  // Dashboard branding
  BRANDING_INVALID: 400,

  // Custom dimensions
  CUSTOM_DIMENSION_NOT_FOUND: 400,
  CUSTOM_DIMENSION_INVALID: 400,

  // Anything not caught by a more precise code
  INTERNAL: 500,
} as const;

/** One of the stable error codes. */
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * An error that carries a stable code and the HTTP status it maps to.
 *
 * Messages are sentence case, quote the bad value and say what is expected, for example
 * `Invalid period 'qtr'. Use day, week, month, year or range.`
 */
export class FootfallError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  /** Seconds after which the request may succeed, sent as the `Retry-After` header over HTTP. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super(message, options);
    this.name = 'FootfallError';
    this.code = code;
    this.statusCode = ERROR_CODES[code];
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/** Returns true when `error` is a FootfallError, optionally with the given code. */
export function isFootfallError(error: unknown, code?: ErrorCode): error is FootfallError {
  return error instanceof FootfallError && (code === undefined || error.code === code);
}

/** Returns the HTTP status of an error: its own for a FootfallError, 500 for any other. */
export function errorStatusCode(error: unknown): number {
  return isFootfallError(error) ? error.statusCode : 500;
}

/** Quotes a user-supplied value for an error message, shortened so a huge value cannot flood a log. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : stringifyForMessage(value);
  const shortened = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return `'${shortened}'`;
}

/** Turns any value into text for a message; a value JSON cannot print (too deep, circular) becomes its type. */
function stringifyForMessage(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Array.isArray(value) ? '[nested array]' : `[${typeof value}]`;
  }
}
