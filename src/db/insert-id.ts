/** Reading the id of an inserted row on every engine. */
import type { InsertQueryBuilder, InsertResult, Kysely } from 'kysely';

/**
 * Runs an insert and returns the new auto-increment id. PostgreSQL reports it only through
 * RETURNING, while MySQL has no RETURNING and reports it as the insert id; SQLite does both.
 */
export async function insertReturningId<DB, T extends keyof DB & string>(
  db: Kysely<DB>, insert: InsertQueryBuilder<DB, T, InsertResult>, idColumn: string,
): Promise<number> {
  if (db.getExecutor().adapter.supportsReturning) {
    const row = await (insert as InsertQueryBuilder<DB, T, any>).returning(idColumn as any).executeTakeFirstOrThrow();
    return Number((row as Record<string, unknown>)[idColumn]);
  }
  const result = await insert.executeTakeFirstOrThrow();
  return Number(result.insertId);
}
