/**
 * Errors of the admin connections of `[database_admin_mysql]` and `[database_admin_pgsql]`,
 * turned into messages that name the config section and what the operator should change.
 */
import { FootfallError } from '../errors.js';
import type { DatabaseAdminConfig } from './database-admin-config.js';

/** The file where operators set the admin connections. */
const ADMIN_CONFIG_FILE = 'config/common.config.ini.php';

/** MariaDB/MySQL error numbers of a statement that the user lacks a privilege for. */
const MYSQL_PRIVILEGE_ERRNOS: ReadonlySet<number> = new Set([
  1044, // ER_DBACCESS_DENIED_ERROR: access denied to a database
  1142, // ER_TABLEACCESS_DENIED_ERROR: command denied on a table
  1227, // ER_SPECIFIC_ACCESS_DENIED_ERROR: a global privilege such as CREATE USER is missing
  1410, // ER_CANT_CREATE_USER_WITH_GRANT: GRANT may not create a user
]);

/** PostgreSQL SQLSTATE of `insufficient_privilege`. */
const PGSQL_INSUFFICIENT_PRIVILEGE = '42501';

function engineName(adapter: 'mysql' | 'pgsql'): string {
  return adapter === 'mysql' ? 'MariaDB/MySQL' : 'PostgreSQL';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Returns the error of a failed admin connection, naming the section, the server and the file to fix. */
export function describeAdminConnectError(adapter: 'mysql' | 'pgsql', admin: DatabaseAdminConfig, error: unknown): FootfallError {
  const section = `[database_admin_${adapter}]`;
  return new FootfallError('DATABASE_ADMIN_UNAVAILABLE',
    `Failed to connect to ${engineName(adapter)} as the admin user of ${section} (${admin.username} at ${admin.host}:${admin.port}): ${messageOf(error)}. `
    + `Check that the server is running and that host, port, username and password of ${section} in ${ADMIN_CONFIG_FILE} are right.`,
    { cause: error });
}

function isPrivilegeError(adapter: 'mysql' | 'pgsql', error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if (adapter === 'mysql') return MYSQL_PRIVILEGE_ERRNOS.has((error as { errno?: unknown }).errno as number);
  return (error as { code?: unknown }).code === PGSQL_INSUFFICIENT_PRIVILEGE;
}

function describeRequiredPrivileges(adapter: 'mysql' | 'pgsql', admin: DatabaseAdminConfig): string {
  if (adapter === 'mysql') {
    return 'It needs CREATE USER on *.* and ALL PRIVILEGES on `ff%`.* WITH GRANT OPTION, because every tenant database and user is named ff_<host>_<hash>. '
      + 'docs/operations.md gives the GRANT statements.';
  }
  return `It needs CREATEDB and CREATEROLE: run ALTER ROLE ${admin.username} CREATEDB CREATEROLE as a superuser.`;
}

/**
 * Returns the error to raise for `error` of a statement on the admin connection: a
 * DATABASE_ADMIN_PRIVILEGES_MISSING error that lists the privileges needed when the server
 * rejected the statement for a missing privilege, else `error` itself.
 */
export function explainAdminStatementError(adapter: 'mysql' | 'pgsql', admin: DatabaseAdminConfig, error: unknown): unknown {
  if (!isPrivilegeError(adapter, error)) return error;
  return new FootfallError('DATABASE_ADMIN_PRIVILEGES_MISSING',
    `The admin user ${admin.username} of [database_admin_${adapter}] lacks a privilege on ${engineName(adapter)}: ${messageOf(error)}. `
    + describeRequiredPrivileges(adapter, admin),
    { cause: error });
}
