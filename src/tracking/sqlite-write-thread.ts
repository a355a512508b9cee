/**
 * A worker thread that writes SQLite tracking batches, so that the main thread records the next
 * batch in memory while the statements and the COMMIT of the previous one run. One thread
 * serves every SQLite tenant of a process and keeps a connection per tenant file.
 *
 * A batch's ids are counted on the main thread from the table maxima its predecessor leaves.
 * The thread checks those maxima after BEGIN IMMEDIATE, under SQLite's write lock, and rejects
 * the batch when another process wrote in between ('conflict'). After a conflict or a failure
 * the thread rejects the tenant's later batches as well, because they were recorded on top of
 * the rejected one, until the writer sends `resume`. A thread that ends leaves the outcome of
 * its unanswered batches unknown, because it may have ended after a COMMIT.
 */
import { Worker } from 'node:worker_threads';

/** A statement of a batch: SQL text and its parameters. */
export type BatchStatement = readonly [text: string, parameters: readonly unknown[]];

/** Requests the main thread posts to the write thread. */
export type WriteThreadRequest =
  | {
    type: 'write';
    id: number;
    file: string;
    busyTimeoutSeconds: number;
    /** SQL returning one row with the largest id of each table, as named in `expectedMaxima`. */
    maximaText: string;
    expectedMaxima: Record<string, number>;
    statements: readonly BatchStatement[];
  }
  | { type: 'resume'; file: string }
  | { type: 'close' };

/**
 * The outcome of one write request. 'failed' means the batch is not written, because it rolled
 * back or the thread did not start. 'unknown' means the thread ended before replying, so the
 * batch may have committed. `SqliteWriteThread` reports 'unknown', never the thread itself.
 */
export type WriteOutcomeKind = 'committed' | 'conflict' | 'rejected' | 'failed' | 'unknown';

/** The thread's reply to a write request. */
export interface WriteThreadReply {
  id: number;
  outcome: WriteOutcomeKind;
  message?: string;
  code?: string;
}

/** A failed write as the thread reported it, with SQLite's error code when there is one. */
export class WriteThreadError extends Error {
  readonly code: string | undefined;

  constructor(message: string, code?: string) {
    super(message);
    this.name = 'WriteThreadError';
    this.code = code;
  }
}

interface Pending {
  resolve(reply: WriteThreadReply): void;
}

/** The write thread of one process, started by the first write and ended by `close`. */
export class SqliteWriteThread {
  readonly #workerUrl: URL;
  #worker: { worker: Worker; pending: Map<number, Pending> } | undefined;
  #nextId = 1;

  constructor(workerUrl = new URL('./sqlite-write-worker.js', import.meta.url)) {
    this.#workerUrl = workerUrl;
  }

  /**
   * Writes a batch on the thread. Resolves with the thread's reply, with 'failed' when the
   * thread did not start, and with 'unknown' when it ended before replying. Never rejects.
   */
  write(request: Omit<Extract<WriteThreadRequest, { type: 'write' }>, 'type' | 'id'>): Promise<WriteThreadReply> {
    const id = this.#nextId++;
    let current: { worker: Worker; pending: Map<number, Pending> };
    try {
      current = this.#current();
    } catch (error) {
      return Promise.resolve({ id, outcome: 'failed', message: `the SQLite write thread did not start: ${(error as Error).message}` });
    }
    const { worker, pending } = current;
    return new Promise<WriteThreadReply>((resolve) => {
      pending.set(id, { resolve });
      worker.ref();
      worker.postMessage({ type: 'write', id, ...request } satisfies WriteThreadRequest);
    });
  }

  /**
   * Starts the thread before the first batch, so that the batch does not wait for the worker
   * to load its modules. A thread that cannot start is started again by the first write.
   */
  start(): void {
    try {
      this.#current();
    } catch {
      // The first write reports the failure as its batch's outcome.
    }
  }

  /** Lets the thread accept batches of `file` again after a conflict or a failure. */
  resume(file: string): void {
    this.#worker?.worker.postMessage({ type: 'resume', file } satisfies WriteThreadRequest);
  }

  /** Ends the thread after the writes posted so far, whose replies still arrive. */
  async close(): Promise<void> {
    const worker = this.#worker?.worker;
    if (!worker) return;
    this.#worker = undefined;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // An unreferenced worker would let the event loop end before its exit event.
    worker.ref();
    worker.postMessage({ type: 'close' } satisfies WriteThreadRequest);
    await exited;
  }

  /** Returns the running worker and its unanswered requests, or starts one. */
  #current(): { worker: Worker; pending: Map<number, Pending> } {
    if (this.#worker) return this.#worker;
    const worker = new Worker(this.#workerUrl);
    const current = { worker, pending: new Map<number, Pending>() };
    worker.unref();
    worker.on('message', (reply: WriteThreadReply) => {
      const waiting = current.pending.get(reply.id);
      current.pending.delete(reply.id);
      if (current.pending.size === 0) worker.unref();
      waiting?.resolve(reply);
    });
    const fail = (reason: string): void => {
      if (this.#worker === current) this.#worker = undefined;
      // The thread may have ended between a batch's COMMIT and its reply, so the writer checks the stored rows.
      for (const [id, waiting] of current.pending) waiting.resolve({ id, outcome: 'unknown', message: reason });
      current.pending.clear();
    };
    worker.on('error', (error) => fail(`the SQLite write thread failed: ${error.message}`));
    worker.on('exit', (code) => fail(`the SQLite write thread exited with code ${code}`));
    this.#worker = current;
    return current;
  }
}
