/**
 * The format of `tenant:export` archives: gzip of JSON lines, one record a line, engine
 * independent. In order: one `header`, one `config`, any `file` records, then per table one
 * `table` record followed by its `row` records, and one `end` record that lets an import
 * tell a complete archive from a cut one.
 */
import type { DatabaseAdapter } from '../db/database-config.js';
import { FootfallError, quote } from '../errors.js';

/** Format name in the header of a Footfall tenant archive. */
export const ARCHIVE_FORMAT = 'footfall-tenant-export';

/** Version of the archive layout; an import rejects a newer one. */
export const ARCHIVE_FORMAT_VERSION = 1;

/** The first record, with the source host, engine and schema version. */
export interface ArchiveHeader {
  kind: 'header';
  format: typeof ARCHIVE_FORMAT;
  formatVersion: number;
  host: string;
  schemaVersion: number;
  sourceAdapter: DatabaseAdapter;
  footfallVersion: string;
  exportedAt: string;
}

/** The tenant's config file, without the `[database]` keys that reach the source database. */
export interface ArchiveConfig {
  kind: 'config';
  text: string;
}

/** One file of `misc/user/<host>/`, by its path relative to that folder. */
export interface ArchiveFile {
  kind: 'file';
  path: string;
  base64: string;
}

/** Starts the rows of a table; each following `row` record lists values in `columns` order. */
export interface ArchiveTable {
  kind: 'table';
  name: string;
  columns: string[];
}

/** One row of the last `table` record. Binary values are `{ "base64": ... }`. */
export interface ArchiveRow {
  kind: 'row';
  values: ArchiveValue[];
}

/** The last record, with counts to check against. */
export interface ArchiveEnd {
  kind: 'end';
  files: number;
  rows: Record<string, number>;
}

/** A column value as written: JSON scalars, or binary data as base64. */
export type ArchiveValue = string | number | null | { base64: string };

/** Any record of an archive. */
export type ArchiveRecord = ArchiveHeader | ArchiveConfig | ArchiveFile | ArchiveTable | ArchiveRow | ArchiveEnd;

/** Keys of `[database]` that name the source database; they are left out of an export, because an import makes its own. */
export const SOURCE_DATABASE_KEYS = ['adapter', 'host', 'port', 'username', 'password', 'dbname', 'tables_prefix', 'sqlite_file'] as const;

/** Returns the total of per-table row counts. */
export function countRows(rows: Record<string, number>): number {
  return Object.values(rows).reduce((sum, count) => sum + count, 0);
}

/** Encodes a database value for an archive row. */
export function encodeArchiveValue(value: unknown): ArchiveValue {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return { base64: Buffer.from(value).toString('base64') };
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString().slice(0, 19).replace('T', ' ');
  return String(value);
}

/** Decodes an archive value into what the database driver takes. */
export function decodeArchiveValue(value: ArchiveValue): string | number | null | Buffer {
  if (value !== null && typeof value === 'object') return Buffer.from(value.base64, 'base64');
  return value;
}

/** Returns the error for a malformed archive, naming the line and the rule it broke. */
export function invalidArchive(line: number, rule: string): FootfallError {
  return new FootfallError('TENANT_EXPORT_INVALID', `Invalid tenant archive at line ${line}: ${rule}. Use a file written by tenant:export.`);
}

/**
 * Parses one line of an archive into a record.
 *
 * @throws FootfallError TENANT_EXPORT_INVALID naming the line.
 */
export function parseArchiveLine(text: string, line: number): ArchiveRecord {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    throw invalidArchive(line, 'it is not JSON');
  }
  if (typeof record !== 'object' || record === null || typeof (record as { kind?: unknown }).kind !== 'string') throw invalidArchive(line, 'a record needs a kind');
  const kind = (record as { kind: string }).kind;
  if (!['header', 'config', 'file', 'table', 'row', 'end'].includes(kind)) throw invalidArchive(line, `unknown record kind ${quote(kind)}`);
  return record as ArchiveRecord;
}

/**
 * Checks the header of an archive.
 *
 * @throws FootfallError TENANT_EXPORT_INVALID when it is not a Footfall archive or is of a newer format.
 */
export function ensureArchiveHeader(record: ArchiveRecord): ArchiveHeader {
  if (record.kind !== 'header' || record.format !== ARCHIVE_FORMAT) throw invalidArchive(1, `the first record must be a ${ARCHIVE_FORMAT} header`);
  if (!Number.isInteger(record.formatVersion) || record.formatVersion > ARCHIVE_FORMAT_VERSION) {
    throw invalidArchive(1, `format version ${quote(record.formatVersion)} is newer than this code's ${ARCHIVE_FORMAT_VERSION}; import it with newer Footfall code`);
  }
  if (typeof record.host !== 'string' || !Number.isInteger(record.schemaVersion) || record.schemaVersion < 0) {
    throw invalidArchive(1, 'the header needs a host and a whole schema version');
  }
  if (!(['sqlite', 'mysql', 'pgsql'] as unknown[]).includes(record.sourceAdapter)) {
    throw invalidArchive(1, `unknown source adapter ${quote(record.sourceAdapter)}; expected sqlite, mysql or pgsql`);
  }
  return record;
}
