/** Calls from the dashboard to its own host: the session routes and the public Reporting API. */

/** The signed-in user as `GET /session` returns it. */
export type SessionView =
  | { signedIn: false }
  | { signedIn: true; login: string; superuser: boolean; token: string; expiresAt: number };

/** An error returned by the server in Matomo's shape, with Footfall's stable code. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(message: string, code: string, status: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

/** Parameters of one Reporting API call besides `method`. */
export type ApiCallParams = Record<string, string | number>;

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(`The server returned an unreadable response (HTTP ${response.status}). Reload the page and try again.`, 'RESPONSE_INVALID', response.status);
  }
}

function toApiError(body: unknown, status: number): ApiError | null {
  if (typeof body !== 'object' || body === null || (body as { result?: unknown }).result !== 'error') return null;
  const { message, code } = body as { message?: unknown; code?: unknown };
  return new ApiError(typeof message === 'string' ? message : 'The request failed.', typeof code === 'string' ? code : 'UNKNOWN', status);
}

/** Reads the current session. */
export async function loadSession(): Promise<SessionView> {
  const response = await fetch('/session', { credentials: 'same-origin', headers: { accept: 'application/json' } });
  const body = await readJson(response);
  const error = toApiError(body, response.status);
  if (error) throw error;
  return body as SessionView;
}

/** Signs in; rejects with an ApiError such as LOGIN_FAILED or LOGIN_BLOCKED. */
export async function signIn(login: string, password: string): Promise<SessionView> {
  const response = await fetch('/login', {
    method: 'POST', credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ login, password }),
  });
  const body = await readJson(response);
  const error = toApiError(body, response.status);
  if (error) throw error;
  return body as SessionView;
}

/** Signs out, sending the session's token so the server can check that the request came from this page. */
export async function signOut(token: string): Promise<void> {
  const response = await fetch('/logout', { method: 'POST', credentials: 'same-origin', headers: { 'x-footfall-token': token } });
  const error = toApiError(await readJson(response), response.status);
  if (error) throw error;
}

function buildApiRequest(method: string, format: string, params: ApiCallParams, sessionToken: string | null): { url: string; body: URLSearchParams } {
  const query = new URLSearchParams({ module: 'API', method, format });
  for (const [name, value] of Object.entries(params)) query.set(name, String(value));
  const body = new URLSearchParams();
  if (sessionToken) {
    body.set('force_api_session', '1');
    body.set('token_auth', sessionToken);
  }
  return { url: `/index.php?${query.toString()}`, body };
}

/**
 * Fetches a report in an export format (csv, tsv, xml, json) as a Blob. The session's token
 * travels in the POST body, never in the URL, so it stays out of histories and server logs.
 */
export async function exportReport(method: string, format: 'csv' | 'tsv' | 'xml' | 'json', params: ApiCallParams, sessionToken: string | null): Promise<Blob> {
  const request = buildApiRequest(method, format, params, sessionToken);
  const response = await fetch(request.url, {
    method: 'POST', credentials: 'same-origin', body: request.body,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  if (!response.ok) {
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Formats other than JSON carry the error in their own shape; the status says enough.
    }
    throw toApiError(parsed, response.status) ?? new ApiError(`The export failed with HTTP ${response.status}.`, 'EXPORT_FAILED', response.status);
  }
  return response.blob();
}

/**
 * Calls a Reporting API method as JSON. With a session token the call carries
 * `force_api_session=1` and the token in the POST body, so it runs as the signed-in user;
 * without one it runs as the anonymous user, which can view only public sites.
 */
export async function callApi<T>(method: string, params: ApiCallParams, sessionToken: string | null, signal?: AbortSignal): Promise<T> {
  const request = buildApiRequest(method, 'json', params, sessionToken);
  const response = await fetch(request.url, {
    method: 'POST', credentials: 'same-origin', body: request.body, signal,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
  });
  const result = await readJson(response);
  const error = toApiError(result, response.status);
  if (error) throw error;
  return result as T;
}
