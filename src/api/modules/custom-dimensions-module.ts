/** Methods of Matomo's `CustomDimensions` module that configure dimensions: create, update, list. */
import { FootfallError, quote } from '../../errors.js';
import {
  createCustomDimension, loadCustomDimension, loadCustomDimensions, parseCustomDimensionScope, updateCustomDimension,
  type CustomDimension, type CustomDimensionExtraction, type CustomDimensionFields,
} from '../../reports/CustomDimensions/custom-dimension-store.js';
import { loadSite } from '../../sites/site-store.js';
import { markSiteChanged } from '../../tracking/site-cache.js';
import type { ApiMethodRegistry, ApiParameterDoc } from '../api-method-registry.js';
import type { ApiParams } from '../api-params.js';
import { API_SUCCESS, type ApiObject } from '../api-value.js';

const EXTRACTION_KEY = /^extractions\[(\d+)\]\[(dimension|pattern)\]$/;

/**
 * Reads `extractions[N][dimension]` and `extractions[N][pattern]`, as Matomo's clients send
 * the array, in the order of N.
 *
 * @throws FootfallError CUSTOM_DIMENSION_INVALID when an extraction lacks its dimension.
 */
function readExtractions(params: ApiParams): CustomDimensionExtraction[] {
  const byIndex = new Map<number, Partial<CustomDimensionExtraction>>();
  for (const [key, raw] of params.entries()) {
    const match = EXTRACTION_KEY.exec(key);
    if (!match) continue;
    const value = Array.isArray(raw) ? raw[raw.length - 1] ?? '' : raw ?? '';
    const entry = byIndex.get(Number(match[1])) ?? {};
    if (match[2] === 'dimension') entry.dimension = value as CustomDimensionExtraction['dimension'];
    else entry.pattern = value;
    byIndex.set(Number(match[1]), entry);
  }
  return [...byIndex.entries()].sort(([left], [right]) => left - right).map(([index, entry]) => {
    if (!entry.dimension) throw new FootfallError('CUSTOM_DIMENSION_INVALID', `Missing extractions[${index}][dimension]. Use url, urlparam or action_name.`);
    return { dimension: entry.dimension, pattern: entry.pattern ?? '' };
  });
}

function readFields(params: ApiParams, caseSensitiveFallback: boolean): CustomDimensionFields {
  return {
    name: params.requiredString('name'),
    active: params.bool('active', false),
    extractions: readExtractions(params),
    caseSensitive: params.bool('caseSensitive', caseSensitiveFallback),
  };
}

/** Returns a dimension in the shape of Matomo's `getConfiguredCustomDimensions`, with database ids as strings. */
function toApiObject(dimension: CustomDimension): ApiObject {
  return {
    idcustomdimension: String(dimension.idcustomdimension), idsite: String(dimension.idsite), name: dimension.name,
    index: String(dimension.index), scope: dimension.scope, active: dimension.active,
    extractions: dimension.extractions.map((extraction) => ({ dimension: extraction.dimension, pattern: extraction.pattern })),
    case_sensitive: dimension.caseSensitive,
  };
}

const SITE_PARAMETER: ApiParameterDoc = { name: 'idSite', description: 'The site id.', required: true };
const FIELD_PARAMETERS: readonly ApiParameterDoc[] = [
  { name: 'name', description: 'The dimension name, 1 to 100 characters.', required: true },
  { name: 'active', description: '1 to store values sent with tracking requests, 0 to ignore them.', required: true },
  { name: 'extractions', description: 'Rules as extractions[N][dimension] (url, urlparam or action_name) and extractions[N][pattern]: a regular expression with one group, or the URL parameter name for urlparam. Action scope only.' },
  { name: 'caseSensitive', description: '1 (the default for a new dimension) to match extraction patterns with case.' },
];

/**
 * Registers `CustomDimensions.configureNewCustomDimension`, `configureExistingCustomDimension`
 * and `getConfiguredCustomDimensions`.
 */
export function registerCustomDimensionsModule(registry: ApiMethodRegistry): void {
  registry.register({
    name: 'CustomDimensions.configureNewCustomDimension',
    description: 'Adds a visit- or action-scope custom dimension to a site in the next free slot of its scope and returns its id.',
    parameters: [SITE_PARAMETER, FIELD_PARAMETERS[0]!, { name: 'scope', description: 'visit or action.', required: true }, ...FIELD_PARAMETERS.slice(1)],
    differences: 'Each scope has 5 slots per site. Extraction patterns use RE2 syntax, not PCRE, so backreferences and lookaround are rejected, and a urlparam pattern matches the parameter name exactly.',
    handler: async ({ tenant, access, params }) => {
      const siteId = params.requiredInt('idSite');
      access.ensure('admin', [siteId]);
      await loadSite(tenant.db(), siteId);
      const scope = parseCustomDimensionScope(params.requiredString('scope'));
      const id = await createCustomDimension(tenant.db(), siteId, scope, readFields(params, true));
      markSiteChanged(tenant.key, siteId);
      return id;
    },
  });

  registry.register({
    name: 'CustomDimensions.configureExistingCustomDimension',
    description: 'Replaces the name, active state, extractions and case sensitivity of a custom dimension. Its scope and slot stay.',
    parameters: [{ name: 'idDimension', description: 'The dimension id.', required: true }, SITE_PARAMETER, ...FIELD_PARAMETERS],
    handler: async ({ tenant, access, params }) => {
      const siteId = params.requiredInt('idSite');
      access.ensure('admin', [siteId]);
      const idDimension = params.requiredInt('idDimension');
      const current = await loadCustomDimension(tenant.db(), siteId, idDimension);
      await updateCustomDimension(tenant.db(), siteId, idDimension, readFields(params, current.caseSensitive));
      markSiteChanged(tenant.key, siteId);
      return API_SUCCESS;
    },
  });

  registry.register({
    name: 'CustomDimensions.getConfiguredCustomDimensions',
    description: 'Returns the custom dimensions of a site, active or not, with scope, slot index and extractions.',
    parameters: [SITE_PARAMETER],
    handler: async ({ tenant, access, params }) => {
      const raw = params.requiredString('idSite');
      if (!/^[0-9]+$/.test(raw)) throw new FootfallError('PARAMETER_INVALID', `Invalid idSite ${quote(raw)}. Use the id of one site.`);
      const siteId = Number(raw);
      access.ensure('view', [siteId]);
      await loadSite(tenant.db(), siteId);
      return (await loadCustomDimensions(tenant.db(), siteId)).map(toApiObject);
    },
  });
}
