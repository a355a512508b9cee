/** Calls of the Reporting API through a test server, for HTTP tests. */
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';

/** What one API call returned. */
export interface ApiTestResponse {
  statusCode: number;
  contentType: string;
  body: string;
  /** The body parsed as JSON. */
  json(): unknown;
}

/**
 * Sends `/index.php?module=API&format=json&...` to the test server with a Host header; with
 * `post` the parameters go in a form body instead of the query string.
 */
export async function callApi(
  app: FastifyInstance, host: string, params: Record<string, string>, options: { post?: boolean } = {},
): Promise<ApiTestResponse> {
  const query = new URLSearchParams({ module: 'API', format: 'json', ...params }).toString();
  const response = options.post
    ? await app.inject({ method: 'POST', url: '/index.php', headers: { host, 'content-type': 'application/x-www-form-urlencoded' }, payload: query })
    : await app.inject({ method: 'GET', url: `/index.php?${query}`, headers: { host } });
  return {
    statusCode: response.statusCode,
    contentType: String(response.headers['content-type'] ?? ''),
    body: response.body,
    json: () => JSON.parse(response.body) as unknown,
  };
}

/**
 * Posts `TagManager.METHOD` with `body` (form-encoded parameters) and the token, asserts a 200
 * response and returns its parsed JSON.
 */
export async function callTagManager(app: FastifyInstance, host: string, token: string, method: string, body: string): Promise<any> {
  const response = await app.inject({
    method: 'POST', url: `/index.php?module=API&format=json&method=TagManager.${method}`,
    headers: { host, 'content-type': 'application/x-www-form-urlencoded' }, payload: `token_auth=${token}&${body}`,
  });
  assert.equal(response.statusCode, 200, response.body);
  return response.json();
}
