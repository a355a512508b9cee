/** The worker thread that detects devices for `DeviceDetection.prepare`, and the messages it exchanges. */
import { Worker } from 'node:worker_threads';
import type { DeviceInfo } from './hit.js';

/**
 * A request to the detection thread, and its reply. A request without an id makes the thread
 * warm up, and the thread replies without an id once it has.
 */
export type DetectionRequest = { id: number; userAgent: string; uadata: string | undefined } | { id: undefined };
export type DetectionAnswer = { id: number; info: DeviceInfo } | { id: number; error: string } | { id: undefined };

/**
 * User agents that the detection thread detects when it warms up: a desktop Safari scans
 * every device brand's pattern, and the others the mobile, bot and browser lists.
 */
export const WARM_UP_USER_AGENTS: readonly string[] = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15',
  'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
];

/**
 * Maximum number of workers in a row that may end before their first reply. `DetectionThread`
 * then starts no more, because a start costs about 35 ms (estimate from one run on a loaded
 * 2-core VM), and a worker that cannot load its entry would otherwise cost that for every new
 * user agent.
 */
export const MAX_FAILED_THREAD_STARTS = 3;

/**
 * Time limit of one detection on the thread, in milliseconds. A warmed thread detects a new
 * user agent in 1 to 35 ms (one run on a loaded 2-core VM), far below the limit. Every new
 * user agent of every tenant waits behind the one in progress, so a user agent that makes a
 * pattern backtrack holds them up for the limit plus the start and warm-up of a new worker.
 */
export const DEFAULT_DETECTION_TIMEOUT_MS = 2_000;

/** Settings of a `DetectionThread`. */
export interface DetectionThreadOptions {
  /** Time limit of one detection in milliseconds: `DEFAULT_DETECTION_TIMEOUT_MS` unless set. */
  timeoutMs?: number;
  /** Entry module of the worker, `device-detection-worker.js` unless set. Tests pass their own. */
  workerUrl?: URL;
}

/** Maximum delay of `setTimeout`, in milliseconds. Node.js sets a longer one to 1 ms. */
const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * One worker thread that detects devices for `DeviceDetection.prepare`. It starts on the first
 * request or on `warmUp`, keeps the process running only while requests wait, and is started
 * again after it ended or failed, unless `MAX_FAILED_THREAD_STARTS` workers in a row failed
 * before their first reply. Requests waiting on a failed thread are rejected.
 *
 * Each worker warms up before its first request. The worker replies in order, so the request
 * in progress is the oldest one waiting. Its time limit runs from when it became the oldest on
 * a warmed worker, on one unref'd timer per worker. When the limit passes, the worker is ended,
 * that request is rejected with `DetectionTimeoutError`, and the requests behind it go to a
 * new worker.
 */
export class DetectionThread {
  #current: RunningWorker | undefined;
  #nextId = 0;
  #failedStarts = 0;
  readonly #timeoutMs: number;
  readonly #workerUrl: URL;

