/** The `TagManager.*` methods: containers, their tags, triggers and variables, versions and publishing. */
import { readEnvironment } from '../../config/environment.js';
import { FootfallError } from '../../errors.js';
import { loadSite } from '../../sites/site-store.js';
import { publishContainerFile } from '../../tag-manager/container-publisher.js';
import {
  createContainer, createVersionFromDraft, ensureOneOf, FIRE_LIMITS, insertTag, insertTrigger,
  insertVariable, loadContainer, loadContainerContent, loadDraftVersionId, loadVersion, saveRelease, TAG_TYPES,
  TRIGGER_TYPES, updateVersionPart, VARIABLE_TYPES,
} from '../../tag-manager/container-store.js';
import { formatUtcDateTime } from '../../time.js';
import type { ApiCall, ApiMethodRegistry } from '../api-method-registry.js';
import { API_SUCCESS, type ApiValue } from '../api-value.js';
import { readConditions, readIdList, readObjectParam, requireName } from './tag-manager-params.js';

/** The only environment Footfall publishes; Matomo also has preview and custom environments. */
const LIVE_ENVIRONMENT = 'live';

/** Checks access and the container, and returns the draft version that add, update and delete methods must name. */
async function loadDraftTarget(call: ApiCall): Promise<{ siteId: number; containerId: string; versionId: number }> {
  const siteId = call.params.requiredInt('idSite');
  call.access.ensure('write', [siteId]);
  const containerId = call.params.requiredString('idContainer');
  await loadContainer(call.tenant.db(), siteId, containerId);
  const versionId = call.params.requiredInt('idContainerVersion');
  const version = await loadVersion(call.tenant.db(), siteId, containerId, versionId);
  if (version.revision !== 0) {
    throw new FootfallError('PARAMETER_INVALID', `Container version ${versionId} is a published version and cannot change. Add to the draft, whose id TagManager.getContainer returns.`);
  }
  return { siteId, containerId, versionId };
}

async function loadViewTarget(call: ApiCall): Promise<{ siteId: number; containerId: string }> {
  const siteId = call.params.requiredInt('idSite');
  call.access.ensure('view', [siteId]);
  const containerId = call.params.requiredString('idContainer');
  await loadContainer(call.tenant.db(), siteId, containerId);
  return { siteId, containerId };
}

async function describeContainer(call: ApiCall, siteId: number, containerId: string): Promise<ApiValue> {
  const db = call.tenant.db();
  const container = await loadContainer(db, siteId, containerId);
  const versions = await db.selectFrom('tagmanager_container_version').selectAll().where('idsite', '=', siteId).where('idcontainer', '=', containerId).orderBy('revision').execute();
  const releases = await db.selectFrom('tagmanager_container_release').selectAll().where('idsite', '=', siteId).where('idcontainer', '=', containerId).orderBy('environment').execute();
  const draft = versions.find((version) => Number(version.revision) === 0)!;
  return {
    idcontainer: container.idcontainer, idsite: siteId, context: container.context, name: container.name,
    description: container.description, created_date: container.created_date, updated_date: container.updated_date,
    draft: { idcontainerversion: Number(draft.idcontainerversion), revision: 0 },
    versions: versions.filter((version) => Number(version.revision) > 0).map((version) => ({
      idcontainerversion: Number(version.idcontainerversion), name: version.name, description: version.description,
      revision: Number(version.revision), created_date: version.created_date,
    })),
    releases: releases.map((release) => ({
      environment: release.environment, idcontainerversion: Number(release.idcontainerversion),
      release_login: release.release_login, release_date: release.release_date,
    })),
  };
}

function buildEmbedCode(host: string, containerId: string): string {
  return [
    '<!-- Footfall Tag Manager -->',
    '<script>',
    '  var _mtm = window._mtm = window._mtm || [];',
    '  _mtm.push({"mtm.startTime": (new Date().getTime()), "event": "mtm.Start"});',
    '  (function () {',
    '    var script = document.createElement("script");',
    '    script.async = true;',
    `    script.src = ${JSON.stringify(`//${host}/js/container_${containerId}.js`)};`,
    '    document.head.appendChild(script);',
    '  })();',
    '</script>',
    '<!-- End Footfall Tag Manager -->',
    '',
  ].join('\n');
}

