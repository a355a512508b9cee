/** `tenant:import FILE [--as=HOST] [--db-adapter=...]`: restore a tenant:export archive, possibly on another engine. */
import { resolve } from 'node:path';
import { provisionDatabase } from '../../db/database-provisioner.js';
import { countRows } from '../../tenancy/tenant-archive-format.js';
import { parseTenantHostArgument } from '../../tenancy/tenant-host.js';
import { importTenant } from '../../tenancy/tenant-importer.js';
import type { GlobalCommand } from '../command-definition.js';
import { parseDbAdapter } from '../option-parsers.js';

export const tenantImportCommand: GlobalCommand = {
  kind: 'global',
  name: 'tenant:import',
  description: 'Create a tenant from a tenant:export archive: a new database with new credentials, every row with its ids, the files and the config.',
  arguments: [{ name: 'file', description: 'archive written by tenant:export', required: true }],
  options: [
    { flags: '--as <host>', description: 'host name of the new tenant (default: the host the archive was exported from)' },
    { flags: '--db-adapter <adapter>', description: 'database engine of the new tenant: sqlite, mysql or pgsql (default: the archive\'s)' },
  ],
  async run(context, args, options) {
    const file = resolve(args[0] ?? '');
    const host = options.as === undefined ? undefined : parseTenantHostArgument(options.as as string);
    const dbAdapter = options.dbAdapter === undefined ? undefined : parseDbAdapter(options.dbAdapter as string);
    const result = await importTenant(context.registry, { file, host, dbAdapter }, provisionDatabase);
    const rowCount = countRows(result.rows);
    context.logger.info({ tenant: result.host, dbAdapter: result.dbAdapter, files: result.files, rows: rowCount }, 'tenant imported');
    return { data: result, text: `Imported ${result.sourceHost} as ${result.host} on ${result.dbAdapter} (${result.files} files, ${rowCount} rows).` };
  },
};
