/** The worker thread that detects devices for `DeviceDetection.prepare`, and the messages it exchanges. */
import { Worker } from 'node:worker_threads';
import type { DeviceInfo } from './hit.js';

/** A request to the detection thread, and its reply. A request without an id makes the thread warm up and gets no reply. */
export type DetectionRequest = { id: number; userAgent: string; uadata: string | undefined } | { id: undefined };
export type DetectionAnswer = { id: number; info: DeviceInfo } | { id: number; error: string };

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
 * One worker thread that detects devices for `DeviceDetection.prepare`. It starts on the first
 * request, keeps the process running only while requests wait, and is started again after it
 * ended or failed, unless `MAX_FAILED_THREAD_STARTS` workers in a row failed before their
 * first reply. Requests waiting on a failed thread are rejected.
 */
export class DetectionThread {
  #current: RunningWorker | undefined;
  #nextId = 0;
  #failedStarts = 0;

  /** True once `MAX_FAILED_THREAD_STARTS` workers in a row failed before their first reply. */
  get gaveUp(): boolean {
    return this.#failedStarts >= MAX_FAILED_THREAD_STARTS;
  }

  detect(userAgent: string, uadata: string | undefined): Promise<DeviceInfo> {
    if (this.gaveUp) return Promise.reject(new Error(`the device detection thread failed to start ${this.#failedStarts} times in a row`));
    let current: RunningWorker;
    try {
      current = this.#current ?? this.#start();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const { worker, waiting } = current;
    const id = this.#nextId++;
    return new Promise<DeviceInfo>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      if (waiting.size === 1) worker.ref();
      worker.postMessage({ id, userAgent, uadata } satisfies DetectionRequest);
    });
  }

  warmUp(): void {
    if (this.gaveUp) return;
    const { worker } = this.#current ?? this.#start();
    worker.postMessage({ id: undefined } satisfies DetectionRequest);
  }

  async close(): Promise<void> {
    const current = this.#current;
    this.#current = undefined;
    if (current === undefined) return;
    for (const request of current.waiting.values()) request.reject(new DetectionThreadClosedError());
    current.waiting.clear();
    await current.worker.terminate();
  }

  #start(): RunningWorker {
    const worker = new Worker(new URL('./device-detection-worker.js', import.meta.url));
    const waiting = new Map<number, Waiting>();
    let replied = false;
    worker.unref();
    worker.on('message', (answer: DetectionAnswer) => {
      replied = true;
      this.#failedStarts = 0;
      const request = waiting.get(answer.id);
      if (request === undefined) return;
      waiting.delete(answer.id);
      if (waiting.size === 0) worker.unref();
      if ('info' in answer) request.resolve(answer.info);
      else request.reject(new Error(answer.error));
    });
    // Requests of this worker only: a worker started after this one ended has its own.
    // `close` clears `#current` first, so a worker it ends is not counted as failed.
    const fail = (error: Error): void => {
      if (this.#current?.worker === worker) {
        this.#current = undefined;
        if (!replied) this.#failedStarts += 1;
      }
      for (const request of waiting.values()) request.reject(error);
      waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the device detection thread exited with code ${code}`)));
    this.#current = { worker, waiting };
    return this.#current;
  }
}

/** Rejection of the requests that wait when `DetectionThread.close` ends their worker. */
export class DetectionThreadClosedError extends Error {
  constructor() {
    super('the device detection thread was closed before it replied');
  }
}

/** A started worker and the requests that wait for its replies. */
interface RunningWorker {
  worker: Worker;
  waiting: Map<number, Waiting>;
}

interface Waiting {
  resolve(info: DeviceInfo): void;
  reject(error: Error): void;
}