/** The handlers of the TagManager module, by method name. */
const HANDLERS: Record<string, { description: string; parameters: string[]; handler: (call: ApiCall) => Promise<ApiValue> }> = {
  addContainer: {
    description: 'Creates a container with an empty draft and returns its id.',
    parameters: ['idSite', 'context', 'name', 'description'],
    async handler(call) {
      const siteId = call.params.requiredInt('idSite');
      call.access.ensure('write', [siteId]);
      await loadSite(call.tenant.db(), siteId);
      const context = ensureOneOf('context', call.params.string('context', 'web'), ['web']);
      return createContainer(call.tenant.db(), siteId, { context, name: requireName(call.params), description: call.params.string('description') }, call.clock());
    },
  },
  getContainers: {
    description: 'Returns the containers of a site with their draft, versions and releases.',
    parameters: ['idSite'],
    async handler(call) {
      const siteId = call.params.requiredInt('idSite');
      call.access.ensure('view', [siteId]);
      const rows = await call.tenant.db().selectFrom('tagmanager_container').select('idcontainer').where('idsite', '=', siteId).orderBy('created_date').orderBy('idcontainer').execute();
      const containers: ApiValue[] = [];
      for (const row of rows) containers.push(await describeContainer(call, siteId, row.idcontainer));
      return containers;
    },
  },
  getContainer: {
    description: 'Returns one container with its draft, versions and releases.',
    parameters: ['idSite', 'idContainer'],
    async handler(call) {
      const { siteId, containerId } = await loadViewTarget(call);
      return describeContainer(call, siteId, containerId);
    },
  },
  addContainerTrigger: {
    description: 'Adds a trigger to the draft and returns its id.',
    parameters: ['idSite', 'idContainer', 'idContainerVersion', 'type', 'name', 'parameters', 'conditions'],
    async handler(call) {
      const { siteId, versionId } = await loadDraftTarget(call);
      const fields = readTriggerFields(call, ensureOneOf('trigger type', call.params.requiredString('type'), TRIGGER_TYPES));
      return insertTrigger(call.tenant.db(), { idcontainerversion: versionId, idsite: siteId, ...fields, created_date: formatUtcDateTime(call.clock()) });
    },
  },
  addContainerVariable: {
    description: 'Adds a variable to the draft and returns its id.',
    parameters: ['idSite', 'idContainer', 'idContainerVersion', 'type', 'name', 'parameters', 'defaultValue'],
    async handler(call) {
      const { siteId, versionId } = await loadDraftTarget(call);
      const fields = readVariableFields(call, ensureOneOf('variable type', call.params.requiredString('type'), VARIABLE_TYPES));
      return insertVariable(call.tenant.db(), { idcontainerversion: versionId, idsite: siteId, ...fields, created_date: formatUtcDateTime(call.clock()) });
    },
  },
  addContainerTag: {
    description: 'Adds a tag to the draft and returns its id.',
    parameters: ['idSite', 'idContainer', 'idContainerVersion', 'type', 'name', 'parameters', 'fireTriggerIds', 'blockTriggerIds', 'fireLimit', 'priority'],
    async handler(call) {
      const { siteId, versionId } = await loadDraftTarget(call);
      const fields = await readTagFields(call, versionId, ensureOneOf('tag type', call.params.requiredString('type'), TAG_TYPES));
      return insertTag(call.tenant.db(), { idcontainerversion: versionId, idsite: siteId, ...fields, created_date: formatUtcDateTime(call.clock()) });
    },
  },
  updateContainerTrigger: {
    description: 'Replaces the name, parameters and conditions of a draft trigger; its type stays.',
    parameters: ['idSite', 'idContainer', 'idContainerVersion', 'idTrigger', 'name', 'parameters', 'conditions'],
    async handler(call) {
      const { siteId, versionId } = await loadDraftTarget(call);
      const id = call.params.requiredInt('idTrigger');
      const type = await loadPartType(call, 'trigger', versionId, id);
      await updateVersionPart(call.tenant.db(), 'trigger', siteId, versionId, id, readTriggerFields(call, type));
      return API_SUCCESS;
    },
  },
  updateContainerVariable: {
    description: 'Replaces the name, parameters and default value of a draft variable; its type stays.',
    parameters: ['idSite', 'idContainer', 'idContainerVersion', 'idVariable', 'name', 'parameters', 'defaultValue'],
    async handler(call) {
      const { siteId, versionId } = await loadDraftTarget(call);
      const id = call.params.requiredInt('idVariable');
      const type = await loadPartType(call, 'variable', versionId, id);
      await updateVersionPart(call.tenant.db(), 'variable', siteId, versionId, id, readVariableFields(call, type));
      return API_SUCCESS;
    },
  },
  updateContainerTag: {
    description: 'Replaces the settings of a draft tag; its type stays.',
    parameters: ['idSite', 'idContainer', 'idContainerVersion', 'idTag', 'name', 'parameters', 'fireTriggerIds', 'blockTriggerIds', 'fireLimit', 'priority'],
    async handler(call) {
      const { siteId, versionId } = await loadDraftTarget(call);
      const id = call.params.requiredInt('idTag');
      const type = await loadPartType(call, 'tag', versionId, id);
      await updateVersionPart(call.tenant.db(), 'tag', siteId, versionId, id, await readTagFields(call, versionId, type));
      return API_SUCCESS;
    },
  },
  getContainerTags: { description: 'Returns the tags of a container version.', parameters: ['idSite', 'idContainer', 'idContainerVersion'], handler: (call) => loadVersionPart(call, 'tags') },
  getContainerTriggers: { description: 'Returns the triggers of a container version.', parameters: ['idSite', 'idContainer', 'idContainerVersion'], handler: (call) => loadVersionPart(call, 'triggers') },
  getContainerVariables: { description: 'Returns the variables of a container version.', parameters: ['idSite', 'idContainer', 'idContainerVersion'], handler: (call) => loadVersionPart(call, 'variables') },
  createContainerVersion: {
    description: 'Copies the draft into a new version and returns its id.',
    parameters: ['idSite', 'idContainer', 'name', 'description'],
    async handler(call) {
      const siteId = call.params.requiredInt('idSite');
      call.access.ensure('write', [siteId]);
      const containerId = call.params.requiredString('idContainer');
      await loadContainer(call.tenant.db(), siteId, containerId);
      return createVersionFromDraft(call.tenant.db(), siteId, containerId, { name: requireName(call.params), description: call.params.string('description') }, call.clock());
    },
  },
  publishContainerVersion: {
    description: 'Publishes a version to the live environment: writes the container file this host serves.',
    parameters: ['idSite', 'idContainer', 'idContainerVersion', 'environment'],
    async handler(call) {
      const siteId = call.params.requiredInt('idSite');
      // NOTE: Matomo also lets users with the publish capability publish; Footfall has no capabilities yet, so admin is required.
      call.access.ensure('admin', [siteId]);
      const containerId = call.params.requiredString('idContainer');
      await loadContainer(call.tenant.db(), siteId, containerId);
      const environment = ensureOneOf('environment', call.params.string('environment', LIVE_ENVIRONMENT), [LIVE_ENVIRONMENT]);
      const versionId = call.params.requiredInt('idContainerVersion');
      const content = await loadContainerContent(call.tenant.db(), siteId, containerId, versionId);
      publishContainerFile(call.tenant, content, readEnvironment({}).codeRoot);
      await saveRelease(call.tenant.db(), {
        idcontainer: containerId, idcontainerversion: versionId, idsite: siteId, environment,
        release_login: call.access.login, release_date: formatUtcDateTime(call.clock()),
      });
      call.logger.info({ tenant: call.tenant.key, idSite: siteId, idContainer: containerId, idContainerVersion: versionId }, 'container published');
      return API_SUCCESS;
    },
  },
  getContainerEmbedCode: {
    description: 'Returns the code that loads a container on a page.',
    parameters: ['idSite', 'idContainer', 'environment'],
    async handler(call) {
      const { containerId } = await loadViewTarget(call);
      ensureOneOf('environment', call.params.string('environment', LIVE_ENVIRONMENT), [LIVE_ENVIRONMENT]);
      return buildEmbedCode(call.origin.host, containerId);
    },
  },
};

