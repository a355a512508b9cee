/**
 * SQLite settings for the duration of one archiving run. Archiving a day sorts every action
 * of the day for GROUP BY and count(DISTINCT), and with SQLite's default page cache
 * (16,000 KiB in better-sqlite3 12.x) those sorts spill to temporary files.
 */
import { sql, SqliteAdapter, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * Page cache of the archiving connection, in KiB (a negative `cache_size` counts KiB).
 * Archiving a day of 1,000,000 actions then spends about 0.2 s of system time instead of
 * 0.7 s (bench/archiving.bench.ts sizes, 2-core VM). SQLite allocates pages only when a
 * query uses them, so a small day costs no more than before.
 */
export const ARCHIVING_CACHE_SIZE_KIB = 262_144;

async function readPragma(db: Kysely<Database>, name: string): Promise<number> {
  const result = await sql<Record<string, number>>`PRAGMA ${sql.raw(name)}`.execute(db);
  return Number(Object.values(result.rows[0] ?? {})[0]);
}

async function writePragma(db: Kysely<Database>, name: string, value: number): Promise<void> {
  await sql`PRAGMA ${sql.raw(name)} = ${sql.raw(String(Math.trunc(value)))}`.execute(db);
}

/**
 * Runs `work` with a larger page cache on a SQLite tenant database and restores the previous
 * size afterwards, also when `work` throws, so the server's other requests to the tenant keep
 * the default. Kysely's SQLite dialect has a single connection per Kysely instance, so the
 * setting applies to every query of `work`. On MariaDB and PostgreSQL `work` runs unchanged.
 */
export async function withArchivingPragmas<T>(db: Kysely<Database>, work: () => Promise<T>): Promise<T> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return work();

  const previousCacheSize = await readPragma(db, 'cache_size');
  await writePragma(db, 'cache_size', -ARCHIVING_CACHE_SIZE_KIB);
  try {
    return await work();
  } finally {
    await writePragma(db, 'cache_size', previousCacheSize);
  }
}
