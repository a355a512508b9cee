/**
 * The per-tenant writer: collects hits for a few milliseconds, records them in one
 * transaction (group commit), and only then settles each hit's promise, so the response to
 * a request is sent after its hit is durable. Recording a batch computes its visit and action
 * rows in memory (`WriteBatch`) and writes them at the end with multi-row statements.
 */
import { sql, type CompiledQuery, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DatabaseAdapter } from '../db/database-config.js';
import { splitIntoChunks } from '../db/chunks.js';
import type { Database } from '../db/schema.js';
import { formatUtcDateTime } from '../time.js';
import type { ActionDictionary } from './action-dictionary.js';
import { BatchStatements, CollectedStatements, readTableNames, type BatchTable, type StatementTarget } from './batch-sql.js';
import type { ActionString, DropReason, EnrichedHit } from './hit.js';
import { recordHit } from './hit-recorder.js';
import { beginWithIds, CounterIds, readSqliteMaxima, sqliteMaximaText, type IdSource } from './id-reservation.js';
import { ACTION_TYPE } from './parse-action.js';
import type { TrackedSite } from './site-cache.js';
import { siteDayOf } from './site-day.js';
import { WriteThreadError, type SqliteWriteThread, type WriteThreadReply } from './sqlite-write-thread.js';
import { isBatchStored, listLastInsertedRows, type InsertedRow } from './stored-batch-check.js';
import type { VisitCache, VisitRules } from './visit-identifier.js';
import { VisitPrefetch } from './visit-prefetch.js';
import { WriteBatch } from './write-batch.js';

/** Dependencies and limits of the writer of one tenant. */
export interface TrackingWriterConfig {
  db: () => Kysely<Database>;
  adapter: DatabaseAdapter;
  visits: VisitCache;
  actions: ActionDictionary;
  rulesFor(siteId: number): VisitRules;
  batchMs: number;
  maxHits: number;
  logger: Logger;
  tenant: string;
  /**
   * The SQLite write thread and the tenant's file. With it, a batch's statements and COMMIT run
   * on the thread while the next batch is recorded; without it, every batch runs on `db`.
   */
  writeThread?: { thread: SqliteWriteThread; file: string; busyTimeoutSeconds: number; minHits: number };
}

/** The outcome of writing one hit. */
export type WriteOutcome = 'recorded' | DropReason;

interface WriteJob {
  hit: EnrichedHit;
  tracked: TrackedSite;
  resolve(outcome: WriteOutcome): void;
  reject(error: unknown): void;
}

/** Rows per upsert of invalidated days or drop counts: 4,000 parameters at most, under every engine's limit. */
const MAX_ROWS_PER_UPSERT = 1000;

/** Drops waiting to be counted, by `idsite|day|reason`. */
type DropCounts = Map<string, number>;

/** A batch to write again on the main thread's connection, because the write thread rejected it or it failed there. */
interface RetriedBatch {
  jobs: WriteJob[];
  drops: DropCounts;
}

/** A batch handed to the write thread, with what settling it takes. */
interface SentBatch extends RetriedBatch {
  outcomes: WriteOutcome[];
  visitBatch: number;
  actionBatch: number;
  started: number;
  /** The table maxima the batch leaves once written. */
  end: Record<BatchTable, number>;
  /** The batch's last inserted rows, read back when the thread ended before replying. */
  inserted: InsertedRow[];
}

/** A query that Kysely can run or compile. */
interface RunnableQuery {
  compile(): CompiledQuery;
  execute(): Promise<unknown>;
}

/** Adds `count` drops of one site, day and reason to `drops`. */
function addDrops(drops: DropCounts, siteId: number, day: string, reason: DropReason, count = 1): void {
  const key = `${siteId}|${day}|${reason}`;
  drops.set(key, (drops.get(key) ?? 0) + count);
}

