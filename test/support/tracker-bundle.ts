/** Makes sure the tracker bundle and the Tag Manager runtime exist before a test serves them. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readEnvironment } from '../../src/config/environment.js';
import { TRACKER_BUNDLE_PATH } from '../../src/tracker/tenant-tracker-build.js';

interface TrackerBuilder {
  buildTrackerBundle(outfile?: string): Promise<string>;
  buildContainerRuntime(outfile?: string): Promise<string>;
}

/**
 * Returns the path of `dist/tracker/matomo.js`, building it and `dist/tracker/container-runtime.js`
 * with `tracker/build.mjs` when a plain `npm run build` removed them.
 */
export async function ensureTrackerBundle(): Promise<string> {
  const codeRoot = readEnvironment({}).codeRoot;
  const bundle = resolve(codeRoot, TRACKER_BUNDLE_PATH);
  const runtime = resolve(codeRoot, 'dist', 'tracker', 'container-runtime.js');
  if (existsSync(bundle) && existsSync(runtime)) return bundle;
  const builder = await import(pathToFileURL(resolve(codeRoot, 'tracker', 'build.mjs')).href) as TrackerBuilder;
  await builder.buildContainerRuntime(runtime);
  return builder.buildTrackerBundle(bundle);
}
