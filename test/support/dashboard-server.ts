/**
 * A server for dashboard tests whose `VisitsSummary.get` returns fixed numbers, so the tests
 * check the dashboard rather than archiving. `SitesManager.getSitesWithAtLeastViewAccess`
 * gets a minimal stand-in only while the real method is not registered.
 */
import type { FastifyInstance } from 'fastify';
import { ApiMethodRegistry, type ApiMethod } from '../../src/api/api-method-registry.js';
import { buildApiMethodRegistry } from '../../src/api/modules/index.js';
import { KeyedResults, type ApiObject } from '../../src/api/api-value.js';
import { Settings } from '../../src/config/settings.js';
import { buildServer } from '../../src/http/server.js';
import { createSilentLogger } from '../../src/logging.js';
import { loadSites } from '../../src/sites/site-store.js';
import type { TestRoot } from './test-root.js';

/** Visits per tenant host for the fixed `VisitsSummary.get`; hosts not listed have no data. */
export type VisitsByHost = Record<string, number>;

/** The metrics the fixed `VisitsSummary.get` returns for a period with `visits` visits. */
export function buildVisitsSummary(visits: number): ApiObject {
  return {
    nb_uniq_visitors: Math.ceil(visits * 0.8), nb_users: 0, nb_visits: visits, nb_actions: visits * 3, nb_visits_converted: 0,
    bounce_count: Math.floor(visits / 2), sum_visit_length: visits * 95, max_actions: 9, bounce_rate: `${visits > 0 ? 50 : 0}%`,
    nb_actions_per_visit: 3, avg_time_on_site: 95,
  };
}

function buildFixedVisitsSummary(visitsByHost: VisitsByHost): ApiMethod {
  return {
    name: 'VisitsSummary.get',
    description: 'Test stand-in with fixed numbers.',
    parameters: [],
    handler: async ({ tenant, params, access }) => {
      access.ensure('view', [params.requiredInt('idSite')]);
      const visits = visitsByHost[tenant.key] ?? 0;
      const date = params.requiredString('date');
      const multiPeriod = params.requiredString('period') !== 'range' && (date.startsWith('last') || date.includes(','));
      if (!multiPeriod) return visits > 0 ? buildVisitsSummary(visits) : [];
      const labels = listPeriodLabels(date);
      return new KeyedResults('date', labels.map((label, index) => [label, visits > 0 ? buildVisitsSummary(visits + index) : []] as const));
    },
  };
}

/** Returns day labels: N days of February 2026 for `lastN`, else every day from the first to the last date. */
function listPeriodLabels(date: string): string[] {
  const lastCount = /^last(\d+)$/.exec(date);
  if (lastCount) return Array.from({ length: Number(lastCount[1]) }, (_, index) => `2026-02-${String(index + 1).padStart(2, '0')}`);
  const [first = '', last = ''] = date.split(',');
  const labels: string[] = [];
  for (let day = new Date(`${first}T00:00:00Z`); day.toISOString().slice(0, 10) <= last && labels.length < 400; day.setUTCDate(day.getUTCDate() + 1)) {
    labels.push(day.toISOString().slice(0, 10));
  }
  return labels;
}

const SITES_STAND_IN: ApiMethod = {
  name: 'SitesManager.getSitesWithAtLeastViewAccess',
  description: 'Test stand-in: the sites the user can view, with id and name as strings.',
  parameters: [],
  handler: async ({ tenant, access }) => {
    const sites = await loadSites(tenant.db(), access.siteIdsWith('view'));
    return sites.map((site) => ({ idsite: String(site.idsite), name: site.name, main_url: site.main_url }));
  },
};

/** Builds the method registry of dashboard tests. */
export function buildDashboardApiMethods(visitsByHost: VisitsByHost): ApiMethodRegistry {
  const registry = new ApiMethodRegistry();
  for (const method of buildApiMethodRegistry().list()) {
    if (method.name !== 'VisitsSummary.get') registry.register(method);
  }
  registry.register(buildFixedVisitsSummary(visitsByHost));
  if (!registry.get(SITES_STAND_IN.name)) registry.register(SITES_STAND_IN);
  return registry;
}

/** Builds the server of dashboard tests. */
export async function buildDashboardServer(root: TestRoot, visitsByHost: VisitsByHost = {}): Promise<FastifyInstance> {
  const defaults = Settings.load({ global: root.rootPaths.globalConfig, common: root.rootPaths.commonConfig, local: null });
  return buildServer({ registry: root.registry, apiMethods: buildDashboardApiMethods(visitsByHost), defaults, logger: createSilentLogger(), clock: () => new Date() });
}
