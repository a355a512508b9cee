/** `tenant:list`: every tenant with its database engine, schema version and state. */
import { CODE_SCHEMA_VERSION } from '../../db/migrations/index.js';
import { loadTenantStatusByHost, type TenantStatus } from '../../tenancy/tenant-status.js';
import type { GlobalCommand } from '../command-definition.js';

function formatStatusTable(statuses: readonly TenantStatus[]): string {
  if (statuses.length === 0) return 'No tenants. Create one with tenant:create HOST.';
  const header = ['HOST', 'ADAPTER', 'SCHEMA', 'STATE'];
  const rows = statuses.map((status) => [status.host, status.adapter ?? '-', status.schemaVersion === null ? '-' : String(status.schemaVersion), status.state]);
  const widths = header.map((title, index) => Math.max(title.length, ...rows.map((row) => row[index]!.length)));
  return [header, ...rows].map((row) => row.map((cell, index) => cell.padEnd(widths[index]!)).join('  ').trimEnd()).join('\n');
}

export const tenantListCommand: GlobalCommand = {
  kind: 'global',
  name: 'tenant:list',
  description: `List every tenant with its database engine, schema version (the code's is ${CODE_SCHEMA_VERSION}) and state: enabled, disabled, maintenance or unreachable.`,
  options: [],
  async run(context) {
    const statuses: TenantStatus[] = [];
    for (const host of context.registry.listHosts()) statuses.push(await loadTenantStatusByHost(context.registry, host));
    return { data: statuses, text: formatStatusTable(statuses) };
  },
};
