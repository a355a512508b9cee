/** The custom dimensions a site configures: name, scope, and the log column slot their values go to. */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { FootfallError, quote } from '../../errors.js';
import { countTenantRegExpGroups, InvalidTenantRegExpError, TENANT_REGEXP_SYNTAX_HINT, type TenantRegExp } from '../../tenant-regexp.js';
import { compileExtractionPattern } from '../../tracking/custom-dimension-extraction.js';

/** The scopes of a custom dimension: one value per visit, or one per action. */
export const CUSTOM_DIMENSION_SCOPES = ['visit', 'action'] as const;

/** One scope of a custom dimension. */
export type CustomDimensionScope = (typeof CUSTOM_DIMENSION_SCOPES)[number];

/** Slots per scope: `log_visit` and `log_link_visit_action` each have `custom_dimension_1` to `custom_dimension_5`. */
export const SLOTS_PER_SCOPE = 5;

/** Maximum length of a dimension name, as the `name` column allows. */
const MAX_NAME_LENGTH = 100;

/** Sources a value can be extracted from: the page URL, one URL parameter, or the page title. */
const EXTRACTION_DIMENSIONS = ['url', 'urlparam', 'action_name'] as const;

/** One extraction rule of a dimension. */
export interface CustomDimensionExtraction {
  dimension: (typeof EXTRACTION_DIMENSIONS)[number];
  pattern: string;
}

/** A configured custom dimension. */
export interface CustomDimension {
  idcustomdimension: number;
  idsite: number;
  name: string;
  /** The slot of its scope's log table, from 1 to `SLOTS_PER_SCOPE`. */
  index: number;
  scope: CustomDimensionScope;
  active: boolean;
  extractions: CustomDimensionExtraction[];
  caseSensitive: boolean;
}

/** The settings a dimension is created or updated with. */
export interface CustomDimensionFields {
  name: string;
  active: boolean;
  extractions: CustomDimensionExtraction[];
  caseSensitive: boolean;
}

function parseExtractions(text: string): CustomDimensionExtraction[] {
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) ? (value as CustomDimensionExtraction[]) : [];
  } catch {
    // A row written by another tool with a bad value keeps working without extractions.
    return [];
  }
}

/** Loads the custom dimensions of a site, active or not, by id. */
export async function loadCustomDimensions(db: Kysely<Database>, siteId: number): Promise<CustomDimension[]> {
  const rows = await db.selectFrom('custom_dimensions').selectAll().where('idsite', '=', siteId).orderBy('idcustomdimension').execute();
  return rows
    .filter((row) => (CUSTOM_DIMENSION_SCOPES as readonly string[]).includes(row.scope))
    .map((row) => ({
      idcustomdimension: Number(row.idcustomdimension), idsite: Number(row.idsite), name: row.name, index: Number(row.index),
      scope: row.scope as CustomDimensionScope, active: Number(row.active) === 1,
      extractions: parseExtractions(row.extractions), caseSensitive: Number(row.case_sensitive) === 1,
    }));
}

/**
 * Loads one custom dimension of a site.
 *
 * @throws FootfallError CUSTOM_DIMENSION_NOT_FOUND when the site has no dimension of this id.
 */
export async function loadCustomDimension(db: Kysely<Database>, siteId: number, idDimension: number): Promise<CustomDimension> {
  const dimension = (await loadCustomDimensions(db, siteId)).find((candidate) => candidate.idcustomdimension === idDimension);
  if (!dimension) {
    throw new FootfallError('CUSTOM_DIMENSION_NOT_FOUND', `Custom dimension ${idDimension} not found for site ${siteId}. Use an id that CustomDimensions.getConfiguredCustomDimensions lists.`);
  }
  return dimension;
}

/** @throws FootfallError CUSTOM_DIMENSION_INVALID for an empty or too long name or a bad extraction. */
function validateFields(fields: CustomDimensionFields): void {
  const name = fields.name.trim();
  if (name === '' || name.length > MAX_NAME_LENGTH) {
    throw new FootfallError('CUSTOM_DIMENSION_INVALID', `Invalid custom dimension name ${quote(fields.name)}. Use 1 to ${MAX_NAME_LENGTH} characters.`);
  }
  for (const extraction of fields.extractions) {
    if (!(EXTRACTION_DIMENSIONS as readonly string[]).includes(extraction.dimension)) {
      throw new FootfallError('CUSTOM_DIMENSION_INVALID', `Invalid extraction dimension ${quote(String(extraction.dimension))}. Use url, urlparam or action_name.`);
    }
    validateExtractionPattern(extraction);
  }
}

/**
 * Checks that only action-scope dimensions have extractions, as in Matomo, because a visit-scope
 * value is not read from one action.
 *
 * @throws FootfallError CUSTOM_DIMENSION_INVALID for extractions on a visit-scope dimension.
 */
