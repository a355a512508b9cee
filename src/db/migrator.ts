/** Applying schema migrations to a tenant database and reading its schema version. */
import type { Kysely } from 'kysely';
import { FootfallError } from '../errors.js';
import { formatUtcDateTime } from '../time.js';
import type { DatabaseConfig } from './database-config.js';
import { MIGRATIONS, CODE_SCHEMA_VERSION } from './migrations/index.js';
import { withTableOptions } from './migrations/column-types.js';
import type { Database } from './schema.js';

/** The outcome of `migrateToLatest`: versions before and after, and the migrations applied. */
export interface MigrationResult {
  fromVersion: number;
  toVersion: number;
  applied: string[];
}

async function hasMigrationTable(db: Kysely<Database>, config: DatabaseConfig): Promise<boolean> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: false });
  return tables.some((table) => table.name === `${config.tablesPrefix}migration`);
}

async function ensureMigrationTable(db: Kysely<Database>, config: DatabaseConfig): Promise<void> {
  const context = { adapter: config.adapter, tablesPrefix: config.tablesPrefix };
  const builder = db.schema.createTable('migration').ifNotExists()
    .addColumn('version', 'integer', (column) => column.primaryKey())
    .addColumn('name', 'varchar(255)', (column) => column.notNull())
    .addColumn('applied_at', 'varchar(19)', (column) => column.notNull());
  await withTableOptions(builder, context).execute();
}

/**
 * Returns the schema version of a database: the highest applied migration, or 0 when
 * the database has no Footfall schema yet.
 */
export async function loadSchemaVersion(db: Kysely<Database>, config: DatabaseConfig): Promise<number> {
  if (!(await hasMigrationTable(db, config))) return 0;
  const row = await db.selectFrom('migration').select((eb) => eb.fn.max('version').as('version')).executeTakeFirst();
  return Number(row?.version ?? 0);
}

/**
 * Runs one migration with its version row in a transaction on SQLite and PostgreSQL, whose
 * DDL is transactional: a failed migration then leaves nothing half made, and SQLite syncs
 * the file once instead of once per statement. MariaDB commits each DDL statement by
 * itself, so there the steps run as they come.
 */
async function runMigrationStep(db: Kysely<Database>, config: DatabaseConfig, step: (db: Kysely<Database>) => Promise<void>): Promise<void> {
  if (config.adapter === 'mysql') {
    await step(db);
    return;
  }
  await db.transaction().execute(step);
}

/**
 * Applies every migration newer than the database's version, each recorded as it completes,
 * so a failure leaves the database at the last completed version. `options.targetVersion`
 * stops at that version instead of the code's, as `tenant:import` needs before it loads rows.
 *
 * @throws FootfallError SCHEMA_NEWER_THAN_CODE when the database was migrated by newer code.
 */
export async function migrateToLatest(db: Kysely<Database>, config: DatabaseConfig, options: { targetVersion?: number } = {}): Promise<MigrationResult> {
  await ensureMigrationTable(db, config);
  const fromVersion = await loadSchemaVersion(db, config);
  if (fromVersion > CODE_SCHEMA_VERSION) {
    throw new FootfallError('SCHEMA_NEWER_THAN_CODE', `The database schema is at version ${fromVersion}, newer than this code's ${CODE_SCHEMA_VERSION}. Deploy the newer Footfall code.`);
  }

  const context = { adapter: config.adapter, tablesPrefix: config.tablesPrefix };
  const applied: string[] = [];
  const targetVersion = options.targetVersion ?? CODE_SCHEMA_VERSION;
  for (const migration of MIGRATIONS.filter((candidate) => candidate.version > fromVersion && candidate.version <= targetVersion)) {
    await runMigrationStep(db, config, async (step) => {
      await migration.up(step, context);
      await step.insertInto('migration').values({ version: migration.version, name: migration.name, applied_at: formatUtcDateTime(new Date()) }).execute();
    });
    applied.push(`${migration.version} ${migration.name}`);
  }
  return { fromVersion, toVersion: Math.max(fromVersion, Math.min(targetVersion, CODE_SCHEMA_VERSION)), applied };
}
