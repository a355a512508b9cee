/**
 * Adds a partial index of the actions that have a page timing or a product view, so the day
 * archive checks those columns by reading only such actions. Most days have none, and
 * without the index that check looks up every action row of the day in the table.
 */
import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './column-types.js';

/**
 * Columns of which at least one is set on an indexed action. The archiving query repeats the
 * index's WHERE term (`hasOptionalActionColumn` in src/reports/log-contents.ts), because SQLite
 * uses a partial index only for a query whose WHERE contains that term.
 */
export const OPTIONAL_ACTION_COLUMNS = [
  'time_network', 'time_server', 'time_transfer', 'time_dom_processing', 'time_dom_completion', 'time_on_load',
  'idaction_product_sku', 'idaction_product_name', 'idaction_product_cat',
] as const;

/**
 * Creates the index on SQLite and PostgreSQL. MariaDB has no partial indexes, so there the
 * migration changes nothing and the check keeps reading the action rows.
 */
export async function up(db: Kysely<any>, context: MigrationContext): Promise<void> {
  if (context.adapter === 'mysql') return;
  const anyOptional = sql`coalesce(${sql.join(OPTIONAL_ACTION_COLUMNS.map((column) => sql.ref(column)))})`;
  await db.schema.createIndex(`${context.tablesPrefix}log_link_visit_action_idsite_servertime_optional`)
    .on('log_link_visit_action')
    .columns(['idsite', 'server_time'])
    .where(anyOptional, 'is not', null)
    .execute();
}
