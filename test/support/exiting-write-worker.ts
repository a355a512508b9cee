/**
 * Entry of a test SQLite write thread. It runs `sqlite-write-worker` but ends the thread at the
 * COMMIT of every batch, as a crash would: before the COMMIT when the environment variable
 * `WRITE_THREAD_EXIT_ENV` is 'before-commit', and after it, before the reply, when it is
 * 'after-commit'. Any other value leaves the thread as it is.
 */
import { parentPort } from 'node:worker_threads';
import SQLite from 'better-sqlite3';

/**
 * Environment variable that sets when the thread ends. A worker copies the environment of the
 * main thread when it starts, so a test sets it before the thread starts.
 */
export const WRITE_THREAD_EXIT_ENV = 'FOOTFALL_TEST_WRITE_THREAD_EXIT';

/** When the thread ends, relative to a batch's COMMIT. */
export type WriteThreadExit = 'before-commit' | 'after-commit';

// The test imports this module for the constant, and there it has no parent port and does nothing.
if (parentPort !== null) {
  const exitAt = process.env[WRITE_THREAD_EXIT_ENV];
  const exec = SQLite.prototype.exec;
  SQLite.prototype.exec = function execThenExit(this: SQLite.Database, source: string): SQLite.Database {
    if (source !== 'commit') return exec.call(this, source);
    if (exitAt === 'before-commit') process.exit(1);
    const database = exec.call(this, source);
    if (exitAt === 'after-commit') process.exit(1);
    return database;
  };
  await import('../../src/tracking/sqlite-write-worker.js');
}
