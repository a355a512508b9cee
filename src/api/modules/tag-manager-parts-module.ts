/**
 * The add, update, delete and get methods of tags, triggers and variables, built from one
 * table of the three kinds so that every kind gets the same access, draft and id checks.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { FootfallError } from '../../errors.js';
import {
  deleteVersionPart, ensureOneOf, FIRE_LIMITS, insertTag, insertTrigger, insertVariable, loadContainerContent,
  loadDraftVersionId, loadVersion, updateVersionPart,
} from '../../tag-manager/container-store.js';
import { checkPartParameters, TAG_TYPES, TRIGGER_TYPES, VARIABLE_TYPES } from '../../tag-manager/part-types.js';
import { formatUtcDateTime } from '../../time.js';
import type { ApiCall, ApiMethodRegistry, ApiParameterDoc } from '../api-method-registry.js';
import { API_SUCCESS, type ApiValue } from '../api-value.js';
import { readConditions, readIdList, readObjectParam, requireName } from './tag-manager-params.js';
import { loadViewTarget, loadWriteTarget } from './tag-manager-target.js';

type PartKind = 'tag' | 'trigger' | 'variable';

/** Columns of a part row besides its id, version, site and creation date. */
type PartFields = Record<string, string | number | null> & { type: string };

/** Settings that differ between tags, triggers and variables in the API. */
interface PartKindSpec {
  /** Suffix of the method names: `addContainerTag`, `getContainerTags`. */
  methodSuffix: string;
  /** The key of the kind's list in a container version. */
  listKey: 'tags' | 'triggers' | 'variables';
  idParameter: string;
  types: readonly string[];
  /** API parameters of add and update besides the target, type and id. */
  fieldParameters: string[];
  /** One sentence on what an update replaces, for the API docs. */
  updateDescription: string;
  deleteDifferences?: string;
  readFields(call: ApiCall, target: DraftTarget, type: string): Promise<PartFields>;
  insert(db: Kysely<Database>, row: PartFields & { idcontainerversion: number; idsite: number; created_date: string }): Promise<number>;
}

interface DraftTarget {
  siteId: number;
  containerId: string;
  versionId: number;
}

const PART_KINDS: Record<PartKind, PartKindSpec> = {
  tag: {
    methodSuffix: 'Tag', listKey: 'tags', idParameter: 'idTag', types: TAG_TYPES,
    fieldParameters: ['name', 'parameters', 'fireTriggerIds', 'blockTriggerIds', 'fireLimit', 'priority'],
    updateDescription: 'Replaces the settings of a draft tag; its type stays.',
    async readFields(call, target, type) {
      const fireTriggerIds = readIdList(call.params, 'fireTriggerIds');
      const blockTriggerIds = readIdList(call.params, 'blockTriggerIds');
      await ensureTriggersExist(call, target, [...fireTriggerIds, ...blockTriggerIds]);
      return {
        type, name: requireName(call.params), parameters: JSON.stringify(checkPartParameters('tag', type, readObjectParam(call.params, 'parameters'))),
        fire_trigger_ids: JSON.stringify(fireTriggerIds), block_trigger_ids: JSON.stringify(blockTriggerIds),
        fire_limit: ensureOneOf('fireLimit', call.params.string('fireLimit', 'unlimited'), FIRE_LIMITS), priority: call.params.int('priority', 999),
      };
    },
    insert: (db, row) => insertTag(db, row as Parameters<typeof insertTag>[1]),
  },
  trigger: {
    methodSuffix: 'Trigger', listKey: 'triggers', idParameter: 'idTrigger', types: TRIGGER_TYPES,
    fieldParameters: ['name', 'parameters', 'conditions'],
    updateDescription: 'Replaces the name, parameters and conditions of a draft trigger; its type stays.',
    deleteDifferences: 'A trigger that a tag still uses is not deleted; the call fails naming the tag.',
    async readFields(call, _target, type) {
      const parameters = checkPartParameters('trigger', type, readObjectParam(call.params, 'parameters'));
      return { type, name: requireName(call.params), parameters: JSON.stringify(parameters), conditions: JSON.stringify(readConditions(call.params)) };
    },
    insert: (db, row) => insertTrigger(db, row as Parameters<typeof insertTrigger>[1]),
  },
  variable: {
    methodSuffix: 'Variable', listKey: 'variables', idParameter: 'idVariable', types: VARIABLE_TYPES,
    fieldParameters: ['name', 'parameters', 'defaultValue'],
    updateDescription: 'Replaces the name, parameters and default value of a draft variable; its type stays.',
    async readFields(call, _target, type) {
      const parameters = checkPartParameters('variable', type, readObjectParam(call.params, 'parameters'));
      return { type, name: requireName(call.params), parameters: JSON.stringify(parameters), default_value: call.params.optionalString('defaultValue') ?? null };
    },
    insert: (db, row) => insertVariable(db, row as Parameters<typeof insertVariable>[1]),
  },
};

