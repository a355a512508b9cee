/**
 * The SQLite write thread's side: runs the statements of one tracking batch per message in
 * one transaction on the tenant's file, and replies with the outcome. The writer on the main
 * thread meanwhile records the next batch in memory (see sqlite-write-thread.ts).
 */
import { statSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';
import { openSqlite } from '../db/connect.js';
import type { WriteThreadReply, WriteThreadRequest } from './sqlite-write-thread.js';

/** Milliseconds after its last batch that a file's connection is closed. */
const IDLE_CLOSE_MS = 2_000;
/**
 * Prepared statements kept per connection. A batch's statements come in a few dozen shapes,
 * but upserts of invalidated days and drop counts have one text per row count.
 */
const MAX_STATEMENTS_PER_FILE = 200;

interface OpenFile {
  database: SQLite.Database;
  inode: number;
  statements: Map<string, SQLite.Statement>;
  idleTimer: NodeJS.Timeout | undefined;
}

const files = new Map<string, OpenFile>();
/** Files whose last batch failed: their later batches are rejected until the main thread sends `resume`. */
const blockedFiles = new Set<string>();

/** Returns the open connection of a file, opened again when the file was replaced since. */
function connectionOf(file: string, busyTimeoutSeconds: number): OpenFile {
  // A missing file fails the batch here rather than being created empty by openSqlite.
  const inode = statSync(file).ino;
  const open = files.get(file);
  if (open && open.inode === inode) return open;
  if (open) closeFile(file);
  const database = openSqlite({ sqliteFile: file, sqliteBusyTimeoutSeconds: busyTimeoutSeconds });
  const created: OpenFile = { database, inode, statements: new Map(), idleTimer: undefined };
  files.set(file, created);
  return created;
}

function closeFile(file: string): void {
  const open = files.get(file);
  if (!open) return;
  clearTimeout(open.idleTimer);
  files.delete(file);
  open.database.close();
}

/** Returns the prepared statement of an SQL text, keeping at most `MAX_STATEMENTS_PER_FILE`, the oldest going first. */
function prepare(open: OpenFile, text: string): SQLite.Statement {
  let statement = open.statements.get(text);
  if (statement === undefined) {
    statement = open.database.prepare(text);
    if (open.statements.size >= MAX_STATEMENTS_PER_FILE) open.statements.delete(open.statements.keys().next().value!);
    open.statements.set(text, statement);
  }
  return statement;
}

/**
 * Runs one batch in one transaction. The batch is rejected when the table maxima differ from
 * those its ids were counted from, because another process wrote in between.
 */
function writeBatch(request: Extract<WriteThreadRequest, { type: 'write' }>): WriteThreadReply {
  if (blockedFiles.has(request.file)) return { id: request.id, outcome: 'rejected' };
  let open: OpenFile | undefined;
  try {
    open = connectionOf(request.file, request.busyTimeoutSeconds);
    clearTimeout(open.idleTimer);
    open.database.exec('begin immediate');
    try {
      const maxima = prepare(open, request.maximaText).get() as Record<string, number>;
      const expected = request.expectedMaxima;
      if (Object.keys(expected).some((table) => Number(maxima[table]) !== expected[table])) {
        open.database.exec('rollback');
        blockedFiles.add(request.file);
        return { id: request.id, outcome: 'conflict' };
      }
      for (const [text, parameters] of request.statements) prepare(open, text).run(parameters);
      open.database.exec('commit');
    } catch (error) {
      if (open.database.inTransaction) open.database.exec('rollback');
      throw error;
    }
    return { id: request.id, outcome: 'committed' };
  } catch (error) {
    blockedFiles.add(request.file);
    const { message, code } = error as { message?: unknown; code?: unknown };
    return { id: request.id, outcome: 'failed', message: String(message ?? error), code: typeof code === 'string' ? code : undefined };
  } finally {
    if (open && files.get(request.file) === open) {
      const file = request.file;
      open.idleTimer = setTimeout(() => closeFile(file), IDLE_CLOSE_MS);
    }
  }
}

parentPort!.on('message', (request: WriteThreadRequest) => {
  switch (request.type) {
    case 'write':
      parentPort!.postMessage(writeBatch(request));
      break;
    case 'resume':
      blockedFiles.delete(request.file);
      break;
    case 'close':
      for (const file of [...files.keys()]) closeFile(file);
      parentPort!.close();
      break;
  }
});
