/** Turning the `segment` parameter into what archives are keyed and filtered by. */
import { createHash } from 'node:crypto';
import { NO_SEGMENT, type ArchiveSegment } from '../archiving/archiver.js';
import { compileSegment } from './segment-compiler.js';
import { parseSegment } from './segment-parser.js';

/**
 * Parses and compiles a segment definition; '' gives the unsegmented archive. The archive
 * key is the md5 of the definition as sent, as Matomo keys segmented archives.
 *
 * @throws FootfallError SEGMENT_INVALID for bad grammar or an unknown segment name.
 */
export function buildArchiveSegment(definition: string): ArchiveSegment {
  if (definition.trim() === '') return NO_SEGMENT;
  const expression = parseSegment(definition);
  const condition = { visits: compileSegment(expression, 'visits'), actions: compileSegment(expression, 'actions') };
  return { hash: createHash('md5').update(definition).digest('hex'), condition };
}
