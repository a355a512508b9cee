/** Column types and table options that differ between SQLite, MariaDB and PostgreSQL. */
import { sql, type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely, type RawBuilder } from 'kysely';
import type { DatabaseAdapter } from '../database-config.js';

/** What a migration knows of the database it runs on. */
export interface MigrationContext {
  adapter: DatabaseAdapter;
  tablesPrefix: string;
}

/** Returns the column type of binary data: BLOB, LONGBLOB or BYTEA. */
export function blobType(context: MigrationContext): RawBuilder<unknown> {
  if (context.adapter === 'mysql') return sql`longblob`;
  if (context.adapter === 'pgsql') return sql`bytea`;
  return sql`blob`;
}

/** Returns the column type of a double-precision number. */
export function doubleType(context: MigrationContext): RawBuilder<unknown> {
  return context.adapter === 'mysql' ? sql`double` : sql`double precision`;
}

/** Returns the column type of an auto-increment id. */
export function autoIdType(context: MigrationContext): RawBuilder<unknown> {
  if (context.adapter === 'pgsql') return sql`bigserial`;
  if (context.adapter === 'mysql') return sql`bigint`;
  return sql`integer`;
}

/** Makes a column the auto-increment primary key on each engine. */
export function autoIdColumn(context: MigrationContext): (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  return (column) => {
    const key = column.primaryKey();
    if (context.adapter === 'sqlite') return key.autoIncrement();
    if (context.adapter === 'mysql') return key.autoIncrement();
    return key;
  };
}

/** Adds the engine's table options: InnoDB and utf8mb4 on MariaDB. */
export function withTableOptions<T extends string, C extends string>(
  builder: CreateTableBuilder<T, C>,
  context: MigrationContext,
): CreateTableBuilder<T, C> {
  if (context.adapter !== 'mysql') return builder;
  return builder.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_general_ci`);
}

/** Creates an index whose name carries the table prefix, since PostgreSQL index names share one namespace. */
export async function createIndex(
  db: Kysely<any>, context: MigrationContext, table: string, name: string, columns: string[], unique = false,
): Promise<void> {
  let builder = db.schema.createIndex(`${context.tablesPrefix}${table}_${name}`).on(table).columns(columns);
  if (unique) builder = builder.unique();
  await builder.execute();
}