/** Checks write access and the container, and returns the draft version that add, update and delete methods must name. */
export async function loadDraftTarget(call: ApiCall): Promise<DraftTarget> {
  const { siteId, containerId } = await loadWriteTarget(call, 'write');
  const versionId = call.params.requiredInt('idContainerVersion');
  const version = await loadVersion(call.tenant.db(), siteId, containerId, versionId);
  if (version.revision !== 0) {
    throw new FootfallError('PARAMETER_INVALID', `Container version ${versionId} is a published version and cannot change. Change the draft, whose id TagManager.getContainer returns.`);
  }
  return { siteId, containerId, versionId };
}

/** @throws FootfallError PARAMETER_INVALID naming the trigger ids that are not in the target version. */
async function ensureTriggersExist(call: ApiCall, target: DraftTarget, triggerIds: number[]): Promise<void> {
  if (triggerIds.length === 0) return;
  const rows = await call.tenant.db().selectFrom('tagmanager_trigger').select('idtrigger')
    .where('idsite', '=', target.siteId).where('idcontainerversion', '=', target.versionId).where('idtrigger', 'in', triggerIds).execute();
  const found = new Set(rows.map((row) => Number(row.idtrigger)));
  const missing = triggerIds.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw new FootfallError('PARAMETER_INVALID', `Trigger ${missing.join(', ')} not found in container version ${target.versionId}. Add it with TagManager.addContainerTrigger first.`);
  }
}

/** Returns the stored type of a draft part. @throws FootfallError PARAMETER_INVALID when the id is not in the version. */
async function loadPartType(call: ApiCall, kind: PartKind, target: DraftTarget, id: number): Promise<string> {
  const content = await loadContainerContent(call.tenant.db(), target.siteId, target.containerId, target.versionId);
  const part = content[PART_KINDS[kind].listKey].find((candidate) => candidate.id === id);
  if (!part) throw new FootfallError('PARAMETER_INVALID', `No ${kind} ${id} in container version ${target.versionId}.`);
  return part.type;
}

async function addPart(call: ApiCall, kind: PartKind): Promise<ApiValue> {
  const spec = PART_KINDS[kind];
  const target = await loadDraftTarget(call);
  const type = ensureOneOf(`${kind} type`, call.params.requiredString('type'), spec.types);
  const fields = await spec.readFields(call, target, type);
  return spec.insert(call.tenant.db(), { ...fields, idcontainerversion: target.versionId, idsite: target.siteId, created_date: formatUtcDateTime(call.clock()) });
}

async function updatePart(call: ApiCall, kind: PartKind): Promise<ApiValue> {
  const spec = PART_KINDS[kind];
  const target = await loadDraftTarget(call);
  const id = call.params.requiredInt(spec.idParameter);
  const type = await loadPartType(call, kind, target, id);
  await updateVersionPart(call.tenant.db(), kind, target.siteId, target.versionId, id, await spec.readFields(call, target, type));
  return API_SUCCESS;
}

