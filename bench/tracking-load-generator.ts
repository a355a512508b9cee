/**
 * Load generator of the tracking benchmark. `TrackingLoadClient` forks it as a child process,
 * so that building requests and timing responses do not run on the event loop of the servers
 * it measures. It runs one `LoadPhase` at a time against 127.0.0.1, replies with a
 * `LoadReply`, and exits when the parent closes the IPC channel or dies, and when a phase is
 * still waiting for responses `DRAIN_LIMIT_MS` after its time limit.
 */
import { Agent, request } from 'node:http';
import {
  DRAIN_LIMIT_MS, type BulkPhase, type ClosedLoopPhase, type LatencyPercentiles, type LoadPhase,
  type LoadReply, type LoadResult, type LoadTarget, type PacedPhase, type PageUrlShape,
} from './tracking-load-protocol.js';
import { createRandom, createZipfSampler } from './seeded-random.js';

/** The first visitor number of the warm-up requests, above those of the measured ones. */
const WARM_UP_VISITORS = 100_000;

/** User agents with `{patch}` where each browser's version number goes. */
const USER_AGENT_TEMPLATES = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.{patch}',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.{patch} Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.{patch} Safari/537.36',
  'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.{patch} Mobile Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.{patch} Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.{patch}',
];

/** 6 browsers × 50 versions: 300 distinct user agents, because real traffic has many. */
const USER_AGENTS = USER_AGENT_TEMPLATES.flatMap((template) =>
  Array.from({ length: 50 }, (_, patch) => template.replace('{patch}', String(patch))));
/** 6 browsers × 10 other versions, for the warm-up requests only. */
const WARM_UP_USER_AGENTS = USER_AGENT_TEMPLATES.flatMap((template) =>
  Array.from({ length: 10 }, (_, patch) => template.replace('{patch}', String(100 + patch))));

/** Keep-alive agents by target port and connection count, so that a phase reuses the connections of the one before. */
const agents = new Map<string, Agent>();

/** True while a phase runs. */
let running = false;

function agentFor(target: LoadTarget, connections: number): Agent {
  const key = `${target.port}/${connections}`;
  let agent = agents.get(key);
  if (agent === undefined) {
    agent = new Agent({ keepAlive: true, maxSockets: connections });
    agents.set(key, agent);
  }
  return agent;
}

function send(target: LoadTarget, agent: Agent, path: string, userAgent: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request({
      host: '127.0.0.1', port: target.port, path, agent, method: body === undefined ? 'GET' : 'POST',
      headers: { host: target.host, 'user-agent': userAgent, ...(body === undefined ? {} : { 'content-type': 'text/plain' }) },
    }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** Pages of the generated site. */
const PAGES = 997;
/** Draws the page of each `site` pageview, in the order the phases request them. */
const popularPage = createZipfSampler(PAGES, createRandom(20_261_205));

/** Returns the tracking request path of pageview `index`: one of 500 visitors, and a page URL of the `urls` shape. */
function pageviewPath(index: number, urls: PageUrlShape, firstVisitor = 0): string {
  const visitor = (firstVisitor + (index % 500)).toString(16).padStart(16, '0');
  const page = urls === 'unique' ? index % PAGES : popularPage();
  const query = urls === 'unique' || index % 10 === 0 ? `?ref=${index}` : '';
  return `/matomo.php?idsite=1&rec=1&cid=${visitor}&url=${encodeURIComponent(`https://example.org/page/${page}${query}`)}&action_name=Page%20${page}`;
}

/** Responses counted by HTTP status code. */
class StatusCounts {
  readonly byStatus: Record<string, number> = {};
  /** True once a response was not 2xx, which stops the phase. */
  failed = false;

  add(status: number): void {
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
    if (status < 200 || status > 299) this.failed = true;
  }
}

function secondsSince(started: number): number {
  return (performance.now() - started) / 1000;
}

/**
 * Sends requests `0, 1, ...` with `sendOne`, `connections` at a time, until `count` were
 * started, a response was not 2xx or `limitMs` passed. Returns the phase's result.
 */
async function runInFlight(
  phase: { count: number; connections: number; limitMs: number }, sendOne: (index: number) => Promise<number>,
): Promise<LoadResult> {
  const statuses = new StatusCounts();
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < phase.count && !statuses.failed && performance.now() - started < phase.limitMs) {
      statuses.add(await sendOne(next++));
    }
  };
  await Promise.all(Array.from({ length: phase.connections }, worker));
  return { requests: next, seconds: secondsSince(started), statuses: statuses.byStatus };
}