function checkExtractionScope(scope: CustomDimensionScope, fields: CustomDimensionFields): void {
  if (scope === 'action' || fields.extractions.length === 0) return;
  throw new FootfallError('CUSTOM_DIMENSION_INVALID', `Invalid extractions for a ${scope}-scope custom dimension. Extractions apply only to action-scope dimensions, so send none.`);
}

/**
 * Checks that the regular expression of a `url` or `action_name` extraction compiles and has
 * exactly one capturing group, the value it extracts. A `urlparam` pattern is a parameter
 * name, and an empty pattern is kept but never applied, as in Matomo.
 *
 * @throws FootfallError CUSTOM_DIMENSION_INVALID naming the pattern.
 */
function validateExtractionPattern(extraction: CustomDimensionExtraction): void {
  if (extraction.dimension === 'urlparam' || extraction.pattern === '') return;
  let pattern: TenantRegExp;
  try {
    pattern = compileExtractionPattern(extraction.pattern, true);
  } catch (error) {
    if (!(error instanceof InvalidTenantRegExpError)) throw error;
    throw new FootfallError('CUSTOM_DIMENSION_INVALID', `Invalid extraction pattern ${quote(extraction.pattern)}: ${error.reason}. ${TENANT_REGEXP_SYNTAX_HINT} An example is ^/blog/([^/]+).`);
  }
  const groups = countTenantRegExpGroups(pattern);
  if (groups !== 1) {
    throw new FootfallError('CUSTOM_DIMENSION_INVALID', `Invalid extraction pattern ${quote(extraction.pattern)}: it has ${groups} capturing groups. Put exactly one part in round brackets, such as index_(.+)\\.html, and use (?:...) for other groups.`);
  }
}

/**
 * Parses a scope.
 *
 * @throws FootfallError CUSTOM_DIMENSION_INVALID for anything but visit or action.
 */
export function parseCustomDimensionScope(raw: string): CustomDimensionScope {
  const scope = raw.trim().toLowerCase();
  if (!(CUSTOM_DIMENSION_SCOPES as readonly string[]).includes(scope)) {
    throw new FootfallError('CUSTOM_DIMENSION_INVALID', `Invalid scope ${quote(raw)}. Use visit or action.`);
  }
  return scope as CustomDimensionScope;
}

/**
 * Creates a custom dimension in the lowest free slot of its scope and returns its id, the
 * next id of the site. Inactive dimensions keep their slot, as in Matomo.
 *
 * @throws FootfallError CUSTOM_DIMENSION_INVALID for bad fields, extractions on a visit-scope
 *   dimension, or when all slots of the scope are used.
 */
export async function createCustomDimension(db: Kysely<Database>, siteId: number, scope: CustomDimensionScope, fields: CustomDimensionFields): Promise<number> {
  validateFields(fields);
  checkExtractionScope(scope, fields);
  return db.transaction().execute(async (transaction) => {
    const existing = await loadCustomDimensions(transaction, siteId);
    const used = new Set(existing.filter((dimension) => dimension.scope === scope).map((dimension) => dimension.index));
    const index = Array.from({ length: SLOTS_PER_SCOPE }, (_, position) => position + 1).find((slot) => !used.has(slot));
    if (index === undefined) {
      throw new FootfallError('CUSTOM_DIMENSION_INVALID', `Site ${siteId} already has ${SLOTS_PER_SCOPE} ${scope}-scope custom dimensions. Deactivate one and reuse it with CustomDimensions.configureExistingCustomDimension.`);
    }
    const id = existing.reduce((max, dimension) => Math.max(max, dimension.idcustomdimension), 0) + 1;
    await transaction.insertInto('custom_dimensions').values({
      idcustomdimension: id, idsite: siteId, name: fields.name.trim(), index, scope,
      active: fields.active ? 1 : 0, extractions: JSON.stringify(fields.extractions), case_sensitive: fields.caseSensitive ? 1 : 0,
    }).execute();
    return id;
  });
}

/**
 * Replaces the name, state, extractions and case sensitivity of a dimension. Its scope and slot never change.
 *
 * @throws FootfallError CUSTOM_DIMENSION_NOT_FOUND or CUSTOM_DIMENSION_INVALID.
 */
export async function updateCustomDimension(db: Kysely<Database>, siteId: number, idDimension: number, fields: CustomDimensionFields): Promise<void> {
  validateFields(fields);
  const current = await loadCustomDimension(db, siteId, idDimension);
  checkExtractionScope(current.scope, fields);
  await db.updateTable('custom_dimensions').set({
    name: fields.name.trim(), active: fields.active ? 1 : 0, extractions: JSON.stringify(fields.extractions), case_sensitive: fields.caseSensitive ? 1 : 0,
  }).where('idsite', '=', siteId).where('idcustomdimension', '=', idDimension).execute();
}
