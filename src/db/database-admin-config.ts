/** The admin connections that create and drop tenant databases, read from `[database_admin_mysql]` and `[database_admin_pgsql]`. */
import type { Settings } from '../config/settings.js';
import { FootfallError } from '../errors.js';

/** Admin connection to a MariaDB/MySQL or PostgreSQL server, with the right to create databases and users. */
export interface DatabaseAdminConfig {
  host: string;
  port: number;
  username: string;
  password: string;
  /** PostgreSQL only: the database the admin connection opens. */
  dbname: string;
  /** MariaDB/MySQL only: the host part of the tenant users, such as `%`. */
  tenantUserHost: string;
}

/**
 * Reads the admin connection of an engine from the global and common config.
 *
 * @throws FootfallError DATABASE_ADMIN_MISSING when no admin user is set.
 */
export function readDatabaseAdminConfig(defaults: Settings, adapter: 'mysql' | 'pgsql'): DatabaseAdminConfig {
  const section = `database_admin_${adapter}`;
  const username = defaults.string(section, 'username');
  if (username === '') {
    throw new FootfallError('DATABASE_ADMIN_MISSING', `Missing [${section}] username. Set the admin connection (host, port, username, password) in config/common.config.ini.php.`);
  }
  return {
    host: defaults.string(section, 'host') || '127.0.0.1',
    port: defaults.int(section, 'port') || (adapter === 'mysql' ? 3306 : 5432),
    username,
    password: defaults.string(section, 'password'),
    dbname: defaults.string(section, 'dbname') || 'postgres',
    tenantUserHost: defaults.string(section, 'tenant_user_host') || '%',
  };
}
