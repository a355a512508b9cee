/** Parsing of command-line option values, with errors that name the option and the rule. */
import type { DatabaseAdapter } from '../db/database-config.js';
import { FootfallError, quote } from '../errors.js';
import type { OptionValues } from './command-definition.js';

/** @throws FootfallError PARAMETER_INVALID unless `value` is a TCP port (0 to 65535; 0 picks a free port). */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^[0-9]+$/.test(value) || port > 65535) throw new FootfallError('PARAMETER_INVALID', `Invalid --port ${quote(value)}. Use a whole number from 0 to 65535 (0 picks a free port).`);
  return port;
}

/** @throws FootfallError PARAMETER_INVALID unless `value` is sqlite, mysql or pgsql. */
export function parseDbAdapter(value: string | undefined, fallback: DatabaseAdapter = 'sqlite'): DatabaseAdapter {
  if (value === undefined) return fallback;
  if (value === 'sqlite' || value === 'mysql' || value === 'pgsql') return value;
  throw new FootfallError('PARAMETER_INVALID', `Invalid --db-adapter ${quote(value)}. Use sqlite, mysql or pgsql.`);
}

/** @throws FootfallError PARAMETER_MISSING when a required option is absent or empty. */
export function requireOption(options: Record<string, unknown>, name: string, flag: string): string {
  const value = options[name];
  if (typeof value !== 'string' || value === '') throw new FootfallError('PARAMETER_MISSING', `Missing ${flag}. Pass ${flag}=VALUE.`);
  return value;
}

/**
 * Checks that `--matomo-domain` and its alias `--domain`, when given, have a value. Commander
 * reads `--matomo-domain=` as an empty string, which would otherwise reach the host parser.
 *
 * @throws FootfallError PARAMETER_MISSING naming the flag when its value is empty or blank.
 */
export function ensureTenantOptionValues(options: OptionValues): void {
  for (const [name, flag] of [['matomoDomain', '--matomo-domain'], ['domain', '--domain']] as const) {
    const value = options[name];
    if (typeof value === 'string' && value.trim() === '') {
      throw new FootfallError('PARAMETER_MISSING', `Missing value of ${flag}. Pass ${flag}=HOST with the tenant's host name, such as stats.example.com, or leave the option out to use the single-tenant install.`);
    }
  }
}
