/** Restoring a tenant from a `tenant:export` archive, on any engine (`tenant:import`). */
import { createReadStream, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { Kysely } from 'kysely';
import { IniDocument } from '../config/ini.js';
import { Settings } from '../config/settings.js';
import type { DatabaseAdapter } from '../db/database-config.js';
import { listSqliteFiles } from '../db/database-provisioner.js';
import { migrateToLatest } from '../db/migrator.js';
import { CODE_SCHEMA_VERSION } from '../db/migrations/index.js';
import type { Database } from '../db/schema.js';
import { DEFAULT_ROW_BATCH_SIZE, insertRows, loadTableColumns, resetAutoIncrementSequences, type TableColumns } from '../db/table-rows.js';
import { FootfallError, quote } from '../errors.js';
import { classifyGzipFailure, type GzipFailure } from '../gzip-failure.js';
import { LineSplitter } from '../import/log-file-reader.js';
import {
  decodeArchiveValue, ensureArchiveHeader, invalidArchive, parseArchiveLine, SOURCE_DATABASE_KEYS,
  type ArchiveHeader, type ArchiveRecord,
} from './tenant-archive-format.js';
import type { TenantHost } from './tenant-host.js';
import { parseTenantHostName } from './tenant-host.js';
import {
  ensureTenantAbsent, newTenantConfigFile, writeFileAtomically, type DatabaseProvisioner, type ProvisionedDatabase,
} from './tenant-provisioner.js';
import type { TenantRegistry } from './tenant-registry.js';
import type { Tenant } from './tenant.js';

/** Options of `importTenant`; host and adapter default to the archive's. */
export interface ImportTenantOptions {
  file: string;
  host?: TenantHost;
  dbAdapter?: DatabaseAdapter;
}

/** Summary of an imported tenant. */
export interface ImportTenantResult {
  host: string;
  sourceHost: string;
  dbAdapter: DatabaseAdapter;
  schemaVersion: number;
  files: number;
  rows: Record<string, number>;
}

/**
 * Returns the error to raise when the gzip data of an archive fails to decompress after
 * `lines` complete lines: one that names the file and whether it is truncated, damaged or no gzip file.
 * Any other error is returned unchanged.
 */
function describeGzipError(file: string, lines: number, error: unknown): unknown {
  const failure = classifyGzipFailure(error, file);
  if (failure === null) return error;
  const reason = error instanceof Error ? error.message : String(error);
  const messages: Record<GzipFailure, string> = {
    truncated: `Archive '${file}' is truncated: its gzip data ends after line ${lines}. Copy the whole file again, or run tenant:export again.`,
    not_gzip: `Archive '${file}' is not a gzip file (${reason}). Use a file written by tenant:export.`,
    corrupt: `Archive '${file}' is damaged after line ${lines}: its gzip data is invalid (${reason}). Use a file written by tenant:export.`,
  };
  return new FootfallError('TENANT_EXPORT_INVALID', messages[failure], { cause: error });
}

/**
 * Yields the lines of a gzip file one at a time. Reading waits while a line is processed, so memory
 * stays bounded. The stream decodes UTF-8 as a whole, so a character split across two chunks stays intact.
 */
async function* readArchiveLines(file: string): AsyncGenerator<{ text: string; line: number }> {
  // A `file` record contains a whole file as base64 on one line, so lines have no maximum length
  // and the splitter never returns OVERLONG_LINE.
  const splitter = new LineSplitter(Number.POSITIVE_INFINITY);
  let line = 0;
  const stream = createReadStream(file).pipe(createGunzip());
  stream.setEncoding('utf8');
  try {
    for await (const chunk of stream) {
      for (const text of splitter.push(chunk as string)) yield { text: text as string, line: ++line };
    }
  } catch (error) {
    throw describeGzipError(file, line, error);
  }
  for (const text of splitter.end()) yield { text: text as string, line: ++line };
}

/** Reads only the header of an archive, to learn its host, engine and schema version before anything is created. */
export async function readArchiveHeader(file: string): Promise<ArchiveHeader> {
  if (!existsSync(file)) throw new FootfallError('PARAMETER_INVALID', `Archive ${quote(file)} not found. Pass the file tenant:export wrote.`);
  try {
    for await (const { text } of readArchiveLines(file)) return ensureArchiveHeader(parseArchiveLine(text, 1));
  } catch (error) {
    if (error instanceof FootfallError) throw error;
    throw invalidArchive(1, `it cannot be read as gzip (${error instanceof Error ? error.message : String(error)})`);
  }
  throw invalidArchive(1, 'the file is empty');
}

/** Builds the imported tenant's config: the archive's, with the new database keys and the new host. */
function buildImportedConfig(text: string, header: ArchiveHeader, host: TenantHost, database: ProvisionedDatabase): IniDocument {
  const document = IniDocument.parse(text);
  for (const key of SOURCE_DATABASE_KEYS) document.delete('database', key);
  for (const [key, value] of Object.entries(database.settings)) document.set('database', key, value);
  if (host !== header.host) {
    document.set('General', 'instance_id', host);
    const trusted = document.get('General', 'trusted_hosts');
    if (Array.isArray(trusted)) document.set('General', 'trusted_hosts', trusted.map((item) => (item === header.host ? host : item)));
  }
  return document;
}

/**
 * Returns where an archived file goes under the tenant's folder.
 *
 * @throws FootfallError TENANT_EXPORT_INVALID for a path that is absolute, climbs out with `..`, or names the
 * config file or the SQLite database.
 */
function resolveArchivedFile(tenant: Tenant, path: unknown, line: number): string {
  const filesDir = tenant.paths.filesDir;
  if (typeof path !== 'string' || path === '' || path.includes('\0') || path.includes('\\') || path.startsWith('/')) {
    throw invalidArchive(line, `file path ${quote(path)} must be a relative path with / separators`);
  }
  if (path.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw invalidArchive(line, `file path ${quote(path)} must not contain empty, . or .. segments`);
  }
  const target = resolve(filesDir, path);
  const protectedFiles = [tenant.configFile, ...listSqliteFiles(tenant.databaseConfig.sqliteFile)];
  if (!target.startsWith(filesDir + sep) || protectedFiles.includes(target)) {
    throw invalidArchive(line, `file path ${quote(path)} must stay inside the tenant's folder and not replace its config file or database`);
  }
  return target;
}

/** Loads table rows in batches as the archive lists them, checking names against the migrated schema. */
class RowLoader {
  readonly rows: Record<string, number> = {};
  readonly #db: Kysely<Database>;
  readonly #tables: Map<string, TableColumns>;
  #current: { table: TableColumns; columns: string[] } | undefined;
  #batch: unknown[][] = [];

  constructor(db: Kysely<Database>, tables: TableColumns[]) {
    this.#db = db;
    this.#tables = new Map(tables.map((table) => [table.name, table]));
  }

  async startTable(name: unknown, columns: unknown, line: number): Promise<void> {
    await this.flush();
    const table = typeof name === 'string' && name !== 'migration' ? this.#tables.get(name) : undefined;
    if (!table) throw invalidArchive(line, `unknown table ${quote(name)}`);
    if (!Array.isArray(columns) || columns.some((column) => typeof column !== 'string' || !table.columns.includes(column))) {
      throw invalidArchive(line, `the columns of table ${name} must be among ${table.columns.join(', ')}`);
    }
    this.#current = { table, columns: columns as string[] };
    this.rows[table.name] = 0;
  }

  async addRow(values: unknown, line: number): Promise<void> {
    if (!this.#current) throw invalidArchive(line, 'a row must follow a table record');
    if (!Array.isArray(values) || values.length !== this.#current.columns.length) {
      throw invalidArchive(line, `a row of ${this.#current.table.name} needs ${this.#current.columns.length} values`);
    }
    this.#batch.push(values.map(decodeArchiveValue));
    this.rows[this.#current.table.name]! += 1;
    if (this.#batch.length >= DEFAULT_ROW_BATCH_SIZE) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.#current || this.#batch.length === 0) return;
    const { table, columns } = this.#current;
    const batch = this.#batch;
    this.#batch = [];
    await this.#db.transaction().execute((trx) => insertRows(trx, table.name, columns, batch));
  }
}

function ensureCountsMatch(record: Extract<ArchiveRecord, { kind: 'end' }>, files: number, rows: Record<string, number>, line: number): void {
  const expected = JSON.stringify({ files: record.files, rows: record.rows });
  if (expected !== JSON.stringify({ files, rows })) {
    throw invalidArchive(line, `the end record counts ${record.files} files and rows ${JSON.stringify(record.rows)}, but the archive contains ${files} files and rows ${JSON.stringify(rows)}`);
  }
}

/** Target of an import: the archive, the new host and config file, and the database that replaces the source's. */
interface ImportTarget {
  file: string;
  header: ArchiveHeader;
  host: TenantHost;
  database: ProvisionedDatabase;
  configFile: string;
}

/** Writes the imported config, then migrates the new database to the archive's schema version, ready for its rows. */
async function startImportedTenant(registry: TenantRegistry, target: ImportTarget, record: ArchiveRecord, line: number): Promise<{ tenant: Tenant; loader: RowLoader }> {
  if (record.kind !== 'config' || typeof record.text !== 'string') throw invalidArchive(line, 'the second record must be the config');
  writeFileAtomically(target.configFile, buildImportedConfig(record.text, target.header, target.host, target.database).toString());
  const tenant = registry.get(target.host);
  if (!tenant) throw new Error(`The imported config file ${target.configFile} cannot be read back.`);

  await migrateToLatest(tenant.db(), tenant.databaseConfig, { targetVersion: target.header.schemaVersion });
  return { tenant, loader: new RowLoader(tenant.db(), await loadTableColumns(tenant.db(), tenant.databaseConfig)) };
}

function writeArchivedFile(tenant: Tenant, record: Extract<ArchiveRecord, { kind: 'file' }>, line: number): void {
  if (typeof record.base64 !== 'string') throw invalidArchive(line, 'a file record needs base64 data');
  const target = resolveArchivedFile(tenant, record.path, line);
  mkdirSync(dirname(target), { recursive: true, mode: 0o750 });
  writeFileSync(target, Buffer.from(record.base64, 'base64'), { mode: 0o640 });
}

/** Reads the records after the header into the new tenant: config first, then files and rows, then the end record. */
async function loadArchiveBody(registry: TenantRegistry, target: ImportTarget): Promise<{ tenant: Tenant; files: number; rows: Record<string, number> }> {
  let started: { tenant: Tenant; loader: RowLoader } | undefined;
  let files = 0;
  let ended = false;
  let lastLine = 1;
  for await (const { text, line } of readArchiveLines(target.file)) {
    lastLine = line;
    if (line === 1) continue;
    if (ended) throw invalidArchive(line, 'nothing may follow the end record');
    const record = parseArchiveLine(text, line);
    if (!started) {
      started = await startImportedTenant(registry, target, record, line);
      continue;
    }

    const { tenant, loader } = started;
    if (record.kind === 'file') {
      writeArchivedFile(tenant, record, line);
      files += 1;
    } else if (record.kind === 'table') {
      await loader.startTable(record.name, record.columns, line);
    } else if (record.kind === 'row') {
      await loader.addRow(record.values, line);
    } else if (record.kind === 'end') {
      await loader.flush();
      ensureCountsMatch(record, files, loader.rows, line);
      ended = true;
    } else {
      throw invalidArchive(line, `a ${record.kind} record may appear only once, at the start`);
    }
  }
  if (!ended || !started) {
    throw new FootfallError('TENANT_EXPORT_INVALID',
      `Archive '${target.file}' is truncated: it ends at line ${lastLine}, before its end record. Copy the whole file again, or run tenant:export again.`);
  }
  return { tenant: started.tenant, files, rows: started.loader.rows };
}

/**
 * Creates a tenant from an archive: a new database on the chosen engine with new
 * credentials, the schema at the archive's version, every row with its ids, the files,
 * then the schema brought to the code's version. On failure it removes what it made.
 *
 * @throws FootfallError TENANT_EXPORT_INVALID for a malformed archive, TENANT_EXISTS when the host is taken,
 * SCHEMA_NEWER_THAN_CODE when the archive comes from newer code.
 */
export async function importTenant(registry: TenantRegistry, options: ImportTenantOptions, provisionDatabase: DatabaseProvisioner): Promise<ImportTenantResult> {
  const header = await readArchiveHeader(options.file);
  if (header.schemaVersion > CODE_SCHEMA_VERSION) {
    throw new FootfallError('SCHEMA_NEWER_THAN_CODE', `The archive's schema is at version ${header.schemaVersion}, newer than this code's ${CODE_SCHEMA_VERSION}. Import it with newer Footfall code.`);
  }
  const host = options.host ?? parseTenantHostName(header.host);
  const dbAdapter = options.dbAdapter ?? header.sourceAdapter;
  const rootPaths = registry.rootPaths;
  ensureTenantAbsent(rootPaths, host);
  const defaults = Settings.load({ global: rootPaths.globalConfig, common: rootPaths.commonConfig, local: null });
  const { file: configFile, paths } = newTenantConfigFile(rootPaths, host);
  const filesDirExisted = existsSync(paths.filesDir);

  const database = await provisionDatabase(dbAdapter, host, paths, defaults);
  try {
    const loaded = await loadArchiveBody(registry, { file: options.file, header, host, database, configFile });
    const db = loaded.tenant.db();
    await resetAutoIncrementSequences(db, loaded.tenant.databaseConfig);
    const migrated = await migrateToLatest(db, loaded.tenant.databaseConfig);
    loaded.tenant.forgetSchemaVersion();
    return { host, sourceHost: header.host, dbAdapter, schemaVersion: migrated.toVersion, files: loaded.files, rows: loaded.rows };
  } catch (error) {
    await registry.forget(host);
    rmSync(configFile, { force: true });
    if (!filesDirExisted) rmSync(paths.filesDir, { recursive: true, force: true });
    await database.drop().catch(() => undefined);
    throw error;
  }
}
