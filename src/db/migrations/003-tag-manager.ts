/** Tag Manager tables: containers, their versions, tags, triggers, variables and releases. */
import type { Kysely } from 'kysely';
import { autoIdColumn, autoIdType, createIndex, withTableOptions, type MigrationContext } from './column-types.js';

/** Creates the Tag Manager tables, named as Matomo's TagManager plugin names them. */
export async function up(db: Kysely<any>, context: MigrationContext): Promise<void> {
  await withTableOptions(db.schema.createTable('tagmanager_container')
    .addColumn('idcontainer', 'varchar(8)', (column) => column.primaryKey())
    .addColumn('idsite', 'integer', (column) => column.notNull())
    .addColumn('context', 'varchar(10)', (column) => column.notNull())
    .addColumn('name', 'varchar(255)', (column) => column.notNull())
    .addColumn('description', 'text', (column) => column.notNull())
    .addColumn('created_date', 'varchar(19)', (column) => column.notNull())
    .addColumn('updated_date', 'varchar(19)', (column) => column.notNull()), context).execute();
  await createIndex(db, context, 'tagmanager_container', 'idsite', ['idsite']);

  await withTableOptions(db.schema.createTable('tagmanager_container_version')
    .addColumn('idcontainerversion', autoIdType(context), autoIdColumn(context))
    .addColumn('idcontainer', 'varchar(8)', (column) => column.notNull())
    .addColumn('idsite', 'integer', (column) => column.notNull())
    .addColumn('name', 'varchar(255)', (column) => column.notNull())
    .addColumn('description', 'text', (column) => column.notNull())
    .addColumn('revision', 'integer', (column) => column.notNull())
    .addColumn('created_date', 'varchar(19)', (column) => column.notNull()), context).execute();
  await createIndex(db, context, 'tagmanager_container_version', 'container', ['idsite', 'idcontainer']);

  for (const [table, idColumn, extra] of [
    ['tagmanager_tag', 'idtag', ['fire_trigger_ids', 'block_trigger_ids', 'fire_limit', 'priority']],
    ['tagmanager_trigger', 'idtrigger', ['conditions']],
    ['tagmanager_variable', 'idvariable', ['default_value']],
  ] as const) {
    let builder = db.schema.createTable(table)
      .addColumn(idColumn, autoIdType(context), autoIdColumn(context))
      .addColumn('idcontainerversion', 'bigint', (column) => column.notNull())
      .addColumn('idsite', 'integer', (column) => column.notNull())
      .addColumn('type', 'varchar(50)', (column) => column.notNull())
      .addColumn('name', 'varchar(255)', (column) => column.notNull())
      .addColumn('parameters', 'text', (column) => column.notNull())
      .addColumn('created_date', 'varchar(19)', (column) => column.notNull());
    for (const column of extra) builder = builder.addColumn(column, column === 'priority' ? 'integer' : 'text', (definition) => (column === 'default_value' ? definition : definition.notNull()));
    await withTableOptions(builder, context).execute();
    await createIndex(db, context, table, 'version', ['idsite', 'idcontainerversion']);
  }

  await withTableOptions(db.schema.createTable('tagmanager_container_release')
    .addColumn('idcontainerrelease', autoIdType(context), autoIdColumn(context))
    .addColumn('idcontainer', 'varchar(8)', (column) => column.notNull())
    .addColumn('idcontainerversion', 'bigint', (column) => column.notNull())
    .addColumn('idsite', 'integer', (column) => column.notNull())
    .addColumn('environment', 'varchar(40)', (column) => column.notNull())
    .addColumn('release_login', 'varchar(100)', (column) => column.notNull())
    .addColumn('release_date', 'varchar(19)', (column) => column.notNull()), context).execute();
  await createIndex(db, context, 'tagmanager_container_release', 'container', ['idsite', 'idcontainer', 'environment']);
}
