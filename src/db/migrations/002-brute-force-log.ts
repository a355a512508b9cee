/** The `brute_force_log` table: failed sign-ins, counted per IP address and per login. */
import type { Kysely } from 'kysely';
import { autoIdColumn, autoIdType, createIndex, withTableOptions, type MigrationContext } from './column-types.js';

/** Creates `brute_force_log` with indexes for counting recent failures by IP hash and by login. */
export async function up(db: Kysely<any>, context: MigrationContext): Promise<void> {
  const builder = db.schema.createTable('brute_force_log')
    .addColumn('id_brute_force_log', autoIdType(context), autoIdColumn(context))
    .addColumn('ip_hash', 'varchar(64)', (column) => column.notNull())
    .addColumn('login', 'varchar(100)', (column) => column.notNull())
    .addColumn('attempted_at', 'varchar(19)', (column) => column.notNull());
  await withTableOptions(builder, context).execute();
  await createIndex(db, context, 'brute_force_log', 'ip_hash_attempted', ['ip_hash', 'attempted_at']);
  await createIndex(db, context, 'brute_force_log', 'login_attempted', ['login', 'attempted_at']);
}
