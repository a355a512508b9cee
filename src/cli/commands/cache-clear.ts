/** `cache:clear`: empty the tenant's `tmp/HOST/` folder. */
import { readdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TenantCommand } from '../command-definition.js';

export const cacheClearCommand: TenantCommand = {
  kind: 'tenant',
  name: 'cache:clear',
  description: 'Empty the tenant\'s caches in tmp/HOST/; they are rebuilt when needed.',
  options: [],
  // Clears tmp/HOST/ only, which tenant:export leaves out and which is rebuilt when needed.
  runsOnDisabledTenant: true,
  async run(_context, tenant) {
    let entries: string[] = [];
    try {
      entries = readdirSync(tenant.paths.tmpDir);
    } catch {
      // No tmp folder yet: nothing to clear.
    }
    for (const entry of entries) rmSync(resolve(tenant.paths.tmpDir, entry), { recursive: true, force: true });
    return { data: { host: tenant.host ?? tenant.key, folder: tenant.paths.tmpDir, removed: entries.length }, text: `Cleared ${tenant.paths.tmpDir} (${entries.length} entries).` };
  },
};
