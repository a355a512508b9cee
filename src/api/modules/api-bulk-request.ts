/** `API.getBulkRequest`: several API calls in one request, with their results returned in order. */
import { isFootfallError, quote } from '../../errors.js';
import type { ApiCall, ApiMethodRegistry } from '../api-method-registry.js';
import { ApiParams, type RawParam } from '../api-params.js';
import { API_SUCCESS, type ApiValue } from '../api-value.js';

const BULK_METHOD_NAME = 'API.getBulkRequest';

/** Parameters a sub-call may not set, because the outer request decides them. */
const OUTER_ONLY_PARAMETERS = new Set(['token_auth', 'format', 'callback', 'jsoncallback']);

/** Parses one sub-query such as `method=SitesManager.getSiteFromId&idSite=1` into parameters; repeated names become lists. */
export function parseSubQuery(query: string): ApiParams {
  const values: Record<string, RawParam> = {};
  for (const [name, value] of new URLSearchParams(query.replace(/^\?/, ''))) {
    if (OUTER_ONLY_PARAMETERS.has(name)) continue;
    const current = values[name];
    values[name] = current === undefined ? value : [...(Array.isArray(current) ? current : [current]), value];
  }
  return new ApiParams(values);
}

/** Returns a sub-call's result as it appears in the bulk list: scalars as `{"value": x}`, nothing as success. */
function toBulkEntry(value: ApiValue): ApiValue {
  if (value === null || value === undefined) return API_SUCCESS;
  if (typeof value !== 'object') return { value };
  return value;
}

async function runSubCall(call: ApiCall, query: string): Promise<ApiValue> {
  const params = parseSubQuery(query);
  const name = params.optionalString('method') ?? '';
  const method = call.methods!.get(name);
  if (!method) {
    return { result: 'error', message: `The method ${quote(name)} does not exist or is not available.`, code: name === '' ? 'API_METHOD_MISSING' : 'API_METHOD_NOT_FOUND' };
  }
  if (method.name === BULK_METHOD_NAME) {
    return { result: 'error', message: 'API.getBulkRequest cannot be nested in another API.getBulkRequest.', code: 'PARAMETER_INVALID' };
  }
  try {
    // NOTE: every sub-call shares the roles read once for the outer token, so a role that an
    // earlier sub-call changes is not seen by later ones in the same request.
    return toBulkEntry(await method.handler({ ...call, params }));
  } catch (error) {
    if (isFootfallError(error)) return { result: 'error', message: error.message, code: error.code };
    call.logger.error({ tenant: call.tenant.key, err: error, method: method.name }, 'bulk api call errored');
    return { result: 'error', message: 'An internal error occurred. The operator can find the details in the server log.', code: 'INTERNAL' };
  }
}

/** Registers `API.getBulkRequest`. */
export function registerBulkRequest(registry: ApiMethodRegistry): void {
  registry.register({
    name: BULK_METHOD_NAME,
    description: 'Runs several API calls as the same user and returns their results in order; a failing call gives an error entry in its place.',
    parameters: [{ name: 'urls', description: 'URL-encoded query strings, one per call: urls[0]=method%3DAPI.getMatomoVersion&urls[1]=...', required: true }],
    differences: 'Each error entry carries Footfall\'s stable code besides result and message. A sub-call cannot set token_auth or format: the outer request\'s are used.',
    handler: async (call) => {
      if (!call.methods) throw new Error('API.getBulkRequest needs call.methods, the registry to run sub-calls with.');
      const queries = call.params.optionalList('urls') ?? [];
      const results: ApiValue[] = [];
      for (const query of queries) results.push(await runSubCall(call, query));
      return results;
    },
  });
}
