/** Measures the tracker script's size: the bundle and a tenant's build, raw, gzip -9 and brotli 11. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import { readEnvironment } from '../src/config/environment.js';
import { TRACKER_BUNDLE_PATH, wrapTrackerBundle } from '../src/tracker/tenant-tracker-build.js';

/** The goal for the gzipped tracker, in bytes. */
const GZIP_GOAL_BYTES = 8 * 1024;

function measure(label: string, script: Buffer): { label: string; raw: number; gzip: number; brotli: number } {
  return {
    label,
    raw: script.length,
    gzip: gzipSync(script, { level: 9 }).length,
    brotli: brotliCompressSync(script, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

const bundle = readFileSync(resolve(readEnvironment({}).codeRoot, TRACKER_BUNDLE_PATH));
const tenantBuild = Buffer.from(wrapTrackerBundle(bundle.toString('utf8'), 'stats.example.com', { requireConsent: true, cookieDomain: '*.example.com' }));
const rows = [measure('bundle (dist/tracker/matomo.js)', bundle), measure('tenant build with two defaults', tenantBuild)];

console.log('| script | raw bytes | gzip -9 bytes | brotli 11 bytes |');
console.log('| --- | ---: | ---: | ---: |');
for (const row of rows) console.log(`| ${row.label} | ${row.raw} | ${row.gzip} | ${row.brotli} |`);
const worst = Math.max(...rows.map((row) => row.gzip));
console.log(`\ngzip goal ${GZIP_GOAL_BYTES} bytes: ${worst <= GZIP_GOAL_BYTES ? 'met' : 'missed'} (largest ${worst})`);
if (worst > GZIP_GOAL_BYTES) process.exitCode = 1;
