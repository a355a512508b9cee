/**
 * Messages between the tracking benchmark and its load generator, a child process that
 * `TrackingLoadClient` forks and `tracking-load-generator.ts` implements. The child runs one
 * phase at a time and sends one reply for each.
 */

/**
 * Time in milliseconds that a phase may run past its `limitMs` while the requests already
 * sent get their responses. After it the generator reports the phase as timed out and exits.
 */
export const DRAIN_LIMIT_MS = 10_000;

/** Server under test. Requests go to 127.0.0.1 on `port`, with `host` as the Host header. */
export interface LoadTarget {
  port: number;
  host: string;
}

/**
 * Page URLs of the generated pageviews, as `BENCH_TRACKING_URLS` names them. `site`: 997 pages
 * drawn by popularity (Zipf weights), and one pageview in ten with a query string of its own, as
 * a site's long tail of URLs. `unique`: every pageview has a URL of its own, so that every hit
 * adds a `log_action` row, the writer's worst case.
 */
export const PAGE_URL_SHAPES = ['site', 'unique'] as const;
export type PageUrlShape = (typeof PAGE_URL_SHAPES)[number];

/** Fields of every phase. */
interface LoadPhaseBase {
  target: LoadTarget;
  urls: PageUrlShape;
  /** Max keep-alive connections to the target, which is also the number of requests in flight in closed-loop and bulk phases. */
  connections: number;
  /** Time in milliseconds after which the phase sends no new request. */
  limitMs: number;
}

/**
 * Single pageviews with `connections` requests in flight until `count` requests are sent.
 * Warm-up traffic comes from other visitors and user agents than measured traffic.
 */
export interface ClosedLoopPhase extends LoadPhaseBase {
  kind: 'closed-loop';
  count: number;
  traffic: 'warm-up' | 'measured';
}

/**
 * Single pageviews sent at `ratePerSecond` whatever the responses (an open loop). Request
 * `index` gets the page URL and query string of pageview number `firstIndex + index`.
 */
export interface PacedPhase extends LoadPhaseBase {
  kind: 'paced';
  count: number;
  ratePerSecond: number;
  firstIndex: number;
}

/**
 * Bulk tracking requests of `hitsPerRequest` pageviews each, with `connections` requests in
 * flight until `count` requests are sent. The pageviews are numbered from `firstIndex`.
 */
export interface BulkPhase extends LoadPhaseBase {
  kind: 'bulk';
  count: number;
  hitsPerRequest: number;
  firstIndex: number;
}

/** One phase of load that the parent sends to the generator. */
export type LoadPhase = ClosedLoopPhase | PacedPhase | BulkPhase;

/** Latency percentiles in milliseconds, from sending a request to the end of its response. */
export interface LatencyPercentiles {
  p50: number;
  p99: number;
}

/** Outcome of one phase, measured inside the generator. */
export interface LoadResult {
  /** Requests that got a response. */
  requests: number;
  /** Seconds from the start of the phase to the last response. */
  seconds: number;
  /** Responses by HTTP status code. */
  statuses: Record<string, number>;
  /** Paced phases only. */
  latency?: LatencyPercentiles;
}

/** Message from the generator: ready for phases, the result of a phase, or why it failed. */
export type LoadReply =
  | { type: 'ready' }
  | { type: 'result'; result: LoadResult }
  | { type: 'error'; message: string };