/** Writes the hits and drop counts of one tenant in batches. */
export class TrackingWriter {
  readonly #config: TrackingWriterConfig;
  #queue: WriteJob[] = [];
  #drops: DropCounts = new Map();
  #dropWaiters: (() => void)[] = [];
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #flushing: Promise<void> | undefined;
  /**
   * Number of hits and drop counts in the last batch, at least 1, and infinite before the
   * first batch, so that the first hits wait out `batchMs`. Once as many are queued
   * again, the next batch starts without waiting out `batchMs`, because clients that wait for
   * their responses send about as many requests again as they received responses.
   */
  #lastBatchSize = Number.POSITIVE_INFINITY;
  /** Pre-built statements, for the Kysely instance they were read from. */
  #statements: { db: Kysely<Database>; statements: BatchStatements } | undefined;
  /** The batch on the write thread: resolves once its hits are settled or queued for a retry. Never rejects. */
  #inFlight: Promise<void> | undefined;
  /** The largest ids once the batch on the write thread is written; unknown after a write on `db` or a failure. */
  #predictedMaxima: Record<BatchTable, number> | undefined;
  /** Counts the thread writes that failed, so that a batch recorded meanwhile on top of one is not sent. */
  #failures = 0;
  /** Batches that the write thread rejected or failed, in order, written again on `db` before the next batch. */
  #retries: RetriedBatch[] = [];

  constructor(config: TrackingWriterConfig) {
    this.#config = config;
  }

  /** Queues a hit and resolves once it is committed (or rejects when its transaction failed). */
  write(hit: EnrichedHit, tracked: TrackedSite): Promise<WriteOutcome> {
    return new Promise<WriteOutcome>((resolve, reject) => {
      this.#queue.push({ hit, tracked, resolve, reject });
      this.#schedule();
    });
  }

  /**
   * Counts a dropped hit; the count is saved with the next batch, and the promise resolves
   * once that batch ended. A count that could not be saved is kept for the batch after.
   */
  countDrop(siteId: number, day: string, reason: DropReason): Promise<void> {
    addDrops(this.#drops, siteId, day, reason);
    return new Promise<void>((resolve) => {
      this.#dropWaiters.push(resolve);
      this.#schedule();
    });
  }

  /** Writes everything queued now; resolves when the queue is empty. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    clearImmediate(this.#immediate);
    this.#immediate = undefined;
    while (this.#flushing || this.#queue.length > 0 || this.#drops.size > 0 || this.#inFlight || this.#retries.length > 0) {
      if (this.#flushing) await this.#flushing;
      else if (this.#queue.length > 0 || this.#drops.size > 0 || this.#retries.length > 0) await this.#runBatch();
      else await this.#inFlight;
    }
  }

  #pendingCount(): number {
    return this.#queue.length + this.#dropWaiters.length;
  }

  /**
   * Starts the next batch when as many hits wait as the last batch had (or `maxHits`), else
   * after `batchMs`. A running batch starts the next one itself when it ends.
   */
  #schedule(): void {
    if (this.#flushing || this.#immediate) return;
    if (this.#pendingCount() >= Math.min(this.#lastBatchSize, this.#config.maxHits)) {
      this.#startSoon();
      return;
    }
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#runScheduledBatch();
    }, this.#config.batchMs);
  }

