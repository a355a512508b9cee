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
 * Time limit of one detection on the thread, in milliseconds. Within a minute of a timeout,
 * `DeviceDetection.prepare` also ends the wait of a hit after this long unless `unlimitedWait`
 * is set, and the start and warm-up of a worker (about a second) count against that wait. A warmed thread detects a new
 * user agent in 1 to 35 ms (one run on a loaded 2-core VM), far below the limit.
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
 * Requests wait in a queue on this thread, and the worker gets one at a time: the oldest, once
 * it has warmed up and replied to the one before. A request whose signal aborts while it is
 * still queued leaves the queue, so the worker never receives it. The time limit of the request in
 * progress runs from when it was posted, on one unref'd timer per worker. When the limit
 * passes, the worker is ended, that request is rejected with `DetectionTimeoutError`, and a
 * new worker starts for the requests still queued.
 */
export class DetectionThread {
  #current: RunningWorker | undefined;
  /** Requests not yet posted to a worker, by id, oldest first. */
  readonly #queue = new Map<number, Waiting>();
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

  /** Time limit of one detection, in milliseconds. */
  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /** True once `MAX_FAILED_THREAD_STARTS` workers in a row failed before their first reply. */
  get gaveUp(): boolean {
    return this.#failedStarts >= MAX_FAILED_THREAD_STARTS;
  }

  /** Number of requests queued or in progress. */
  get pending(): number {
    return this.#queue.size + (this.#current?.inProgress === undefined ? 0 : 1);
  }

