/** Tag Manager containers in the tenant database: the draft, its tags, triggers and variables, versions and releases. */
import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import { insertReturningId } from '../db/insert-id.js';
import type { Database } from '../db/schema.js';
import { FootfallError, quote } from '../errors.js';
import { formatUtcDateTime } from '../time.js';

/** Comparisons of trigger conditions, with Matomo's names. */
export const CONDITION_COMPARISONS = [
  'equals', 'not_equals', 'equals_exactly', 'contains', 'not_contains', 'starts_with', 'not_starts_with', 'ends_with',
  'not_ends_with', 'matches_regex', 'not_matches_regex',
] as const;
/** How often a tag fires: every time its trigger fires, or once per page. */
export const FIRE_LIMITS = ['unlimited', 'once_page'] as const;

const FIRST_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ123456789';
const ID_ALPHABET = `${FIRST_ID_ALPHABET}0`;

/** A condition of a trigger: a variable's value compared with an expected value. */
export interface TriggerCondition {
  actual: string;
  comparison: (typeof CONDITION_COMPARISONS)[number];
  expected: string;
}

/** A tag, trigger or variable as the API returns it and the runtime reads it. */
export interface ContainerEntity {
  id: number;
  type: string;
  name: string;
  parameters: Record<string, unknown>;
}

/** A container version with everything the published file contains. */
export interface ContainerContent {
  idcontainer: string;
  idsite: number;
  idcontainerversion: number;
  versionName: string;
  revision: number;
  /** `live`, an extra environment, or `preview`; the runtime logs fired tags in preview. */
  environment: string;
  tags: (ContainerEntity & { fireTriggerIds: number[]; blockTriggerIds: number[]; fireLimit: string; priority: number })[];
  triggers: (ContainerEntity & { conditions: TriggerCondition[] })[];
  variables: (ContainerEntity & { defaultValue: string | null })[];
}

