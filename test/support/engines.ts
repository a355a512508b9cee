/** Which database engines the tests run on, and whether their servers are reachable. */
import { createConnection } from 'mysql2/promise';
import pg from 'pg';
import type { DatabaseAdapter } from '../../src/db/database-config.js';
import { TEST_ADMIN } from './test-root.js';

/** Every engine Footfall supports. */
export const ALL_ENGINES: readonly DatabaseAdapter[] = ['sqlite', 'mysql', 'pgsql'];

const reachable = new Map<DatabaseAdapter, Promise<boolean>>();

/** Connection attempts of a probe. A test file that runs SQLite work blocks the event loop, so one attempt can time out on a loaded machine. */
const PROBE_ATTEMPTS = 3;

async function probe(adapter: DatabaseAdapter): Promise<boolean> {
  for (let attempt = 1; attempt <= PROBE_ATTEMPTS; attempt += 1) {
    if (await probeOnce(adapter)) return true;
  }
  return false;
}

async function probeOnce(adapter: DatabaseAdapter): Promise<boolean> {
  try {
    if (adapter === 'mysql') {
      const { host, port, username, password } = TEST_ADMIN.mysql;
      const connection = await createConnection({ host, port, user: username, password, connectTimeout: 3000 });
      await connection.end();
    } else if (adapter === 'pgsql') {
      const client = new pg.Client({ ...TEST_ADMIN.pgsql, user: TEST_ADMIN.pgsql.username, database: 'postgres', connectionTimeoutMillis: 3000 });
      await client.connect();
      await client.end();
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns the `skip` option for tests on an engine: false when its server is reachable, a
 * reason when it is not. Under CI=true an unreachable server throws, so CI never skips.
 */
export async function engineSkip(adapter: DatabaseAdapter): Promise<false | string> {
  if (!reachable.has(adapter)) reachable.set(adapter, probe(adapter));
  if (await reachable.get(adapter)) return false;
  const reason = `${adapter} server not reachable at the test address`;
  if (process.env.CI === 'true') throw new Error(`${reason}; CI requires every engine. Start it (see .ci/run).`);
  return reason;
}

/** Returns whether a database and a user (role) of this name exist on the MariaDB or PostgreSQL test server. */
export async function loadServerDatabaseState(adapter: 'mysql' | 'pgsql', name: string): Promise<{ database: boolean; user: boolean }> {
  if (adapter === 'mysql') {
    const { host, port, username, password } = TEST_ADMIN.mysql;
    const connection = await createConnection({ host, port, user: username, password });
    try {
      const [databases] = await connection.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]);
      const [users] = await connection.query('SELECT 1 FROM mysql.user WHERE User = ?', [name]);
      return { database: (databases as unknown[]).length > 0, user: (users as unknown[]).length > 0 };
    } finally {
      await connection.end();
    }
  }
  const { host, port, username, password } = TEST_ADMIN.pgsql;
  const client = new pg.Client({ host, port, user: username, password, database: 'postgres' });
  await client.connect();
  try {
    const databases = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    const roles = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
    return { database: databases.rowCount === 1, user: roles.rowCount === 1 };
  } finally {
    await client.end();
  }
}

/** Runs statements on MariaDB as the test root user, in order. */
export async function asMariadbRoot(statements: readonly string[]): Promise<void> {
  const { host, port, username, password } = TEST_ADMIN.mysql;
  const connection = await createConnection({ host, port, user: username, password });
  try {
    for (const statement of statements) await connection.query(statement);
  } finally {
    await connection.end();
  }
}

/** Runs one statement on PostgreSQL as the test superuser. */
export async function asPostgresSuperuser(statement: string): Promise<void> {
  const { host, port, username, password } = TEST_ADMIN.pgsql;
  const client = new pg.Client({ host, port, user: username, password, database: 'postgres' });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