  /**
   * Queues a user agent for the worker, starting one if none runs. The promise rejects with
   * `DetectionTimeoutError` past the time limit, `DetectionThreadClosedError` after `close`,
   * the signal's reason when `signal` aborts before the request was posted, and another Error
   * when the worker failed or cannot start. An abort after posting changes nothing.
   */
  detect(userAgent: string, uadata: string | undefined, signal?: AbortSignal): Promise<DeviceInfo> {
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    let current: RunningWorker;
    try {
      current = this.#currentOrStart();
    } catch (error) {
      return Promise.reject(toError(error));
    }
    const request = { id: this.#nextId++, userAgent, uadata };
    return new Promise<DeviceInfo>((resolve, reject) => {
      const abort = (): void => {
        if (!this.#queue.delete(request.id)) return;
        this.#unrefWhenIdle();
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', abort, { once: true });
      const waiting: Waiting = {
        request,
        resolve: (info) => {
          signal?.removeEventListener('abort', abort);
          resolve(info);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', abort);
          reject(error);
        },
      };
      this.#queue.set(request.id, waiting);
      current.worker.ref();
      this.#postNext(current);
    });
  }

  /**
   * Starts the worker, which warms up at once, unless one runs. Resolves once that worker has
   * warmed up, and keeps the process running until then. Rejects when the thread was given up
   * or cannot start, or when the worker ends first (with `DetectionThreadClosedError` after `close`).
   */
  warmUp(): Promise<void> {
    let current: RunningWorker;
    try {
      current = this.#currentOrStart();
    } catch (error) {
      return Promise.reject(toError(error));
    }
    // `#receive` lets the process exit again once the warm-up reply arrives and nothing is queued.
    if (!current.warmedUp) current.worker.ref();
    return current.warm.promise;
  }

  /** Ends the worker, and rejects the request in progress and every queued one with `DetectionThreadClosedError`. */
  async close(): Promise<void> {
    const current = this.#current;
    this.#current = undefined;
    if (current === undefined) return;
    clearTimeout(current.timer);
    const cutOff = [...(current.inProgress === undefined ? [] : [current.inProgress]), ...this.#queue.values()];
    current.inProgress = undefined;
    this.#queue.clear();
    current.warm.reject(new DetectionThreadClosedError());
    for (const waiting of cutOff) waiting.reject(new DetectionThreadClosedError());
    await current.worker.terminate();
  }

  /**
   * Returns the running worker, or starts one.
   *
   * @throws Error when the thread was given up, or when the worker cannot start.
   */
  #currentOrStart(): RunningWorker {
    if (this.gaveUp) throw new Error(`the device detection thread failed to start ${this.#failedStarts} times in a row`);
    return this.#current ?? this.#start();
  }

  #start(): RunningWorker {
    const worker = new Worker(this.#workerUrl);
    const current: RunningWorker = { worker, warm: createDeferred(), warmedUp: false, inProgress: undefined, timer: undefined };
    worker.unref();
    worker.on('message', (answer: DetectionAnswer) => this.#receive(current, answer));
    // `close` and `#timeOut` clear `#current` first, so a worker they end is not counted as
    // failed, and the queue, which then belongs to no worker or a newer one, is kept.
    const fail = (error: Error): void => {
      clearTimeout(current.timer);
      current.warm.reject(error);
      const failed = current.inProgress === undefined ? [] : [current.inProgress];
      current.inProgress = undefined;
      if (this.#current === current) {
        this.#current = undefined;
        if (!current.warmedUp) this.#failedStarts += 1;
        failed.push(...this.#queue.values());
        this.#queue.clear();
      }
      for (const waiting of failed) waiting.reject(error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the device detection thread exited with code ${code}`)));
    // Without the warm-up, the first detection of a worker builds the library's patterns,
    // which takes about a second, and that would count against the first request's limit.
    worker.postMessage({ id: undefined } satisfies DetectionRequest);
    this.#current = current;
    return current;
  }

  /** Posts the oldest queued request when the worker is current, warmed up and idle. */
  #postNext(current: RunningWorker): void {
    if (this.#current !== current || !current.warmedUp || current.inProgress !== undefined) return;
    const next = this.#queue.values().next();
    if (next.done === true) {
      current.worker.unref();
      return;
    }
    const waiting = next.value;
    this.#queue.delete(waiting.request.id);
    current.inProgress = waiting;
    current.worker.postMessage(waiting.request satisfies DetectionRequest);
    current.timer = setTimeout(() => this.#timeOut(current), this.#timeoutMs).unref();
  }

  #receive(current: RunningWorker, answer: DetectionAnswer): void {
    this.#failedStarts = 0;
    if (answer.id === undefined) {
      current.warmedUp = true;
      current.warm.resolve();
      this.#postNext(current);
      return;
    }
    const waiting = current.inProgress;
    if (waiting === undefined || waiting.request.id !== answer.id) return;
    clearTimeout(current.timer);
    current.timer = undefined;
    current.inProgress = undefined;
    if ('info' in answer) waiting.resolve(answer.info);
    else waiting.reject(new Error(answer.error));
    this.#postNext(current);
  }

  /** Lets the process exit while the worker has no request in progress or queued. */
  #unrefWhenIdle(): void {
    const current = this.#current;
    if (current !== undefined && current.inProgress === undefined && this.#queue.size === 0) current.worker.unref();
  }

  /** Ends a worker whose request in progress ran past the limit, rejects that request, and starts a new worker for the queued ones. */
  #timeOut(stuck: RunningWorker): void {
    const stuckRequest = stuck.inProgress;
    stuck.inProgress = undefined;
    stuck.timer = undefined;
    if (this.#current === stuck) this.#current = undefined;
    void stuck.worker.terminate();
    stuckRequest?.reject(new DetectionTimeoutError(this.#timeoutMs));
    if (this.#queue.size === 0 || this.#current !== undefined) return;

    try {
      const next = this.#start();
      next.worker.ref();
    } catch (error) {
      const queued = [...this.#queue.values()];
      this.#queue.clear();
      for (const waiting of queued) waiting.reject(toError(error));
    }
  }
}

/** Rejection of the requests that wait when `DetectionThread.close` ends their worker. */
/**
 * The detection threads of one detector, one or more. Each request goes to the thread with
 * the fewest requests waiting, among those not given up, so that a burst of new user agents
 * is detected on several cores at once.
 */
export class DetectionThreadPool {
  readonly #threads: DetectionThread[];

  /** Throws a RangeError when `size` is not a positive integer, or as `DetectionThread` does for `options`. */
  constructor(size: number, options: DetectionThreadOptions = {}) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`Invalid detection thread count ${size}. Use a positive integer.`);
    this.#threads = Array.from({ length: size }, () => new DetectionThread(options));
  }

  /** Time limit of one detection, in milliseconds. */
  get timeoutMs(): number {
    return this.#threads[0]!.timeoutMs;
  }

  /** True once every thread gave up. */
  get gaveUp(): boolean {
    return this.#threads.every((thread) => thread.gaveUp);
  }

  /** Queues a user agent on the least busy thread, as `DetectionThread.detect` does. */
  detect(userAgent: string, uadata: string | undefined, signal?: AbortSignal): Promise<DeviceInfo> {
    let chosen: DetectionThread | undefined;
    for (const thread of this.#threads) {
      if (!thread.gaveUp && (chosen === undefined || thread.pending < chosen.pending)) chosen = thread;
    }
    return (chosen ?? this.#threads[0]!).detect(userAgent, uadata, signal);
  }

  /** Starts and warms up every thread. Rejects as the first thread that fails to warm up does. */
  async warmUp(): Promise<void> {
    await Promise.all(this.#threads.map((thread) => thread.warmUp()));
  }

  /** Ends every thread, as `DetectionThread.close` does. */
  async close(): Promise<void> {
    await Promise.all(this.#threads.map((thread) => thread.close()));
  }
}

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

/** A started worker, its warm-up, and the request in progress with its time limit. */
interface RunningWorker {
  worker: Worker;
  /** Settles when the worker replied to its warm-up or ended before that. */
  warm: Deferred;
  /** True once the worker replied to its warm-up. No request is posted before that. */
  warmedUp: boolean;
  inProgress: Waiting | undefined;
  timer: NodeJS.Timeout | undefined;
}

interface Waiting {
  request: Extract<DetectionRequest, { id: number }>;
  resolve(info: DeviceInfo): void;
  reject(error: Error): void;
}

/** A promise with its resolve and reject functions. A rejection that no caller awaits is not reported as unhandled. */
interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

function createDeferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((resolvePromise, rejectPromise) => {
    resolve = resolvePromise;
    reject = rejectPromise;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