/** Returns a new container id: 8 letters and digits, the first never '0'. */
export function generateContainerId(): string {
  let id = FIRST_ID_ALPHABET[randomInt(FIRST_ID_ALPHABET.length)]!;
  for (let i = 1; i < 8; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

/** @throws FootfallError PARAMETER_INVALID unless `value` is one of `allowed`. */
export function ensureOneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new FootfallError('PARAMETER_INVALID', `Invalid ${name} ${quote(value)}. Use one of ${allowed.join(', ')}.`);
}

/** Returns the container of a site. @throws FootfallError TAG_MANAGER_CONTAINER_NOT_FOUND. */
export async function loadContainer(db: Kysely<Database>, siteId: number, containerId: string) {
  const container = await db.selectFrom('tagmanager_container').selectAll()
    .where('idsite', '=', siteId).where('idcontainer', '=', containerId).executeTakeFirst();
  if (!container) throw new FootfallError('TAG_MANAGER_CONTAINER_NOT_FOUND', `Container ${quote(containerId)} not found for site ${siteId}. List the site's containers with TagManager.getContainers.`);
  return { ...container, idsite: Number(container.idsite) };
}

/** Returns the id of a container's draft version. */
export async function loadDraftVersionId(db: Kysely<Database>, siteId: number, containerId: string): Promise<number> {
  const draft = await db.selectFrom('tagmanager_container_version').select('idcontainerversion')
    .where('idsite', '=', siteId).where('idcontainer', '=', containerId).where('revision', '=', 0).executeTakeFirstOrThrow();
  return Number(draft.idcontainerversion);
}

/**
 * Returns a version of a container, checking that it belongs to the container.
 *
 * @throws FootfallError TAG_MANAGER_VERSION_NOT_FOUND.
 */
export async function loadVersion(db: Kysely<Database>, siteId: number, containerId: string, versionId: number) {
  const version = await db.selectFrom('tagmanager_container_version').selectAll()
    .where('idsite', '=', siteId).where('idcontainer', '=', containerId).where('idcontainerversion', '=', versionId).executeTakeFirst();
  if (!version) throw new FootfallError('TAG_MANAGER_VERSION_NOT_FOUND', `Container version ${quote(String(versionId))} not found in container ${quote(containerId)}.`);
  return { ...version, idcontainerversion: Number(version.idcontainerversion), revision: Number(version.revision) };
}

/** Creates a container with an empty draft version and returns its id. */
export async function createContainer(db: Kysely<Database>, siteId: number, fields: { context: string; name: string; description: string }, now: Date): Promise<string> {
  const created = formatUtcDateTime(now);
  return db.transaction().execute(async (trx) => {
    let containerId = generateContainerId();
    while (await trx.selectFrom('tagmanager_container').select('idcontainer').where('idcontainer', '=', containerId).executeTakeFirst()) {
      containerId = generateContainerId();
    }
    await trx.insertInto('tagmanager_container').values({ idcontainer: containerId, idsite: siteId, ...fields, created_date: created, updated_date: created }).execute();
    await trx.insertInto('tagmanager_container_version')
      .values({ idcontainer: containerId, idsite: siteId, name: '', description: '', revision: 0, created_date: created }).execute();
    return containerId;
  });
}

/** Adds a tag to a version and returns its id. */
export async function insertTag(db: Kysely<Database>, row: Omit<Database['tagmanager_tag'], 'idtag'>): Promise<number> {
  return insertReturningId(db, db.insertInto('tagmanager_tag').values(row), 'idtag');
}

/** Adds a trigger to a version and returns its id. */
export async function insertTrigger(db: Kysely<Database>, row: Omit<Database['tagmanager_trigger'], 'idtrigger'>): Promise<number> {
  return insertReturningId(db, db.insertInto('tagmanager_trigger').values(row), 'idtrigger');
}

/** Adds a variable to a version and returns its id. */
export async function insertVariable(db: Kysely<Database>, row: Omit<Database['tagmanager_variable'], 'idvariable'>): Promise<number> {
  return insertReturningId(db, db.insertInto('tagmanager_variable').values(row), 'idvariable');
}

/** Loads the tags, triggers and variables of a version in the shape the runtime reads, as published to `environment`. */
export async function loadContainerContent(db: Kysely<Database>, siteId: number, containerId: string, versionId: number, environment = 'live'): Promise<ContainerContent> {
  const version = await loadVersion(db, siteId, containerId, versionId);
  const tags = await db.selectFrom('tagmanager_tag').selectAll().where('idsite', '=', siteId).where('idcontainerversion', '=', versionId).orderBy('idtag').execute();
  const triggers = await db.selectFrom('tagmanager_trigger').selectAll().where('idsite', '=', siteId).where('idcontainerversion', '=', versionId).orderBy('idtrigger').execute();
  const variables = await db.selectFrom('tagmanager_variable').selectAll().where('idsite', '=', siteId).where('idcontainerversion', '=', versionId).orderBy('idvariable').execute();
  return {
    idcontainer: containerId, idsite: siteId, idcontainerversion: versionId, versionName: version.name, revision: version.revision, environment,
    tags: tags.map((tag) => ({
      id: Number(tag.idtag), type: tag.type, name: tag.name, parameters: JSON.parse(tag.parameters) as Record<string, unknown>,
      fireTriggerIds: JSON.parse(tag.fire_trigger_ids) as number[], blockTriggerIds: JSON.parse(tag.block_trigger_ids) as number[],
      fireLimit: tag.fire_limit, priority: Number(tag.priority),
    })),
    triggers: triggers.map((trigger) => ({
      id: Number(trigger.idtrigger), type: trigger.type, name: trigger.name, parameters: JSON.parse(trigger.parameters) as Record<string, unknown>,
      conditions: JSON.parse(trigger.conditions) as TriggerCondition[],
    })),
    variables: variables.map((variable) => ({
      id: Number(variable.idvariable), type: variable.type, name: variable.name, parameters: JSON.parse(variable.parameters) as Record<string, unknown>,
      defaultValue: variable.default_value,
    })),
  };
}

/**
 * Copies the draft into a new version with the next revision number and returns its id.
 * Trigger ids in the copied tags are rewritten to the copied triggers.
 */
export async function createVersionFromDraft(db: Kysely<Database>, siteId: number, containerId: string, fields: { name: string; description: string }, now: Date): Promise<number> {
  const draftId = await loadDraftVersionId(db, siteId, containerId);
  const draft = await loadContainerContent(db, siteId, containerId, draftId);
  const created = formatUtcDateTime(now);
  return db.transaction().execute(async (trx) => {
    const last = await trx.selectFrom('tagmanager_container_version').select((eb) => eb.fn.max('revision').as('revision'))
      .where('idsite', '=', siteId).where('idcontainer', '=', containerId).executeTakeFirst();
    const versionId = await insertReturningId<Database, 'tagmanager_container_version'>(trx, trx.insertInto('tagmanager_container_version').values({
      idcontainer: containerId, idsite: siteId, ...fields, revision: Number(last?.revision ?? 0) + 1, created_date: created,
    }), 'idcontainerversion');

    const triggerIds = new Map<number, number>();
    for (const trigger of draft.triggers) {
      triggerIds.set(trigger.id, await insertTrigger(trx, {
        idcontainerversion: versionId, idsite: siteId, type: trigger.type, name: trigger.name,
        parameters: JSON.stringify(trigger.parameters), conditions: JSON.stringify(trigger.conditions), created_date: created,
      }));
    }
    for (const variable of draft.variables) {
      await insertVariable(trx, {
        idcontainerversion: versionId, idsite: siteId, type: variable.type, name: variable.name,
        parameters: JSON.stringify(variable.parameters), default_value: variable.defaultValue, created_date: created,
      });
    }
    const remap = (ids: number[]): string => JSON.stringify(ids.map((id) => triggerIds.get(id)).filter((id) => id !== undefined));
    for (const tag of draft.tags) {
      await insertTag(trx, {
        idcontainerversion: versionId, idsite: siteId, type: tag.type, name: tag.name, parameters: JSON.stringify(tag.parameters),
        fire_trigger_ids: remap(tag.fireTriggerIds), block_trigger_ids: remap(tag.blockTriggerIds), fire_limit: tag.fireLimit,
        priority: tag.priority, created_date: created,
      });
    }
    return versionId;
  });
}

/** Records that a version was published to an environment, replacing that environment's previous release. */
export async function saveRelease(db: Kysely<Database>, release: Omit<Database['tagmanager_container_release'], 'idcontainerrelease'>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('tagmanager_container_release')
      .where('idsite', '=', release.idsite).where('idcontainer', '=', release.idcontainer).where('environment', '=', release.environment).execute();
    await trx.insertInto('tagmanager_container_release').values(release).execute();
  });
}

