/** Parent side of the tracking benchmark's load generator, which runs in a child process. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DRAIN_LIMIT_MS, type LoadPhase, type LoadReply, type LoadResult } from './tracking-load-protocol.js';

/** Time in milliseconds that the generator gets to load its modules and report ready. */
const START_LIMIT_MS = 10_000;
/** Time in milliseconds that the parent waits past the generator's own deadline of a phase before it kills the generator. */
const REPLY_MARGIN_MS = 5_000;
/** Time in milliseconds that the generator gets to exit after the IPC channel closes. */
const EXIT_LIMIT_MS = 5_000;

const GENERATOR_FILE = fileURLToPath(new URL('./tracking-load-generator.js', import.meta.url));

interface PendingReply {
  resolve(reply: LoadReply): void;
  reject(error: Error): void;
}

/** Throws when `result` counts a response that is not 2xx, with the count of every status. */
function ensureSuccessStatuses(phase: LoadPhase, result: LoadResult): void {
  const failed = Object.keys(result.statuses).some((status) => !/^2\d\d$/.test(status));
  if (!failed) return;

  const counts = Object.entries(result.statuses).map(([status, count]) => `${count} x ${status}`).join(', ');
  throw new Error(`The ${phase.kind} phase to ${phase.target.host} got responses that are not 2xx: ${counts}.`);
}

/**
 * Load generator of the tracking benchmark in a child process (`tracking-load-generator.js`),
 * so that its work neither runs on the event loop of the servers it measures nor counts in
 * their process's CPU time. Bare and Footfall servers get the same generator code. The
 * generator exits by itself when a phase runs `DRAIN_LIMIT_MS` past its time limit, and
 * `run` kills it when no reply has come `REPLY_MARGIN_MS` after that.
 *
 * @example
 * const client = await TrackingLoadClient.start();
 * try {
 *   const result = await client.run({ kind: 'closed-loop', target, urls: 'site', count: 20_000, connections: 32, limitMs: 60_000, traffic: 'measured' });
 * } finally {
 *   await client.close();
 * }
 */
export class TrackingLoadClient {
  readonly #child: ChildProcess;
  /** Resolves when the generator has exited. */
  readonly #exited: Promise<void>;
  #pending: PendingReply | undefined;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (message: LoadReply) => this.#pending?.resolve(message));
    child.on('error', (error) => this.#pending?.reject(error));
    // The channel closes after the last message in it has been read, so no reply can follow.
    child.on('disconnect', () => this.#pending?.reject(new Error('Load generator exited or closed its IPC channel without a reply.')));
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /**
   * Forks the generator and waits until it reports ready.
   *
   * @throws Error when it does not report ready within `START_LIMIT_MS`.
   */
  static async start(): Promise<TrackingLoadClient> {
    const child = fork(GENERATOR_FILE, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const client = new TrackingLoadClient(child);
    const reply = await client.#waitForReply(START_LIMIT_MS);
    if (reply.type !== 'ready') throw new Error(`Load generator sent '${reply.type}' at start instead of 'ready'.`);
    return client;
  }

  /**
   * Runs `phase` in the generator and returns its result. Call it again only after it settles.
   *
   * @throws Error when the phase fails or times out, or when a response is not 2xx.
   */
  async run(phase: LoadPhase): Promise<LoadResult> {
    if (!this.#child.connected) throw new Error(`Load generator is not running, so the ${phase.kind} phase cannot start. Its error output above shows why it stopped.`);

    const replied = this.#waitForReply(phase.limitMs + DRAIN_LIMIT_MS + REPLY_MARGIN_MS);
    this.#child.send(phase, (error) => {
      if (error !== null) this.#pending?.reject(error);
    });
    const reply = await replied;
    if (reply.type === 'error') throw new Error(reply.message);
    if (reply.type !== 'result') throw new Error(`Load generator sent '${reply.type}' instead of the result of the ${phase.kind} phase.`);

    ensureSuccessStatuses(phase, reply.result);
    return reply.result;
  }

  /** Closes the IPC channel, which makes the generator exit, and kills it when it is still running after `EXIT_LIMIT_MS`. */
  async close(): Promise<void> {
    if (this.#child.connected) this.#child.disconnect();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), EXIT_LIMIT_MS);
    await this.#exited;
    clearTimeout(timer);
  }

  /** Returns the next reply, and kills the generator when none comes within `limitMs`. */
  #waitForReply(limitMs: number): Promise<LoadReply> {
    if (this.#pending !== undefined) throw new Error('A phase is already running. Await its result before the next run().');

    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending?.reject(new Error(`Load generator sent no reply within ${limitMs} ms, so it was killed.`));
        this.#child.kill('SIGKILL');
      }, limitMs);
      this.#pending = {
        resolve: (reply) => {
          clearTimeout(timer);
          this.#pending = undefined;
          resolve(reply);
        },
        reject: (error) => {
          clearTimeout(timer);
          this.#pending = undefined;
          reject(error);
        },
      };
    });
  }
}
