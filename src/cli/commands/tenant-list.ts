/** `tenant:list`: the single-tenant install and every tenant, with database engine, schema version and state. */
import { CODE_SCHEMA_VERSION } from '../../db/migrations/index.js';
import { loadTenantStatusByHost, type TenantStatus } from '../../tenancy/tenant-status.js';
import { listAllTenants, SINGLE_TENANT_LABEL } from '../all-tenants-runner.js';
import type { GlobalCommand } from '../command-definition.js';

/** The HOST cell of the single-tenant install, which has no host of its own. */
const SINGLE_TENANT_CELL = `(${SINGLE_TENANT_LABEL})`;

function formatStatusTable(statuses: readonly TenantStatus[]): string {
  const header = ['HOST', 'ADAPTER', 'SCHEMA', 'STATE'];
  const rows = statuses.map((status) => [status.host ?? SINGLE_TENANT_CELL, status.adapter ?? '-', status.schemaVersion === null ? '-' : String(status.schemaVersion), status.state]);
  const widths = header.map((title, index) => Math.max(title.length, ...rows.map((row) => row[index]!.length)));
  return [header, ...rows].map((row) => row.map((cell, index) => cell.padEnd(widths[index]!)).join('  ').trimEnd()).join('\n');
}

/** Formats the table, then the error of each tenant that has one, then what the single-tenant install serves. */
function formatStatusList(statuses: readonly TenantStatus[], singleTenantConfig: string): string {
  if (statuses.length === 0) return 'No tenants. Create one with tenant:create HOST.';
  const lines = [formatStatusTable(statuses)];
  const failed = statuses.filter((status) => status.error !== undefined);
  if (failed.length > 0) lines.push('');
  for (const status of failed) lines.push(`${status.host ?? SINGLE_TENANT_CELL}: ${status.error}`);
  if (statuses.some((status) => status.host === null)) {
    lines.push('', `The single-tenant install (${singleTenantConfig}) serves every host that has no tenant file.`);
  }
  return lines.join('\n');
}

export const tenantListCommand: GlobalCommand = {
  kind: 'global',
  name: 'tenant:list',
  description: `List the single-tenant install (when it exists) and every tenant, with its database engine, schema version (the code's is ${CODE_SCHEMA_VERSION}) and state: enabled, disabled, maintenance, unreachable or config-invalid.`,
  options: [],
  async run(context) {
    const statuses: TenantStatus[] = [];
    for (const host of listAllTenants(context)) statuses.push(await loadTenantStatusByHost(context.registry, host));
    return { data: statuses, text: formatStatusList(statuses, context.rootPaths.singleTenantConfig) };
  },
};
