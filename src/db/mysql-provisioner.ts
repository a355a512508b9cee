/** Creating and dropping a tenant's database and user on MariaDB/MySQL through the admin connection. */
import { createConnection, format, type Connection } from 'mysql2/promise';
import type { DatabaseAdminConfig } from './database-admin-config.js';
import { describeAdminConnectError } from './database-admin-errors.js';
import { ensureGeneratedPassword, ensureSafeIdentifier } from './database-identifiers.js';

/** A database and the user that alone may use it. */
export interface TenantDatabaseNames {
  dbname: string;
  username: string;
}

/** @throws FootfallError DATABASE_ADMIN_UNAVAILABLE naming `[database_admin_mysql]` when the connection fails. */
async function openAdminConnection(admin: DatabaseAdminConfig): Promise<Connection> {
  try {
    return await createConnection({ host: admin.host, port: admin.port, user: admin.username, password: admin.password, connectTimeout: 10_000 });
  } catch (error) {
    throw describeAdminConnectError('mysql', admin, error);
  }
}

// `format` quotes `??` as an identifier and `?` as a string literal. The statement goes
// through `query`, not `execute`, because MariaDB cannot prepare CREATE USER and GRANT.
async function run(connection: Connection, statement: string, values: string[]): Promise<void> {
  await connection.query(format(statement, values));
}

/**
 * Creates a utf8mb4 database and a user with `password` that has every privilege on that
 * database and none elsewhere. On failure it drops what it created.
 */
export async function createMysqlTenantDatabase(admin: DatabaseAdminConfig, names: TenantDatabaseNames, password: string): Promise<void> {
  const dbname = ensureSafeIdentifier(names.dbname, 'database name');
  const username = ensureSafeIdentifier(names.username, 'database user');
  ensureGeneratedPassword(password);
  const connection = await openAdminConnection(admin);
  try {
    await run(connection, 'CREATE DATABASE ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci', [dbname]);
    try {
      await run(connection, 'CREATE USER ?@? IDENTIFIED BY ?', [username, admin.tenantUserHost, password]);
      await run(connection, 'GRANT ALL PRIVILEGES ON ??.* TO ?@?', [dbname, username, admin.tenantUserHost]);
    } catch (error) {
      await dropWith(connection, admin, { dbname, username }).catch(() => undefined);
      throw error;
    }
  } finally {
    await connection.end();
  }
}

async function dropWith(connection: Connection, admin: DatabaseAdminConfig, names: TenantDatabaseNames): Promise<void> {
  await run(connection, 'DROP DATABASE IF EXISTS ??', [names.dbname]);
  await run(connection, 'DROP USER IF EXISTS ?@?', [names.username, admin.tenantUserHost]);
}

/** Drops a tenant's database and its user; either may already be gone. */
export async function dropMysqlTenantDatabase(admin: DatabaseAdminConfig, names: TenantDatabaseNames): Promise<void> {
  const checked = { dbname: ensureSafeIdentifier(names.dbname, 'database name'), username: ensureSafeIdentifier(names.username, 'database user') };
  const connection = await openAdminConnection(admin);
  try {
    await dropWith(connection, admin, checked);
  } finally {
    await connection.end();
  }
}