  /** Throws a RangeError when `timeoutMs` is not a number of milliseconds from 1 to 2^31 - 1. */
  constructor(options: DetectionThreadOptions = {}) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_DETECTION_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMER_DELAY_MS) {
      throw new RangeError(`Invalid device detection timeout ${timeoutMs} ms. Use a whole number of milliseconds from 1 to ${MAX_TIMER_DELAY_MS}.`);
    }
    this.#timeoutMs = timeoutMs;
    this.#workerUrl = options.workerUrl ?? new URL('./device-detection-worker.js', import.meta.url);
  }

  /** True once `MAX_FAILED_THREAD_STARTS` workers in a row failed before their first reply. */
  get gaveUp(): boolean {
    return this.#failedStarts >= MAX_FAILED_THREAD_STARTS;
  }

  /**
   * Sends a user agent to the worker, starting one if none runs. The promise rejects with
   * `DetectionTimeoutError` past the time limit, `DetectionThreadClosedError` after `close`,
   * and another Error when the worker failed or cannot start.
   */
  detect(userAgent: string, uadata: string | undefined): Promise<DeviceInfo> {
    if (this.gaveUp) return Promise.reject(new Error(`the device detection thread failed to start ${this.#failedStarts} times in a row`));
    let current: RunningWorker;
    try {
      current = this.#current ?? this.#start();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const request = { id: this.#nextId++, userAgent, uadata };
    return new Promise<DeviceInfo>((resolve, reject) => this.#send(current, { request, resolve, reject }));
  }

  /** Starts the worker, which warms up at once, unless one runs or the thread was given up. */
  warmUp(): void {
    if (this.#current === undefined && !this.gaveUp) this.#start();
  }

  async close(): Promise<void> {
    const current = this.#current;
    this.#current = undefined;
    if (current === undefined) return;
    clearTimeout(current.timer);
    for (const request of current.waiting.values()) request.reject(new DetectionThreadClosedError());
    current.waiting.clear();
    await current.worker.terminate();
  }

  #start(): RunningWorker {
    const worker = new Worker(this.#workerUrl);
    const current: RunningWorker = { worker, waiting: new Map(), warmedUp: false, timer: undefined };
    worker.unref();
    worker.on('message', (answer: DetectionAnswer) => this.#receive(current, answer));
    // Requests of this worker only: a worker started after this one ended has its own.
    // `close` and `#timeOut` clear `#current` first, so a worker they end is not counted as failed.
    const fail = (error: Error): void => {
      clearTimeout(current.timer);
      if (this.#current === current) {
        this.#current = undefined;
        if (!current.warmedUp) this.#failedStarts += 1;
      }
      for (const request of current.waiting.values()) request.reject(error);
      current.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the device detection thread exited with code ${code}`)));
    // Without the warm-up, the first detection of a worker builds the library's patterns,
    // which takes about a second, and that would count against the first request's limit.
    worker.postMessage({ id: undefined } satisfies DetectionRequest);
    this.#current = current;
    return current;
  }

  #send(current: RunningWorker, waiting: Waiting): void {
    current.waiting.set(waiting.request.id, waiting);
    if (current.waiting.size === 1) {
      current.worker.ref();
      this.#restartTimer(current);
    }
    current.worker.postMessage(waiting.request satisfies DetectionRequest);
  }

  #receive(current: RunningWorker, answer: DetectionAnswer): void {
    this.#failedStarts = 0;
    if (answer.id === undefined) {
      current.warmedUp = true;
      this.#restartTimer(current);
      return;
    }
    const request = current.waiting.get(answer.id);
    if (request === undefined) return;
    current.waiting.delete(answer.id);
    if (current.waiting.size === 0) current.worker.unref();
    this.#restartTimer(current);
    if ('info' in answer) request.resolve(answer.info);
    else request.reject(new Error(answer.error));
  }

  /** Starts the time limit of the oldest waiting request, or stops the timer when none waits or the worker still warms up. */
  #restartTimer(current: RunningWorker): void {
    clearTimeout(current.timer);
    current.timer = undefined;
    if (!current.warmedUp || current.waiting.size === 0) return;
    current.timer = setTimeout(() => this.#timeOut(current), this.#timeoutMs).unref();
  }

  /** Ends a worker whose oldest request ran past the limit, rejects that request, and sends the others to a new worker. */
  #timeOut(stuck: RunningWorker): void {
    const [oldest, ...queued] = stuck.waiting.values();
    stuck.waiting.clear();
    stuck.timer = undefined;
    if (this.#current === stuck) this.#current = undefined;
    void stuck.worker.terminate();
    oldest?.reject(new DetectionTimeoutError(this.#timeoutMs));
    if (queued.length === 0) return;

    let next: RunningWorker;
    try {
      next = this.#start();
    } catch (error) {
      for (const request of queued) request.reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    for (const request of queued) this.#send(next, request);
  }
}

/** Rejection of the requests that wait when `DetectionThread.close` ends their worker. */
export class DetectionThreadClosedError extends Error {
  constructor() {
    super('the device detection thread was closed before it replied');
  }
}

/** Rejection of a request that the worker did not finish within the time limit, after which the worker was ended. */
export class DetectionTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the device detection thread did not reply within ${timeoutMs} ms`);
  }
}

/** A started worker, the requests that wait for its replies in the order sent, and the time limit of the oldest. */
interface RunningWorker {
  worker: Worker;
  waiting: Map<number, Waiting>;
  /** True once the worker replied to its warm-up. The time limit runs only after that. */
  warmedUp: boolean;
  timer: NodeJS.Timeout | undefined;
}

interface Waiting {
  request: Extract<DetectionRequest, { id: number }>;
  resolve(info: DeviceInfo): void;
  reject(error: Error): void;
}