function readTriggerFields(call: ApiCall, type: string) {
  const parameters = readObjectParam(call.params, 'parameters');
  if (type === 'CustomEvent' && !parameters.eventName) throw new FootfallError('PARAMETER_MISSING', "Please specify a value for 'parameters[eventName]'.");
  return { type, name: requireName(call.params), parameters: JSON.stringify(parameters), conditions: JSON.stringify(readConditions(call.params)) };
}

function readVariableFields(call: ApiCall, type: string) {
  return {
    type, name: requireName(call.params), parameters: JSON.stringify(readObjectParam(call.params, 'parameters')),
    default_value: call.params.optionalString('defaultValue') ?? null,
  };
}

async function readTagFields(call: ApiCall, versionId: number, type: string) {
  const fireTriggerIds = readIdList(call.params, 'fireTriggerIds');
  const blockTriggerIds = readIdList(call.params, 'blockTriggerIds');
  await ensureTriggersExist(call, versionId, [...fireTriggerIds, ...blockTriggerIds]);
  return {
    type, name: requireName(call.params), parameters: JSON.stringify(readObjectParam(call.params, 'parameters')),
    fire_trigger_ids: JSON.stringify(fireTriggerIds), block_trigger_ids: JSON.stringify(blockTriggerIds),
    fire_limit: ensureOneOf('fireLimit', call.params.string('fireLimit', 'unlimited'), FIRE_LIMITS), priority: call.params.int('priority', 999),
  };
}

