/** Editing a test tenant's config file while a server runs. */
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { IniDocument, type IniValue } from '../../src/config/ini.js';
import { buildTenantPaths } from '../../src/tenancy/root-paths.js';
import { parseTenantHostName } from '../../src/tenancy/tenant-host.js';
import type { TestRoot } from './test-root.js';

/** Returns the path of a tenant's config file, `misc/user/<host>/config.ini.php`. */
export function tenantConfigFile(root: TestRoot, host: string): string {
  return buildTenantPaths(root.rootPaths, parseTenantHostName(host)).preferredConfig;
}

/**
 * Sets (or, with undefined, deletes) one key of a config file. The modification time moves
 * two seconds forward on each edit, so the registry detects the change even when the size stays
 * the same and the edit falls in the same millisecond as the last one.
 */
export function editConfigFile(file: string, section: string, key: string, value: IniValue | undefined): void {
  const before = statSync(file).mtimeMs;
  const document = IniDocument.parse(readFileSync(file, 'utf8'));
  if (value === undefined) document.delete(section, key);
  else document.set(section, key, value);
  writeFileSync(file, document.toString());
  const mtime = new Date(before + 2000);
  utimesSync(file, mtime, mtime);
}
