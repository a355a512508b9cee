/** A `server:run` node process on a fixed 127.0.0.1 port, and bulk tracking requests sent to it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import type { TestRoot } from './test-root.js';

const MAIN = resolve(import.meta.dirname, '../../src/cli/main.js');

/** JSON body of a tracking response. */
export interface TrackingResponseBody {
  status?: string;
  tracked?: number;
}

/** Returns a TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Posts a bulk tracking body with a Host header, which fetch does not let a caller set, and returns the status and JSON body. */
export function postBulk(port: number, host: string, body: string): Promise<{ status: number; body: TrackingResponseBody }> {
  return new Promise((resolveResponse, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, path: '/matomo.php', method: 'POST', headers: { host, 'content-type': 'text/plain' } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => { text += chunk.toString(); });
      response.on('end', () => {
        try {
          resolveResponse({ status: response.statusCode ?? 0, body: JSON.parse(text) as TrackingResponseBody });
        } catch (error) {
          reject(error);
        }
      });
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/**
 * Starts `server:run` on `port` as a direct node child, so that a signal sent to the child reaches
 * the server itself, and resolves once the server logs that it started.
 */
export function startServer(root: TestRoot, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN, 'server:run', '--port', String(port), '--host', '127.0.0.1'], {
    env: { ...process.env, FOOTFALL_ROOT: root.dir }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolveChild, reject) => {
    let output = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"server started"')) resolveChild(child);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before it started: ${output}`)));
  });
}

/** Sends SIGTERM to a server child and resolves once it exits, or at once if it already exited. */
export function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((settle) => child.once('exit', () => settle()));
  child.kill('SIGTERM');
  return exited;
}
