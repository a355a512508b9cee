// Bundles the browser tracker into dist/tracker/matomo.js; `npm run build:tracker` runs it after type-checking.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const CODE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Default output file of the bundle. */
export const DEFAULT_BUNDLE_FILE = resolve(CODE_ROOT, 'dist/tracker/matomo.js');

/** Default output file of the Tag Manager runtime, which each published container wraps. */
export const DEFAULT_CONTAINER_RUNTIME_FILE = resolve(CODE_ROOT, 'dist/tracker/container-runtime.js');

/**
 * Bundles and minifies the tracker for ES2020 browsers (2020 on: Chrome 80, Firefox 74, Safari 13.1) into `outfile`, through a temporary
 * file and a rename so that a server never reads half a bundle. Members named `_x` are
 * private to the tracker and shortened; `_paq` and `_mtm` are the page's queues and keep their names.
 */
export async function buildTrackerBundle(outfile = DEFAULT_BUNDLE_FILE, entry = 'tracker/index.ts') {
  const result = await build({
    entryPoints: [resolve(CODE_ROOT, entry)],
    bundle: true, minify: true, format: 'iife', target: 'es2020', legalComments: 'none',
    mangleProps: /^_[a-z]/, reserveProps: /^_(paq|mtm)$/, write: false, logLevel: 'silent',
  });
  mkdirSync(dirname(outfile), { recursive: true });
  const temporary = `${outfile}.${process.pid}.tmp`;
  writeFileSync(temporary, result.outputFiles[0].contents);
  renameSync(temporary, outfile);
  return outfile;
}

/** Builds the Tag Manager container runtime into `outfile`. */
export async function buildContainerRuntime(outfile = DEFAULT_CONTAINER_RUNTIME_FILE) {
  return buildTrackerBundle(outfile, 'tracker/tag-manager/container-runtime.ts');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.error(`tracker bundle written to ${await buildTrackerBundle()}`);
  console.error(`container runtime written to ${await buildContainerRuntime()}`);
}
