/** Parsing of command-line option values, with errors that name the option and the rule. */
import type { DatabaseAdapter } from '../db/database-config.js';
import { FootfallError, quote } from '../errors.js';

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
