/** Methods of Matomo's `Goals` module that manage goals: add, update, delete, list. */
import { createGoal, deleteGoal, loadGoals, updateGoal, type GoalFields } from '../../goals/goal-store.js';
import { loadSite } from '../../sites/site-store.js';
import { isVisitGoalAttribute, VISIT_GOAL_PATTERN_TYPE } from '../../tracking/goal-matcher.js';
import { markSiteChanged } from '../../tracking/site-cache.js';
import { FootfallError, quote } from '../../errors.js';
import { API_SUCCESS, type ApiObject } from '../api-value.js';
import type { ApiMethodRegistry, ApiParameterDoc } from '../api-method-registry.js';
import type { ApiParams } from '../api-params.js';

const GOAL_PARAMETERS: readonly ApiParameterDoc[] = [
  { name: 'idSite', description: 'The site id.', required: true },
  { name: 'name', description: 'The goal name.', required: true },
  { name: 'matchAttribute', description: 'url, title, file, external_website, manually, event_category, event_action, event_name, visit_duration, visit_total_actions or visit_total_pageviews.', required: true },
  { name: 'pattern', description: 'The text or regular expression (RE2 syntax) matched (empty for manually). For visit_duration, the minutes the visit must exceed. For visit_total_actions and visit_total_pageviews, the count it must exceed.' },
  { name: 'patternType', description: 'contains (default), exact or regex. The visit_* attributes take greater_than, their default.' },
  { name: 'caseSensitive', description: '1 to match case.' },
  { name: 'revenue', description: 'Default revenue of a conversion.' },
  { name: 'allowMultipleConversionsPerVisit', description: '1 to convert more than once per visit.' },
  { name: 'description', description: 'A description.' },
  { name: 'useEventValueAsRevenue', description: '1 to use the event value (e_v) as the revenue of a conversion, on event_category, event_action and event_name goals. Goals.updateGoal rejects it on other goals, as Matomo does.' },
];

function readRevenue(params: ApiParams): number {
  const text = params.optionalString('revenue');
  // Matomo's clients send revenue=false for "no default revenue".
  if (text === undefined || text === '' || text === 'false') return 0;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new FootfallError('GOAL_INVALID', `Invalid revenue ${quote(text)}. Expected a number of at least 0.`);
  return value;
}

function readBool(params: ApiParams, name: string): boolean {
  const text = params.optionalString(name)?.toLowerCase();
  return text === '1' || text === 'true';
}

function readGoalFields(params: ApiParams): GoalFields {
  const matchAttribute = params.requiredString('matchAttribute');
  return {
    name: params.requiredString('name'), matchAttribute,
    pattern: params.string('pattern'), patternType: params.string('patternType', isVisitGoalAttribute(matchAttribute) ? VISIT_GOAL_PATTERN_TYPE : 'contains'),
    caseSensitive: readBool(params, 'caseSensitive'), revenue: readRevenue(params),
    allowMultiple: readBool(params, 'allowMultipleConversionsPerVisit'), description: params.string('description'),
    eventValueAsRevenue: readBool(params, 'useEventValueAsRevenue'),
  };
}

/** Registers `Goals.addGoal`, `Goals.updateGoal`, `Goals.deleteGoal` and `Goals.getGoals`. */
export function registerGoalsModule(registry: ApiMethodRegistry): void {
  registry.register({
    name: 'Goals.addGoal', description: 'Adds a goal to a site and returns its id.', parameters: GOAL_PARAMETERS,
    handler: async ({ tenant, access, params }) => {
      const siteId = params.requiredInt('idSite');
      access.ensure('write', [siteId]);
      await loadSite(tenant.db(), siteId);
      const idgoal = await createGoal(tenant.db(), siteId, readGoalFields(params));
      markSiteChanged(tenant.key, siteId);
      return idgoal;
    },
  });

  registry.register({
    name: 'Goals.updateGoal', description: 'Replaces the settings of a goal.',
    parameters: [...GOAL_PARAMETERS, { name: 'idGoal', description: 'The goal id.', required: true }],
    handler: async ({ tenant, access, params }) => {
      const siteId = params.requiredInt('idSite');
      access.ensure('write', [siteId]);
      await updateGoal(tenant.db(), siteId, params.requiredInt('idGoal'), readGoalFields(params));
      markSiteChanged(tenant.key, siteId);
      return API_SUCCESS;
    },
  });

  registry.register({
    name: 'Goals.deleteGoal', description: 'Deletes a goal; its past conversions are kept.',
    parameters: [{ name: 'idSite', description: 'The site id.', required: true }, { name: 'idGoal', description: 'The goal id.', required: true }],
    handler: async ({ tenant, access, params }) => {
      const siteId = params.requiredInt('idSite');
      access.ensure('write', [siteId]);
      await deleteGoal(tenant.db(), siteId, params.requiredInt('idGoal'));
      markSiteChanged(tenant.key, siteId);
      return API_SUCCESS;
    },
  });

  registry.register({
    name: 'Goals.getGoals', description: 'Returns the goals of a site, keyed by goal id.',
    parameters: [{ name: 'idSite', description: 'The site id.', required: true }],
    handler: async ({ tenant, access, params }) => {
      const siteId = params.requiredInt('idSite');
      access.ensure('view', [siteId]);
      const goals = await loadGoals(tenant.db(), siteId);
      const keyed: ApiObject = {};
      for (const goal of goals) {
        // Matomo returns database values as strings here.
        keyed[String(goal.idgoal)] = {
          idsite: String(goal.idsite), idgoal: String(goal.idgoal), name: goal.name, description: goal.description,
          match_attribute: goal.match_attribute, pattern: goal.pattern, pattern_type: goal.pattern_type,
          case_sensitive: String(goal.case_sensitive), allow_multiple: String(goal.allow_multiple), revenue: String(goal.revenue),
          deleted: String(goal.deleted), event_value_as_revenue: String(goal.event_value_as_revenue),
        };
      }
      return goals.length === 0 ? [] : keyed;
    },
  });
}
