/** Helpers for tracking tests: the database of a test tenant and reading back what tracking stored. */
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { parseTenantHost } from '../../src/tenancy/tenant-host.js';
import type { TestRoot } from './test-root.js';

/** Returns the database of a tenant of a test root. */
export function tenantDb(root: TestRoot, host: string): Kysely<Database> {
  const tenant = root.registry.resolve(parseTenantHost(host));
  if (!tenant) throw new Error(`No test tenant ${host}`);
  return tenant.db();
}

/** Returns the number of rows of a table. */
export async function countRows(db: Kysely<Database>, table: 'log_visit' | 'log_link_visit_action' | 'log_conversion' | 'log_conversion_item'): Promise<number> {
  const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Returns the `log_action` name and type of an id, with the URL prefix restored by the caller when needed. */
export async function actionOf(db: Kysely<Database>, idaction: number | null): Promise<{ name: string; type: number; url_prefix: number | null } | null> {
  if (idaction === null) return null;
  const row = await db.selectFrom('log_action').select(['name', 'type', 'url_prefix']).where('idaction', '=', idaction).executeTakeFirst();
  return row ? { name: row.name, type: Number(row.type), url_prefix: row.url_prefix === null ? null : Number(row.url_prefix) } : null;
}