async function deletePart(call: ApiCall, kind: PartKind): Promise<ApiValue> {
  const target = await loadDraftTarget(call);
  await deleteVersionPart(call.tenant.db(), kind, target.siteId, target.versionId, call.params.requiredInt(PART_KINDS[kind].idParameter));
  return API_SUCCESS;
}

async function listParts(call: ApiCall, kind: PartKind): Promise<ApiValue> {
  const { siteId, containerId } = await loadViewTarget(call);
  const versionId = call.params.has('idContainerVersion') ? call.params.requiredInt('idContainerVersion') : await loadDraftVersionId(call.tenant.db(), siteId, containerId);
  const content = await loadContainerContent(call.tenant.db(), siteId, containerId, versionId);
  return JSON.parse(JSON.stringify(content[PART_KINDS[kind].listKey])) as ApiValue;
}

const PARAMETER_DOCS: Record<string, Omit<ApiParameterDoc, 'name'>> = {
  idSite: { description: 'Site id.', required: true },
  idContainer: { description: 'Container id: 8 letters and digits.', required: true },
  idContainerVersion: { description: 'Id of the draft version, which TagManager.getContainer returns.', required: true },
  type: { description: 'Type of the tag, trigger or variable; docs/tag-manager.md lists them.', required: true },
  name: { description: 'Name, at most 255 characters.', required: true },
  parameters: { description: 'Type-specific settings as parameters[key]=value or JSON.' },
  conditions: { description: 'Trigger conditions as conditions[i][actual|comparison|expected].' },
  defaultValue: { description: 'Value used when the variable resolves to nothing.' },
  fireTriggerIds: { description: 'Triggers that fire the tag, as fireTriggerIds[]=id.' },
  blockTriggerIds: { description: 'Triggers that stop the tag once they fired on the page.' },
  fireLimit: { description: "'unlimited' or 'once_page'." },
  priority: { description: 'Tags of one trigger fire by descending priority; 999 by default.' },
  idTag: { description: 'Id of the tag.', required: true },
  idTrigger: { description: 'Id of the trigger.', required: true },
  idVariable: { description: 'Id of the variable.', required: true },
};

function documentParameters(names: string[]): ApiParameterDoc[] {
  return names.map((name) => ({ name, ...PARAMETER_DOCS[name]! }));
}

const DRAFT_TARGET = ['idSite', 'idContainer', 'idContainerVersion'];

/** Registers the add, update, delete and get methods of tags, triggers and variables. */
export function registerTagManagerPartsModule(registry: ApiMethodRegistry, differences: string): void {
  for (const [kind, spec] of Object.entries(PART_KINDS) as [PartKind, PartKindSpec][]) {
    const suffix = spec.methodSuffix;
    registry.register({
      name: `TagManager.addContainer${suffix}`, description: `Adds a ${kind} to the draft and returns its id.`,
      parameters: documentParameters([...DRAFT_TARGET, 'type', ...spec.fieldParameters]), differences, handler: (call) => addPart(call, kind),
    });
    registry.register({
      name: `TagManager.updateContainer${suffix}`, description: spec.updateDescription,
      parameters: documentParameters([...DRAFT_TARGET, spec.idParameter, ...spec.fieldParameters]), differences, handler: (call) => updatePart(call, kind),
    });
    registry.register({
      name: `TagManager.deleteContainer${suffix}`, description: `Deletes a ${kind} of a container's draft.`,
      parameters: documentParameters([...DRAFT_TARGET, spec.idParameter]), differences: spec.deleteDifferences, handler: (call) => deletePart(call, kind),
    });
    registry.register({
      name: `TagManager.getContainer${suffix}s`, description: `Returns the ${spec.listKey} of a container version.`,
      parameters: [...documentParameters(['idSite', 'idContainer']), { name: 'idContainerVersion', description: 'Version id; the draft when missing.' }],
      differences, handler: (call) => listParts(call, kind),
    });
  }
}