/** Returns the stored type of a draft part. @throws FootfallError PARAMETER_INVALID when the id is not in the version. */
async function loadPartType(call: ApiCall, kind: 'tag' | 'trigger' | 'variable', versionId: number, id: number): Promise<string> {
  const content = await loadContainerContent(call.tenant.db(), call.params.requiredInt('idSite'), call.params.requiredString('idContainer'), versionId);
  const partsByKind: Record<typeof kind, { id: number; type: string }[]> = { tag: content.tags, trigger: content.triggers, variable: content.variables };
  const parts = partsByKind[kind];
  const part = parts.find((candidate) => candidate.id === id);
  if (!part) throw new FootfallError('PARAMETER_INVALID', `No ${kind} ${id} in container version ${versionId}.`);
  return part.type;
}

async function ensureTriggersExist(call: ApiCall, versionId: number, triggerIds: number[]): Promise<void> {
  if (triggerIds.length === 0) return;
  const rows = await call.tenant.db().selectFrom('tagmanager_trigger').select('idtrigger').where('idcontainerversion', '=', versionId).where('idtrigger', 'in', triggerIds).execute();
  const found = new Set(rows.map((row) => Number(row.idtrigger)));
  const missing = triggerIds.filter((id) => !found.has(id));
  if (missing.length > 0) throw new FootfallError('PARAMETER_INVALID', `Trigger ${missing.join(', ')} not found in container version ${versionId}. Add it with TagManager.addContainerTrigger first.`);
}

async function loadVersionPart(call: ApiCall, part: 'tags' | 'triggers' | 'variables'): Promise<ApiValue> {
  const { siteId, containerId } = await loadViewTarget(call);
  const versionId = call.params.has('idContainerVersion') ? call.params.requiredInt('idContainerVersion') : await loadDraftVersionId(call.tenant.db(), siteId, containerId);
  const content = await loadContainerContent(call.tenant.db(), siteId, containerId, versionId);
  return JSON.parse(JSON.stringify(content[part])) as ApiValue;
}

/** Descriptions of the module's parameters, for the generated API docs. */
const PARAMETER_DESCRIPTIONS: Record<string, string> = {
  idSite: 'Site id.',
  idContainer: 'Container id: 8 letters and digits.',
  idContainerVersion: 'Version id; the add methods need the draft, the get methods default to it.',
  context: "Container context; only 'web'.",
  name: 'Name, at most 255 characters.',
  description: 'Free text.',
  type: 'Type of the tag, trigger or variable.',
  parameters: 'Type-specific settings as parameters[key]=value or JSON.',
  conditions: 'Trigger conditions as conditions[i][actual|comparison|expected].',
  defaultValue: 'Value used when the variable resolves to nothing.',
  fireTriggerIds: 'Triggers that fire the tag, as fireTriggerIds[]=id.',
  blockTriggerIds: 'Triggers that stop the tag once they fired on the page.',
  fireLimit: "'unlimited' or 'once_page'.",
  priority: 'Tags of one trigger fire by descending priority; 999 by default.',
  environment: "Environment; only 'live'.",
  idTag: 'Id of the tag.',
  idTrigger: 'Id of the trigger.',
  idVariable: 'Id of the variable.',
};

const REQUIRED_PARAMETERS = new Set(['idSite', 'idContainer', 'type', 'name', 'idTag', 'idTrigger', 'idVariable']);

/** Registers every `TagManager.*` method. */
export function registerTagManagerModule(registry: ApiMethodRegistry): void {
  for (const [action, method] of Object.entries(HANDLERS)) {
    registry.register({
      name: `TagManager.${action}`,
      description: method.description,
      parameters: method.parameters.map((name) => ({ name, description: PARAMETER_DESCRIPTIONS[name] ?? name, required: REQUIRED_PARAMETERS.has(name) })),
      differences: 'Footfall supports the web context, the live environment, and the tag, trigger and variable types listed in docs/tag-manager.md.',
      handler: method.handler,
    });
  }
}