  /**
   * Starts a batch in the check phase of this event loop turn rather than at once. Requests
   * read in the same poll phase then join it. The responses of the batch that just committed,
   * sent from promise callbacks, also go out before a synchronous SQLite batch blocks the loop.
   */
  #startSoon(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#immediate) return;
    this.#immediate = setImmediate(() => {
      this.#immediate = undefined;
      this.#runScheduledBatch();
    });
  }

  /** Runs the batch a timer or immediate was set for, unless `flush` already started one, which starts the next itself when it ends. */
  #runScheduledBatch(): void {
    if (this.#flushing) return;
    if (this.#pendingCount() === 0 && this.#drops.size === 0 && this.#retries.length === 0) return;
    void this.#runBatch();
  }

  #runBatch(): Promise<void> {
    const jobs = this.#queue.splice(0, this.#config.maxHits);
    const drops = this.#drops;
    const dropWaiters = this.#dropWaiters;
    this.#drops = new Map();
    this.#dropWaiters = [];
    this.#lastBatchSize = Math.max(1, jobs.length + dropWaiters.length);
    const written = this.#config.writeThread
      ? this.#writeOnThread(jobs, drops, this.#config.writeThread)
      : this.#commitBatch(jobs, drops).then(() => ({ durable: Promise.resolve() }));
    // A batch handed to the write thread ends its turn here and settles its hits when the thread replies.
    void written.then(({ durable }) => durable).finally(() => {
      for (const resolve of dropWaiters) resolve();
    });
    this.#flushing = written.then(() => undefined).finally(() => {
      this.#flushing = undefined;
      // Hits that arrived during the commit have waited at least as long as it took, so they do not wait out batchMs as well.
      // Drop counts kept after a failed save wait for the timer, so a failing database is not retried in a loop.
      if (this.#pendingCount() > 0 || this.#retries.length > 0) this.#startSoon();
      else if (this.#drops.size > 0) this.#schedule();
    });
    return this.#flushing;
  }

  /**
   * Records a batch in memory on this thread and hands its statements to the write thread.
   * Resolves, once the batch is handed over, with a promise that resolves once its hits are
   * settled (wrapped, so that awaiting the handover does not wait for it). Batches the
   * thread rejected or failed are written again on `db` first. A batch with an order or a cart
   * is written on `db`, because those read and write stored rows at once, and so is a batch of
   * fewer than `minHits` hits, for which handing over costs more than it saves.
   */
  async #writeOnThread(
    jobs: WriteJob[], drops: DropCounts, thread: NonNullable<TrackingWriterConfig['writeThread']>,
  ): Promise<{ durable: Promise<void> }> {
    const done = { durable: Promise.resolve() };
    await this.#writeRetries();
    if (jobs.length === 0 && drops.size === 0) return done;
    if (jobs.length < thread.minHits || jobs.some((job) => job.hit.conversion !== null)) {
      await this.#inFlight;
      await this.#writeRetries();
      await this.#commitBatch(jobs, drops);
      this.#predictedMaxima = undefined;
      return done;
    }
    const previous = this.#inFlight;
    if (this.#predictedMaxima === undefined && previous) {
      await previous;
      await this.#writeRetries();
    }
    const failures = this.#failures;
    const visitBatch = this.#config.visits.beginBatch();
    const actionBatch = this.#config.actions.beginBatch();
    let recorded: {
      outcomes: WriteOutcome[]; collected: CollectedStatements; statements: BatchStatements;
      start: Record<BatchTable, number>; end: Record<BatchTable, number>; inserted: InsertedRow[];
    };
    try {
      const database = this.#config.db();
      const statements = this.#statementsFor(database);
      const start = this.#predictedMaxima ?? await readSqliteMaxima(database, statements);
      const ids = new CounterIds(start, () => Promise.resolve());
      const collected = new CollectedStatements();
      const waitForWrites = async (): Promise<void> => {
        await previous;
      };
      const { outcomes, batch } = await this.#record({ db: database, target: collected, ids, statements, waitForWrites }, jobs, new Map(drops));
      const end = ids.last();
      recorded = { outcomes, collected, statements, start, end, inserted: listLastInsertedRows(batch, start, end) };
    } catch (error) {
      this.#config.logger.warn({ tenant: this.#config.tenant, hits: jobs.length, err: error }, 'tracking batch failed');
      await previous;
      this.#retries.push({ jobs, drops });
      await this.#writeRetries();
      return done;
    }
    // The thread takes one batch at a time, and a batch recorded on top of a failed one is written again instead.
    await previous;
    if (this.#failures !== failures) {
      this.#retries.push({ jobs, drops });
      await this.#writeRetries();
      return done;
    }
    this.#predictedMaxima = recorded.end;
    const started = Date.now();
    const reply = thread.thread.write({
      file: thread.file, busyTimeoutSeconds: thread.busyTimeoutSeconds, maximaText: sqliteMaximaText(recorded.statements),
      expectedMaxima: recorded.start, statements: recorded.collected.list,
    });
    const sent: SentBatch = { jobs, drops, outcomes: recorded.outcomes, visitBatch, actionBatch, started, end: recorded.end, inserted: recorded.inserted };
    const settled = reply.then((answer) => this.#settleThreadWrite(answer, sent));
    const inFlight = settled.finally(() => {
      if (this.#inFlight === inFlight) this.#inFlight = undefined;
    });
    this.#inFlight = inFlight;
    return { durable: inFlight };
  }

  /**
   * Settles the hits of a batch the thread committed, or queues it to be written again. A batch
   * whose thread ended before replying is committed when its rows are stored. Its own maxima
   * then stay predicted, so that a batch recorded on top of it still goes to the thread, which
   * starts again.
   */
  async #settleThreadWrite(reply: WriteThreadReply, sent: SentBatch): Promise<void> {
    if (reply.outcome === 'committed' || (reply.outcome === 'unknown' && await this.#isStoredAfterThreadEnd(reply, sent))) {
      this.#config.actions.commit(sent.actionBatch);
      this.#config.visits.endBatch(sent.visitBatch);
      sent.jobs.forEach((job, index) => job.resolve(sent.outcomes[index]!));
      this.#config.logger.debug({ tenant: this.#config.tenant, hits: sent.jobs.length, durationMs: Date.now() - sent.started }, 'tracking batch committed');
      return;
    }
    if (reply.outcome === 'failed') {
      const error = new WriteThreadError(reply.message ?? 'the SQLite write thread failed', reply.code);
      this.#config.logger.warn({ tenant: this.#config.tenant, hits: sent.jobs.length, err: error }, 'tracking batch failed on the write thread');
    } else if (reply.outcome !== 'unknown') {
      this.#config.logger.debug({ tenant: this.#config.tenant, hits: sent.jobs.length, outcome: reply.outcome }, 'tracking batch to be written again');
    }
    this.#failures += 1;
    this.#predictedMaxima = undefined;
    this.#retries.push({ jobs: sent.jobs, drops: sent.drops });
    if (!this.#flushing) this.#startSoon();
  }

  /**
   * Checks on `db` whether a batch whose write thread ended before replying is stored, because
   * the thread may have ended before or after the batch's COMMIT, and logs the result. A batch
   * whose rows cannot be read counts as not stored, so it is written again rather than
   * acknowledged unwritten.
   */
  async #isStoredAfterThreadEnd(reply: WriteThreadReply, sent: SentBatch): Promise<boolean> {
    const error = new WriteThreadError(reply.message ?? 'the SQLite write thread ended', reply.code);
    // NOTE: a batch that inserted no row (heartbeats and drop counts only) leaves nothing to read
    // back, so it is written again even when it committed, and then adds its drop counts twice.
    let stored = false;
    try {
      const database = this.#config.db();
      stored = await isBatchStored(database, this.#statementsFor(database), sent.end, sent.inserted);
    } catch (checkError) {
      this.#config.logger.warn({ tenant: this.#config.tenant, hits: sent.jobs.length, err: checkError }, 'tracking batch check failed');
    }
    this.#config.logger.warn({ tenant: this.#config.tenant, hits: sent.jobs.length, stored, err: error }, 'write thread ended during a tracking batch');
    return stored;
  }

  /**
   * Writes the batches the thread rejected or failed again on `db`, each in its own transaction
   * with the usual retry of each hit. Every cached visit and unwritten action id is dropped
   * first, because later batches were recorded on top of the failed one.
   */
  async #writeRetries(): Promise<void> {
    if (this.#retries.length === 0) return;
    await this.#inFlight;
    const retries = this.#retries;
    this.#retries = [];
    this.#config.actions.rollback();
    this.#config.visits.clear();
    this.#predictedMaxima = undefined;
    const thread = this.#config.writeThread;
    if (thread) thread.thread.resume(thread.file);
    for (const { jobs, drops } of retries) await this.#commitBatch(jobs, drops);
  }

  async #commitBatch(jobs: WriteJob[], drops: DropCounts): Promise<void> {
    const started = Date.now();
    try {
      const outcomes = await this.#transaction(jobs, drops);
      jobs.forEach((job, index) => job.resolve(outcomes[index]!));
      this.#config.logger.debug({ tenant: this.#config.tenant, hits: jobs.length, durationMs: Date.now() - started }, 'tracking batch committed');
    } catch (error) {
      this.#config.logger.warn({ tenant: this.#config.tenant, hits: jobs.length, err: error }, 'tracking batch failed');
      if (jobs.length === 0) {
        this.#config.logger.error({ tenant: this.#config.tenant, drops: Object.fromEntries(drops), err: error }, 'tracking drop counts not saved');
        return;
      }
      if (jobs.length === 1) {
        jobs[0]!.reject(error);
      } else {
        // One bad hit must not fail its neighbours: each is tried again in its own transaction.
        for (const job of jobs) await this.#commitBatch([job], new Map());
      }
      // The next batch saves the drop counts. If that batch has no hits and fails too, it logs
      // the counts as lost, so a failing database is not retried in a loop.
      for (const [key, count] of drops) this.#drops.set(key, (this.#drops.get(key) ?? 0) + count);
    }
  }

  #statementsFor(db: Kysely<Database>): BatchStatements {
    if (this.#statements?.db !== db) this.#statements = { db, statements: new BatchStatements(this.#config.adapter, readTableNames(db)) };
    return this.#statements.statements;
  }

  async #transaction(jobs: WriteJob[], pendingDrops: DropCounts): Promise<WriteOutcome[]> {
    const { visits, actions } = this.#config;
    const drops = new Map(pendingDrops);
    const database = this.#config.db();
    const statements = this.#statementsFor(database);
    // Set once COMMIT succeeded: from then on the batch is durable, and an error must not
    // make the caller write its hits a second time.
    let outcomes: WriteOutcome[] | undefined;
    try {
      await database.connection().execute(async (db) => {
        const ids = await beginWithIds(db, statements, jobs.length);
        try {
          const { outcomes: results } = await this.#record({ db, target: db, ids, statements }, jobs, drops);
          await statements.run(db, 'commit');
          outcomes = results;
        } catch (error) {
          await statements.run(db, 'rollback').catch((rollbackError: unknown) => {
            this.#config.logger.warn({ tenant: this.#config.tenant, err: rollbackError }, 'tracking batch rollback failed');
          });
          throw error;
        } finally {
          // The batch's outcome is settled by now, so a failed release is only logged. MariaDB frees the lock with the session anyway.
          await ids.release().catch((releaseError: unknown) => {
            this.#config.logger.warn({ tenant: this.#config.tenant, err: releaseError }, 'tracking write lock release failed');
          });
        }
      });
    } catch (error) {
      if (outcomes === undefined) {
        actions.rollback();
        // Visit states were changed in place by the rolled-back hits, so none of them can be trusted.
        visits.clear();
        throw error;
      }
      this.#config.logger.warn({ tenant: this.#config.tenant, hits: jobs.length, err: error }, 'tracking batch committed, then its connection failed');
    }
    actions.commit();
    visits.endBatch();
    // The callback above either set the outcomes or threw.
    return outcomes as WriteOutcome[];
  }

  /**
   * Records the hits of a batch and writes the batch's rows to `target`: inside the batch's open
   * transaction on `db`, or into statements for the write thread, with `db` then only read.
   * Returns each hit's outcome and the rows written.
   */
  async #record(
    { db, target, ids, statements, waitForWrites }: {
      db: Kysely<Database>; target: StatementTarget; ids: IdSource; statements: BatchStatements; waitForWrites?: () => Promise<void>;
    },
    jobs: WriteJob[], drops: DropCounts,
  ): Promise<{ outcomes: WriteOutcome[]; batch: WriteBatch }> {
    const { visits, actions } = this.#config;
    const batch = new WriteBatch();
    const strings: (ActionString | null)[] = [];
    for (const job of jobs) addActionStrings(strings, job.hit);
    await actions.prefetch(db, statements, strings);
    ids.expect('log_action', actions.missingCount);
    const rulesBySite = new Map<number, VisitRules>();
    const hits = jobs.map((job) => {
      let rules = rulesBySite.get(job.hit.siteId);
      if (rules === undefined) {
        rules = this.#config.rulesFor(job.hit.siteId);
        rulesBySite.set(job.hit.siteId, rules);
      }
      return { hit: job.hit, rules };
    });
    const prefetch = await VisitPrefetch.read(db, statements, hits, visits);

    const results: WriteOutcome[] = [];
    const days = new Map<string, { siteId: number; day: string }>();
    for (let index = 0; index < jobs.length; index += 1) {
      const { hit, rules } = hits[index]!;
      const outcome = await recordHit({ db, ids, batch, visits, actions, rules, prefetch, waitForWrites }, hit, jobs[index]!.tracked);
      results.push(outcome);
      const day = siteDayOf(hit.time.getTime(), hit.site.timezone);
      if (outcome === 'recorded') days.set(`${hit.siteId}|${day}`, { siteId: hit.siteId, day });
      else addDrops(drops, hit.siteId, day, outcome);
    }
    await statements.flush(target, batch);
    await this.#saveInvalidations(db, target, [...days.values()]);
    await this.#saveDrops(db, target, drops);
    return { outcomes: results, batch };
  }

  /**
   * Marks each (site, day in the site's time zone) that received hits, for core:archive, with one
   * statement per 1,000 days. A mark written again replaces core:archive's claim on it, so
   * core:archive keeps the mark. A report request compares the mark's time with the start of
   * an archive's computation. A batch on the write thread can commit seconds after it was
   * recorded, so on SQLite the mark takes the time its statement runs.
   */
  async #saveInvalidations(db: Kysely<Database>, target: StatementTarget, days: { siteId: number; day: string }[]): Promise<void> {
    const now = this.#config.adapter === 'sqlite' ? sql<string>`strftime('%Y-%m-%d %H:%M:%S', 'now')` : formatUtcDateTime(new Date());
    for (const chunk of splitIntoChunks(days, MAX_ROWS_PER_UPSERT)) {
      const rows = chunk.map(({ siteId, day }) => ({ idsite: siteId, date: day, ts_invalidated: now }));
      const insert = db.insertInto('archive_invalidations').values(rows);
      await runQuery(target, this.#config.adapter === 'mysql'
        ? insert.onDuplicateKeyUpdate({ ts_invalidated: now })
        : insert.onConflict((conflict) => conflict.columns(['idsite', 'date']).doUpdateSet({ ts_invalidated: now })));
    }
  }

  /**
   * Adds the drop counts to `tracking_drop` with one statement per 1,000 counts. The keys of
   * `drops` are distinct, as PostgreSQL requires of the rows of one upsert.
   */
  async #saveDrops(db: Kysely<Database>, target: StatementTarget, drops: DropCounts): Promise<void> {
    const counts = [...drops].map(([key, count]) => {
      const [siteId, day, reason] = key.split('|') as [string, string, string];
      return { idsite: Number(siteId), date: day, reason, count };
    });
    for (const chunk of splitIntoChunks(counts, MAX_ROWS_PER_UPSERT)) {
      const insert = db.insertInto('tracking_drop').values(chunk);
      await runQuery(target, this.#config.adapter === 'mysql'
        ? insert.onDuplicateKeyUpdate({ count: sql`${sql.ref('count')} + values(${sql.ref('count')})` })
        : insert.onConflict((conflict) => conflict.columns(['idsite', 'date', 'reason'])
          .doUpdateSet((eb) => ({ count: eb(eb.ref('tracking_drop.count'), '+', eb.ref('excluded.count')) }))));
    }
  }
}

/** Runs a query on the batch's connection, or adds it to the statements for the write thread. */
async function runQuery(target: StatementTarget, query: RunnableQuery): Promise<void> {
  if (target instanceof CollectedStatements) {
    const { sql: text, parameters } = query.compile();
    target.list.push([text, parameters]);
  } else {
    await query.execute();
  }
}

/**
 * Adds every `log_action` string a hit may need to `strings`: its action's and its e-commerce
 * items'. It pushes into one list because a batch's `flatMap` over its hits cost about 4% of
 * an import's main thread in a CPU profile.
 */
function addActionStrings(strings: (ActionString | null)[], hit: EnrichedHit): void {
  for (const string of Object.values(hit.action.strings)) strings.push(string);
  for (const item of hit.conversion?.items ?? []) {
    if (item.sku) strings.push({ value: item.sku, type: ACTION_TYPE.ecommerceSku });
    if (item.name) strings.push({ value: item.name, type: ACTION_TYPE.ecommerceName });
    for (const category of item.categories.slice(0, 5)) {
      if (category) strings.push({ value: category, type: ACTION_TYPE.ecommerceCategory });
    }
  }
}
