/** Makes sure the tracker bundle exists before a test serves it. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readEnvironment } from '../../src/config/environment.js';
import { TRACKER_BUNDLE_PATH } from '../../src/tracker/tenant-tracker-build.js';

/**
 * Returns the path of `dist/tracker/matomo.js`, building it with `tracker/build.mjs` when a
 * plain `npm run build` removed it.
 */
export async function ensureTrackerBundle(): Promise<string> {
  const codeRoot = readEnvironment({}).codeRoot;
  const bundle = resolve(codeRoot, TRACKER_BUNDLE_PATH);
  if (existsSync(bundle)) return bundle;
  const builder = await import(pathToFileURL(resolve(codeRoot, 'tracker', 'build.mjs')).href) as { buildTrackerBundle(outfile: string): Promise<string> };
  return builder.buildTrackerBundle(bundle);
}
