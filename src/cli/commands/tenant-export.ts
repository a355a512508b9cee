/** `tenant:export HOST --output=FILE`: a portable archive of a tenant's config, files and data. */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FootfallError, quote } from '../../errors.js';
import { countRows } from '../../tenancy/tenant-archive-format.js';
import { parseTenantHostArgument } from '../../tenancy/tenant-host.js';
import { exportTenant } from '../../tenancy/tenant-exporter.js';
import type { GlobalCommand } from '../command-definition.js';
import { requireOption } from '../option-parsers.js';

/** @throws FootfallError PARAMETER_INVALID when the folder of `output` does not exist, before any row is read. */
function ensureOutputFolder(output: string): void {
  const folder = dirname(output);
  if (statSync(folder, { throwIfNoEntry: false })?.isDirectory() === true) return;
  throw new FootfallError('PARAMETER_INVALID', `Invalid --output ${quote(output)}: the folder ${quote(folder)} does not exist. Create it first, or pass a file in an existing folder.`);
}

export const tenantExportCommand: GlobalCommand = {
  kind: 'global',
  name: 'tenant:export',
  description: 'Write a tenant\'s config, files and every table\'s rows to a gzip archive of JSON lines that tenant:import restores on any engine. '
    + 'The archive holds the salt and password hashes (never the database password): keep it private.',
  arguments: [{ name: 'host', description: 'host name of the tenant', required: true }],
  options: [{ flags: '--output <file>', description: 'archive file to write, such as stats.example.com.footfall.gz (required)' }],
  async run(context, args, options) {
    const host = parseTenantHostArgument(args[0]);
    const output = resolve(requireOption(options, 'output', '--output'));
    ensureOutputFolder(output);
    const tenant = context.registry.require(host);
    const result = await exportTenant(tenant, output, context.clock);
    const rowCount = countRows(result.rows);
    context.logger.info({ tenant: host, files: result.files, rows: rowCount }, 'tenant exported');
    return { data: result, text: `Exported ${host} (schema version ${result.schemaVersion}, ${result.files} files, ${rowCount} rows) to ${output}.` };
  },
};
