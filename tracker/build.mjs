// Bundles the browser tracker into dist/tracker/matomo.js; `npm run build:tracker` runs it after type-checking.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const CODE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Default output file of the bundle. */
export const DEFAULT_BUNDLE_FILE = resolve(CODE_ROOT, 'dist/tracker/matomo.js');

/**
 * Bundles and minifies the tracker for ES2020 browsers (2020 on: Chrome 80, Firefox 74, Safari 13.1) into `outfile`, through a temporary
 * file and a rename so that a server never reads half a bundle. Members named `_x` are
 * private to the tracker and shortened; `_paq` is the page's queue and keeps its name.
 */
export async function buildTrackerBundle(outfile = DEFAULT_BUNDLE_FILE) {
  const result = await build({
    entryPoints: [resolve(CODE_ROOT, 'tracker/index.ts')],
    bundle: true, minify: true, format: 'iife', target: 'es2020', legalComments: 'none',
    mangleProps: /^_[a-z]/, reserveProps: /^_paq$/, write: false, logLevel: 'silent',
  });
  mkdirSync(dirname(outfile), { recursive: true });
  const temporary = `${outfile}.${process.pid}.tmp`;
  writeFileSync(temporary, result.outputFiles[0].contents);
  renameSync(temporary, outfile);
  return outfile;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outfile = await buildTrackerBundle(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.error(`tracker bundle written to ${outfile}`);
}
