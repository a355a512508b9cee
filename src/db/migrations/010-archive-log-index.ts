/**
 * Replaces the (idsite, server_time) index of `log_link_visit_action` with one that also
 * holds the columns the day archive of Actions and Events reads, so archiving a day scans
 * only that index instead of looking up every action row in the table.
 */
import type { Kysely } from 'kysely';
import { createIndex, type MigrationContext } from './column-types.js';

/**
 * Columns after (idsite, server_time): the visit and visitor of each action, the page URL
 * and title, time spent, and the columns that tell pageviews, events and content
 * interactions apart, with the event value.
 */
const ARCHIVE_COLUMNS = [
  'idsite', 'server_time', 'idvisit', 'idvisitor', 'idaction_url', 'idaction_name', 'time_spent',
  'idaction_event_category', 'idaction_event_action', 'idaction_content_interaction', 'custom_float',
];

/** Creates the wider index and drops the old one, whose lookups the new index serves with the same leading columns. */
export async function up(db: Kysely<any>, context: MigrationContext): Promise<void> {
  await createIndex(db, context, 'log_link_visit_action', 'idsite_servertime_archive', ARCHIVE_COLUMNS);
  let drop = db.schema.dropIndex(`${context.tablesPrefix}log_link_visit_action_idsite_servertime`);
  // MariaDB names indexes per table, so DROP INDEX needs the table there and nowhere else.
  if (context.adapter === 'mysql') drop = drop.on('log_link_visit_action');
  await drop.execute();
}
