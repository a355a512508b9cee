/** The ordered list of schema migrations; the last version is the code's schema version. */
import type { Kysely } from 'kysely';
import type { MigrationContext } from './column-types.js';
import * as initialSchema from './001-initial-schema.js';
import * as bruteForceLog from './002-brute-force-log.js';
import * as tagManager from './003-tag-manager.js';
import * as archiveLogIndex from './010-archive-log-index.js';
import * as optionalActionIndex from './014-optional-action-index.js';

/** One schema change, applied once per tenant database in version order. */
export interface Migration {
  version: number;
  name: string;
  up(db: Kysely<any>, context: MigrationContext): Promise<void>;
}

/** Every migration, in the order they apply. Append only: an applied migration never changes. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', up: initialSchema.up },
  { version: 2, name: 'brute force log', up: bruteForceLog.up },
  { version: 3, name: 'tag manager', up: tagManager.up },
  { version: 10, name: 'archive log index', up: archiveLogIndex.up },
  { version: 14, name: 'optional action index', up: optionalActionIndex.up },
];

/** The schema version this code expects. */
export const CODE_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
