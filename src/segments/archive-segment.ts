/** Turning the `segment` parameter into what archives are keyed and filtered by. */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { NO_SEGMENT, type ArchiveSegment } from '../archiving/archiver.js';
import type { Database } from '../db/schema.js';
import { loadCustomDimensions } from '../reports/CustomDimensions/custom-dimension-store.js';
import { compileSegment, type SegmentSite } from './segment-compiler.js';
import { CUSTOM_DIMENSION_SEGMENT } from './segment-dimensions.js';
import { parseSegment, type SegmentExpression } from './segment-parser.js';

/** Returns whether a segment names a custom dimension as `dimension<id>`. */
function namesCustomDimension(expression: SegmentExpression): boolean {
  return expression.and.some((group) => group.or.some((condition) => CUSTOM_DIMENSION_SEGMENT.test(condition.name)));
}

/**
 * Loads what compiling a segment for one site needs. The site's custom dimensions are read
 * only when the segment names one, so other segments cost no query.
 */
export async function loadSegmentSite(db: Kysely<Database>, siteId: number, expression: SegmentExpression): Promise<SegmentSite> {
  return { siteId, customDimensions: namesCustomDimension(expression) ? await loadCustomDimensions(db, siteId) : [] };
}

/**
 * Prefix of the hashed text for segments that name a custom dimension. Footfall releases that
 * read `dimension<id>` as visit slot <id> keyed those archives by the plain definition's md5,
 * so the prefix keeps their results from being read.
 */
const CUSTOM_DIMENSION_KEY_PREFIX = 'dimension-by-id\u0000';

/**
 * Parses and compiles a segment definition for one site, and an empty one gives the
 * unsegmented archive. The archive key is the md5 of the definition as sent, as Matomo keys
 * segmented archives, prefixed for custom dimension segments. Archives are stored per site,
 * so one definition may compile differently per site.
 *
 * @throws FootfallError SEGMENT_INVALID for bad grammar, an unknown segment name, or a
 *   custom dimension id the site does not have.
 */
export async function buildArchiveSegment(db: Kysely<Database>, siteId: number, definition: string): Promise<ArchiveSegment> {
  if (definition.trim() === '') return NO_SEGMENT;
  const expression = parseSegment(definition);
  const site = await loadSegmentSite(db, siteId, expression);
  const condition = { visits: compileSegment(expression, 'visits', site), actions: compileSegment(expression, 'actions', site) };
  const keyText = namesCustomDimension(expression) ? `${CUSTOM_DIMENSION_KEY_PREFIX}${definition}` : definition;
  return { hash: createHash('md5').update(keyText).digest('hex'), condition };
}

/**
 * Compiles a segment definition over the visits of one site, or returns null for ''.
 *
 * @throws FootfallError SEGMENT_INVALID as `buildArchiveSegment` does.
 */
export async function compileVisitSegment(db: Kysely<Database>, siteId: number, definition: string): Promise<ReturnType<typeof compileSegment> | null> {
  if (definition.trim() === '') return null;
  const expression = parseSegment(definition);
  return compileSegment(expression, 'visits', await loadSegmentSite(db, siteId, expression));
}