/** Sends the phase's pageviews with `connections` requests in flight. */
function runClosedLoop(phase: ClosedLoopPhase): Promise<LoadResult> {
  const warmUp = phase.traffic === 'warm-up';
  const userAgents = warmUp ? WARM_UP_USER_AGENTS : USER_AGENTS;
  const firstVisitor = warmUp ? WARM_UP_VISITORS : 0;
  const agent = agentFor(phase.target, phase.connections);
  return runInFlight(phase, (index) => send(phase.target, agent, pageviewPath(index, phase.urls, firstVisitor), userAgents[index % userAgents.length]!));
}

/** Returns the 50th and 99th percentiles, or NaN for both when there are no latencies. */
function computePercentiles(latencies: number[]): LatencyPercentiles {
  if (latencies.length === 0) return { p50: Number.NaN, p99: Number.NaN };

  const sorted = [...latencies].sort((a, b) => a - b);
  const percentile = (share: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))]!;
  return { p50: percentile(0.5), p99: percentile(0.99) };
}

/** Sends the phase's pageviews at a fixed rate (an open loop) and times each one. */
async function runPaced(phase: PacedPhase): Promise<LoadResult> {
  const agent = agentFor(phase.target, phase.connections);
  const statuses = new StatusCounts();
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];

  const started = performance.now();
  for (let index = 0; index < phase.count && !statuses.failed && performance.now() - started < phase.limitMs; index += 1) {
    const due = started + (index * 1000) / phase.ratePerSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));

    const sent = performance.now();
    const path = pageviewPath(phase.firstIndex + index, phase.urls);
    pending.push(send(phase.target, agent, path, USER_AGENTS[index % USER_AGENTS.length]!).then((status) => {
      latencies.push(performance.now() - sent);
      statuses.add(status);
    }));
  }
  await Promise.all(pending);
  return { requests: pending.length, seconds: secondsSince(started), statuses: statuses.byStatus, latency: computePercentiles(latencies) };
}

/** Sends the phase's bulk requests with `connections` requests in flight. */
function runBulk(phase: BulkPhase): Promise<LoadResult> {
  const agent = agentFor(phase.target, phase.connections);
  return runInFlight(phase, (batch) => {
    const first = phase.firstIndex + batch * phase.hitsPerRequest;
    const requests = Array.from({ length: phase.hitsPerRequest }, (_, hit) => pageviewPath(first + hit, phase.urls).replace('/matomo.php', ''));
    return send(phase.target, agent, '/matomo.php', USER_AGENTS[batch % USER_AGENTS.length]!, JSON.stringify({ requests }));
  });
}

function runPhase(phase: LoadPhase): Promise<LoadResult> {
  switch (phase.kind) {
    case 'closed-loop': return runClosedLoop(phase);
    case 'paced': return runPaced(phase);
    case 'bulk': return runBulk(phase);
  }
}

/** Sends `message` to the parent and resolves once it is written, or at once when the channel is closed. */
function reply(message: LoadReply): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || process.send === undefined) {
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

/** Reports `message` to the parent, when it is still connected, and exits with code 1. */
async function fail(message: string): Promise<never> {
  await reply({ type: 'error', message });
  process.exit(1);
}

function isLoadPhase(message: unknown): message is LoadPhase {
  const kind = (message as { kind?: unknown } | null)?.kind;
  return kind === 'closed-loop' || kind === 'paced' || kind === 'bulk';
}

/** Runs the phase in `message` and replies with its result, or reports why it failed and exits. */
async function handleMessage(message: unknown): Promise<void> {
  if (!isLoadPhase(message)) return fail(`Invalid message ${JSON.stringify(message)}. Send a LoadPhase.`);
  if (running) return fail(`Received a ${message.kind} phase while another phase was running. Send the next phase after the reply.`);

  const phase = message;
  const deadlineMs = phase.limitMs + DRAIN_LIMIT_MS;
  const deadline = setTimeout(() => {
    void fail(`The ${phase.kind} phase to ${phase.target.host} timed out: responses were still pending ${deadlineMs} ms after it started.`);
  }, deadlineMs);
  running = true;
  try {
    const result = await runPhase(phase);
    await reply({ type: 'result', result });
  } catch (error) {
    await fail(`The ${phase.kind} phase to ${phase.target.host} failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    clearTimeout(deadline);
    running = false;
  }
}

if (process.send === undefined) {
  process.stderr.write('tracking-load-generator.js has no IPC channel. It runs only as a child process that TrackingLoadClient forks.\n');
  process.exit(2);
}
process.on('message', (message: unknown) => void handleMessage(message));
// The channel closes when the parent closes the client and when the parent process dies.
process.on('disconnect', () => process.exit(running ? 1 : 0));
await reply({ type: 'ready' });
