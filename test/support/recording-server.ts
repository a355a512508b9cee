/** A small HTTP server on 127.0.0.1 that serves test pages and records every tracking request it receives. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One tracking request as received. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  contentType: string;
  body: string;
}

/** One hit: a single request, or one entry of a bulk request, with its parameters. */
export interface RecordedHit {
  path: string;
  transport: 'get' | 'post' | 'bulk';
  params: Record<string, string>;
}

function parseQuery(query: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(query.startsWith('?') ? query.slice(1) : query));
}

/** Splits a recorded request into its hits: the entries of a bulk body, else the form body, else the query string. */
export function toHits(request: RecordedRequest): RecordedHit[] {
  if (request.method === 'POST' && request.body.trimStart().startsWith('{')) {
    const bulk = JSON.parse(request.body) as { requests: string[] };
    return bulk.requests.map((entry) => ({ path: request.path, transport: 'bulk' as const, params: parseQuery(entry) }));
  }
  if (request.method === 'POST') return [{ path: request.path, transport: 'post', params: parseQuery(request.body) }];
  return [{ path: request.path, transport: 'get', params: parseQuery(request.query) }];
}

/** A running recording server. */
export interface RecordingServer {
  port: number;
  /** Requests to any path ending in `matomo.php`, in arrival order. */
  requests: RecordedRequest[];
  /** Every hit of the recorded requests, in order. */
  hits(): RecordedHit[];
  /** Sets the HTML served at a path. */
  setPage(path: string, html: string): void;
  /** Resolves once at least `count` hits were recorded; rejects after `timeoutMs` with what arrived. */
  waitForHits(count: number, timeoutMs?: number): Promise<RecordedHit[]>;
  /** Forgets the recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

/** Maximum request body recorded, in bytes. Larger bodies are cut, and no tracker request comes near it. */
const MAX_RECORDED_BODY_BYTES = 1_000_000;

/** Starts a recording server on 127.0.0.1 and a free port. */
export async function startRecordingServer(): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const pages = new Map<string, string>();
  const waiters = new Set<() => void>();
  const hits = (): RecordedHit[] => requests.flatMap(toHits);

  const handle = (request: IncomingMessage, response: ServerResponse, body: string): void => {
    const url = new URL(request.url ?? '/', 'http://recorder.invalid');
    if (url.pathname.endsWith('matomo.php')) {
      requests.push({ method: request.method ?? 'GET', path: url.pathname, query: url.search, contentType: request.headers['content-type'] ?? '', body });
      for (const wake of waiters) wake();
      const origin = request.headers.origin;
      if (origin) response.setHeader('access-control-allow-origin', origin).setHeader('access-control-allow-credentials', 'true');
      response.writeHead(204).end();
      return;
    }
    const page = pages.get(url.pathname) ?? `<!doctype html><title>Landing</title><p>${url.pathname.replace(/[<&>]/g, '')}</p>`;
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page);
  };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_RECORDED_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => handle(request, response, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    port: (server.address() as AddressInfo).port,
    requests,
    hits,
    setPage: (path, html) => { pages.set(path, html); },
    waitForHits(count, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const current = hits();
          if (current.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(current);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} hits within ${timeoutMs} ms, got ${JSON.stringify(hits(), null, 1)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    reset: () => { requests.length = 0; },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