/** Tables of a version's parts, with their id columns. */
const PART_TABLES = {
  tag: { table: 'tagmanager_tag', idColumn: 'idtag' },
  trigger: { table: 'tagmanager_trigger', idColumn: 'idtrigger' },
  variable: { table: 'tagmanager_variable', idColumn: 'idvariable' },
} as const;

/**
 * Deletes a tag, trigger or variable of a version. A trigger that a tag of the version fires
 * on or is blocked by is kept, since the tag would silently stop firing.
 *
 * @throws FootfallError PARAMETER_INVALID when the id is not in the version or the trigger is in use.
 */
export async function deleteVersionPart(db: Kysely<Database>, kind: keyof typeof PART_TABLES, siteId: number, versionId: number, id: number): Promise<void> {
  const { table, idColumn } = PART_TABLES[kind];
  if (kind === 'trigger') {
    const tags = await db.selectFrom('tagmanager_tag').select(['name', 'fire_trigger_ids', 'block_trigger_ids'])
      .where('idsite', '=', siteId).where('idcontainerversion', '=', versionId).execute();
    const user = tags.find((tag) => [...JSON.parse(tag.fire_trigger_ids) as number[], ...JSON.parse(tag.block_trigger_ids) as number[]].includes(id));
    if (user) throw new FootfallError('PARAMETER_INVALID', `Trigger ${id} is used by tag ${quote(user.name)}. Remove it from that tag first.`);
  }
  const result = await db.deleteFrom(table as 'tagmanager_tag').where('idsite', '=', siteId).where('idcontainerversion', '=', versionId)
    .where(idColumn as 'idtag', '=', id).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw new FootfallError('PARAMETER_INVALID', `No ${kind} ${id} in container version ${versionId}.`);
}

/** Deletes a container with all its versions, their parts and its releases. */
export async function deleteContainerRows(db: Kysely<Database>, siteId: number, containerId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const versionIds = trx.selectFrom('tagmanager_container_version').select('idcontainerversion').where('idsite', '=', siteId).where('idcontainer', '=', containerId);
    for (const { table } of Object.values(PART_TABLES)) {
      await trx.deleteFrom(table as 'tagmanager_tag').where('idsite', '=', siteId).where('idcontainerversion', 'in', versionIds).execute();
    }
    await trx.deleteFrom('tagmanager_container_release').where('idsite', '=', siteId).where('idcontainer', '=', containerId).execute();
    await trx.deleteFrom('tagmanager_container_version').where('idsite', '=', siteId).where('idcontainer', '=', containerId).execute();
    await trx.deleteFrom('tagmanager_container').where('idsite', '=', siteId).where('idcontainer', '=', containerId).execute();
  });
}

/** Replaces the stored fields of a tag, trigger or variable of a version. */
export async function updateVersionPart(
  db: Kysely<Database>, kind: keyof typeof PART_TABLES, siteId: number, versionId: number, id: number, fields: Record<string, string | number | null>,
): Promise<void> {
  const { table, idColumn } = PART_TABLES[kind];
  await db.updateTable(table as 'tagmanager_tag').set(fields).where('idsite', '=', siteId).where('idcontainerversion', '=', versionId)
    .where(idColumn as 'idtag', '=', id).execute();
}

/** Deletes a container's release in one environment; a missing release is no error. */
export async function deleteRelease(db: Kysely<Database>, siteId: number, containerId: string, environment: string): Promise<void> {
  await db.deleteFrom('tagmanager_container_release')
    .where('idsite', '=', siteId).where('idcontainer', '=', containerId).where('environment', '=', environment).execute();
}
