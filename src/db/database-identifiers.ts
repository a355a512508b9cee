/** Names of tenant databases and users on MariaDB and PostgreSQL, and the checks that keep them safe in SQL. */
import { createHash } from 'node:crypto';
import { FootfallError, quote } from '../errors.js';

/** Maximum user name length of MySQL (MariaDB allows 80). Database and user share one name, so this bounds both. */
export const MAX_TENANT_DATABASE_NAME_LENGTH = 32;

const NAME_PREFIX = 'ff_';
const HASH_LENGTH = 8;
const HOST_PART_LENGTH = MAX_TENANT_DATABASE_NAME_LENGTH - NAME_PREFIX.length - 1 - HASH_LENGTH;

/** Pattern of a safe identifier: lower-case letters, digits and underscores, starting with a letter. */
const SAFE_IDENTIFIER_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

/** Pattern of a generated password: hex, so it needs no escaping in any SQL dialect. */
const GENERATED_PASSWORD_PATTERN = /^[0-9a-f]{32,128}$/;

/**
 * Returns the database name and user name of a tenant on MariaDB or PostgreSQL. The name is
 * `ff_`, then the host with each run of characters other than a-z and 0-9 replaced by `_`
 * and cut to fit, then `_` and 8 hex characters of the host's SHA-256. The same host always
 * gives the same name, so `tenant:delete` can tell a database Footfall made from one an
 * operator configured.
 *
 * @example
 * deriveTenantDatabaseName('stats.example.com'); // 'ff_stats_example_com_50a8aaa3'
 */
export function deriveTenantDatabaseName(host: string): string {
  const hostPart = host.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, HOST_PART_LENGTH).replace(/_+$/, '');
  const hash = createHash('sha256').update(host).digest('hex').slice(0, HASH_LENGTH);
  return `${NAME_PREFIX}${hostPart}_${hash}`;
}

/**
 * Checks a database, user or role name before it is quoted into SQL. Quoting alone would
 * be enough, but a name of this shape also needs no case folding and reads the same on
 * every engine.
 *
 * @throws FootfallError CONFIG_INVALID naming the value and the rule.
 */
export function ensureSafeIdentifier(name: string, label: string): string {
  if (SAFE_IDENTIFIER_PATTERN.test(name)) return name;
  throw new FootfallError('CONFIG_INVALID', `Invalid ${label} ${quote(name)}. Use 1 to 63 lower-case letters, digits or underscores, starting with a letter.`);
}

/** @throws Error unless `password` is a generated hex password, so it can be written into SQL as a literal. */
export function ensureGeneratedPassword(password: string): string {
  if (GENERATED_PASSWORD_PATTERN.test(password)) return password;
  throw new Error('A generated database password must be 32 to 128 hex characters.');
}
