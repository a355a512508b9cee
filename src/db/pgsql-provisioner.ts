/** Creating and dropping a tenant's database and role on PostgreSQL through the admin connection. */
import pg from 'pg';
import type { DatabaseAdminConfig } from './database-admin-config.js';
import { describeAdminConnectError } from './database-admin-errors.js';
import { ensureGeneratedPassword, ensureSafeIdentifier } from './database-identifiers.js';
import type { TenantDatabaseNames } from './mysql-provisioner.js';

/** @throws FootfallError DATABASE_ADMIN_UNAVAILABLE naming `[database_admin_pgsql]` when the connection fails. */
async function openAdminClient(admin: DatabaseAdminConfig, database: string): Promise<pg.Client> {
  const client = new pg.Client({
    host: admin.host, port: admin.port, user: admin.username, password: admin.password, database, connectionTimeoutMillis: 10_000,
  });
  try {
    await client.connect();
  } catch (error) {
    throw describeAdminConnectError('pgsql', admin, error);
  }
  return client;
}

async function isSuperuser(client: pg.Client): Promise<boolean> {
  const result = await client.query<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
  return result.rows[0]?.rolsuper === true;
}

/**
 * Creates a login role with `password` and a database it owns, that no other role may
 * connect to (CONNECT and TEMPORARY are revoked from PUBLIC), and hands it the `public`
 * schema so its migrations can create tables. On failure it drops what it created.
 */
export async function createPgsqlTenantDatabase(admin: DatabaseAdminConfig, names: TenantDatabaseNames, password: string): Promise<void> {
  const dbname = pg.escapeIdentifier(ensureSafeIdentifier(names.dbname, 'database name'));
  const role = pg.escapeIdentifier(ensureSafeIdentifier(names.username, 'database user'));
  const passwordLiteral = pg.escapeLiteral(ensureGeneratedPassword(password));

  const client = await openAdminClient(admin, admin.dbname);
  try {
    await client.query(`CREATE ROLE ${role} LOGIN PASSWORD ${passwordLiteral}`);
    try {
      // PostgreSQL lets an admin that is not a superuser make a role the owner of a database only as a member of that role.
      if (!(await isSuperuser(client))) await client.query(`GRANT ${role} TO CURRENT_USER`);
      await client.query(`CREATE DATABASE ${dbname} OWNER ${role} ENCODING 'UTF8' TEMPLATE template0`);
      await client.query(`REVOKE CONNECT, TEMPORARY ON DATABASE ${dbname} FROM PUBLIC`);
      await client.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${dbname} TO ${role}`);
      await handOverPublicSchema(admin, names.dbname, role);
    } catch (error) {
      await dropWith(client, names).catch(() => undefined);
      throw error;
    }
  } finally {
    await client.end();
  }
}

// Before PostgreSQL 15 the public schema belongs to the bootstrap superuser and PUBLIC may create in it.
async function handOverPublicSchema(admin: DatabaseAdminConfig, dbname: string, role: string): Promise<void> {
  const client = await openAdminClient(admin, dbname);
  try {
    await client.query(`ALTER SCHEMA public OWNER TO ${role}`);
    await client.query('REVOKE ALL ON SCHEMA public FROM PUBLIC');
  } finally {
    await client.end();
  }
}

async function dropWith(client: pg.Client, names: TenantDatabaseNames): Promise<void> {
  // WITH (FORCE), from PostgreSQL 13, ends the sessions a running server may still hold open.
  await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(names.dbname)} WITH (FORCE)`);
  await client.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(names.username)}`);
}

/** Drops a tenant's database and its role; either may already be gone. */
export async function dropPgsqlTenantDatabase(admin: DatabaseAdminConfig, names: TenantDatabaseNames): Promise<void> {
  const checked = { dbname: ensureSafeIdentifier(names.dbname, 'database name'), username: ensureSafeIdentifier(names.username, 'database user') };
  const client = await openAdminClient(admin, admin.dbname);
  try {
    await dropWith(client, checked);
  } finally {
    await client.end();
  }
}
