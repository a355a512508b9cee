/** Writing a tenant's config, files and every table's rows into a portable archive (`tenant:export`). */
import { once } from 'node:events';
import { createWriteStream, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { IniDocument } from '../config/ini.js';
import { listSqliteFiles } from '../db/database-provisioner.js';
import { forEachRowBatch, loadTableColumns } from '../db/table-rows.js';
import { loadSchemaVersion } from '../db/migrator.js';
import { FOOTFALL_VERSION } from '../version.js';
import {
  ARCHIVE_FORMAT, ARCHIVE_FORMAT_VERSION, encodeArchiveValue, SOURCE_DATABASE_KEYS, type ArchiveRecord,
} from './tenant-archive-format.js';
import type { Tenant } from './tenant.js';

/** Summary of a written archive. */
export interface ExportTenantResult {
  host: string;
  output: string;
  schemaVersion: number;
  files: number;
  rows: Record<string, number>;
}

/** Returns the tenant's config text without the keys that reach its database, so no database password leaves with it. */
export function buildPortableConfig(configText: string): string {
  const document = IniDocument.parse(configText);
  for (const key of SOURCE_DATABASE_KEYS) document.delete('database', key);
  return document.toString();
}

/** Lists the files under the tenant's folder, except its config file and its SQLite database; symbolic links are skipped. */
function listTenantFiles(tenant: Tenant): string[] {
  const skipped = new Set([tenant.paths.preferredConfig, ...listSqliteFiles(tenant.databaseConfig.sqliteFile)]);
  const files: string[] = [];
  const walk = (folder: string): void => {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = resolve(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && !skipped.has(path)) files.push(path);
    }
  };
  walk(tenant.paths.filesDir);
  return files.sort();
}

/** A gzip stream to a file, with writes that wait when the stream is full. */
class ArchiveWriter {
  readonly #gzip = createGzip();
  readonly #done: Promise<void>;

  constructor(file: string) {
    this.#done = pipeline(this.#gzip, createWriteStream(file, { mode: 0o600 }));
    this.#done.catch(() => undefined);
  }

  async write(record: ArchiveRecord): Promise<void> {
    if (!this.#gzip.write(`${JSON.stringify(record)}\n`)) await Promise.race([once(this.#gzip, 'drain'), this.#done]);
  }

  async close(): Promise<void> {
    this.#gzip.end();
    await this.#done;
  }
}

/**
 * Writes a tenant archive to `output` through a temporary file and a rename. The archive
 * contains the tenant's salt, password hashes and token hashes, so users and tokens keep
 * working after an import. Store it as carefully as the database. It never contains the
 * password of the tenant's database.
 */
export async function exportTenant(tenant: Tenant, output: string, clock: () => Date): Promise<ExportTenantResult> {
  const db = tenant.db();
  const config = tenant.databaseConfig;
  const schemaVersion = await loadSchemaVersion(db, config);
  const host = tenant.host ?? tenant.key;
  const temporary = `${output}.${process.pid}.tmp`;
  const writer = new ArchiveWriter(temporary);
  const rows: Record<string, number> = {};
  try {
    await writer.write({
      kind: 'header', format: ARCHIVE_FORMAT, formatVersion: ARCHIVE_FORMAT_VERSION, host, schemaVersion,
      sourceAdapter: config.adapter, footfallVersion: FOOTFALL_VERSION, exportedAt: clock().toISOString(),
    });
    await writer.write({ kind: 'config', text: buildPortableConfig(readFileSync(tenant.configFile, 'utf8')) });

    const files = listTenantFiles(tenant);
    for (const file of files) {
      const path = relative(tenant.paths.filesDir, file).split(sep).join('/');
      await writer.write({ kind: 'file', path, base64: readFileSync(file).toString('base64') });
    }

    for (const table of await loadTableColumns(db, config)) {
      if (table.name === 'migration') continue;
      await writer.write({ kind: 'table', name: table.name, columns: table.columns });
      rows[table.name] = 0;
      await forEachRowBatch(db, config, table.name, async (batch) => {
        for (const row of batch) await writer.write({ kind: 'row', values: table.columns.map((column) => encodeArchiveValue(row[column])) });
        rows[table.name]! += batch.length;
      });
    }
    await writer.write({ kind: 'end', files: files.length, rows });
    await writer.close();
    renameSync(temporary, output);
    return { host, output, schemaVersion, files: files.length, rows };
  } catch (error) {
    await writer.close().catch(() => undefined);
    rmSync(temporary, { force: true });
    throw error;
  }
}
