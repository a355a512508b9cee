/** Running `./console server:run` as a child process against a test root. */
import { spawn, type ChildProcess } from 'node:child_process';
import { CONSOLE_PATH } from './console-runner.js';

/** A `server:run` child process and the port it listens on. */
export interface ServerProcess {
  child: ChildProcess;
  port: number;
  /** stdout so far, where a first start prints the superuser's credentials. */
  stdout(): string;
  stop(): Promise<void>;
}

/** Starts `./console server:run --host 127.0.0.1 --port 0` and waits until it logs its port. */
export function startServerProcess(root: string, extraArgs: string[] = [], timeoutMs = 30_000): Promise<ServerProcess> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(CONSOLE_PATH, ['server:run', '--host', '127.0.0.1', '--port', '0', ...extraArgs], {
      env: { ...process.env, FOOTFALL_ROOT: root }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`server did not start within ${timeoutMs} ms\n${stderr}`)); }, timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /"port":(\d+)[^\n]*"server started"/.exec(stderr) ?? /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (!match) return;
      clearTimeout(timer);
      resolvePromise({
        child, port: Number(match[1]), stdout: () => stdout,
        stop: () => new Promise((done) => { child.once('close', () => done()); child.kill('SIGTERM'); }),
      });
    });
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}\n${stderr}`)); });
  });
}
