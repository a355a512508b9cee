/** Building the dashboard once before tests that serve it, since `npm run build` empties dist/. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readEnvironment } from '../../src/config/environment.js';
import { DEFAULT_UI_DIR } from '../../src/http/dashboard-routes.js';

/** Longest a build, or the wait for another test file's build, may take. */
const BUILD_LIMIT_MS = 180_000;
const POLL_MS = 250;

const codeRoot = readEnvironment().codeRoot;
const indexFile = resolve(DEFAULT_UI_DIR, 'index.html');
/** A folder made with mkdir, which fails when it exists, so only one test file builds at a time. */
const lockDir = resolve(codeRoot, 'dist', '.ui-build-lock');

/**
 * Runs `npm run build:ui` when dist/ui/index.html is missing. When another test file holds
 * the lock, waits for its build instead.
 *
 * @throws Error when the build fails or does not finish within BUILD_LIMIT_MS.
 */
export async function ensureDashboardBuilt(): Promise<void> {
  if (existsSync(indexFile)) return;
  mkdirSync(resolve(codeRoot, 'dist'), { recursive: true });
  try {
    mkdirSync(lockDir);
  } catch {
    await waitForOtherBuild();
    return;
  }
  try {
    const build = spawnSync('npm', ['run', 'build:ui'], { cwd: codeRoot, encoding: 'utf8', timeout: BUILD_LIMIT_MS });
    if (build.status !== 0) throw new Error(`npm run build:ui failed with ${build.status ?? build.signal}:\n${build.stdout}\n${build.stderr}`);
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

async function waitForOtherBuild(): Promise<void> {
  const deadline = Date.now() + BUILD_LIMIT_MS;
  while (Date.now() < deadline) {
    if (!existsSync(lockDir)) break;
    await sleep(POLL_MS);
  }
  if (!existsSync(indexFile)) throw new Error(`The dashboard build of another test file did not produce ${indexFile}. Run npm run build:ui and look at its output.`);
}
