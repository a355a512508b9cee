/** Runs the real `./console` as a child process against a test root. */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { readEnvironment } from '../../src/config/environment.js';
import { deleteTenant } from '../../src/tenancy/tenant-deleter.js';
import type { TestRoot } from './test-root.js';

/** What one console run printed and how it exited. */
export interface ConsoleRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Path of the `./console` script in the code tree. */
export const CONSOLE_PATH = resolve(readEnvironment({}).codeRoot, 'console');

/** Most milliseconds one console run may take before the test fails it; tenant:create on a server engine takes about one second. */
const CONSOLE_TIMEOUT_MS = 120_000;

/** Runs `./console ARGS` with FOOTFALL_ROOT set to the test root; log lines below `warn` are left out of stderr. */
export function runConsole(root: TestRoot, args: readonly string[]): Promise<ConsoleRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(CONSOLE_PATH, args, {
      env: { ...process.env, FOOTFALL_ROOT: root.dir, FOOTFALL_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: CONSOLE_TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
  });
}

/** Runs a console command that must succeed with `--json` and returns its parsed output. */
export async function runConsoleJson<T = unknown>(root: TestRoot, args: readonly string[]): Promise<T> {
  const run = await runConsole(root, [...args, '--json']);
  if (run.code !== 0) throw new Error(`./console ${args.join(' ')} exited with ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

/** Deletes every tenant of a test root (databases and users included), then removes the root. */
export async function deleteAllTenants(root: TestRoot): Promise<void> {
  for (const host of root.registry.listHosts()) {
    await deleteTenant(root.registry, host).catch(() => undefined);
  }
  await root.cleanup();
}
