/**
 * `config:set SECTION.KEY VALUE`: write one setting into the tenant's own config file, keeping
 * its other lines. `SECTION.KEY[] VALUE` appends VALUE to a list: the effective list (merged
 * from every file of the chain) plus VALUE is written to the tenant file, because a list there
 * replaces the whole default list. `SECTION.KEY VALUE` on a list sets a list of one.
 */
import type { IniValue } from '../../config/ini.js';
import { parseSettingPath, type SettingPath } from '../../config/setting-path.js';
import { describeMismatch, getSectionTypes } from '../../config/setting-types.js';
import { FootfallError, quote } from '../../errors.js';
import { updateTenantConfigFile } from '../../tenancy/tenant-config-file.js';
import type { Tenant } from '../../tenancy/tenant.js';
import type { TenantCommand } from '../command-definition.js';

function buildNewValue(tenant: Tenant, path: SettingPath, value: string, isList: boolean): IniValue {
  if (!path.append) return isList ? [value] : value;
  const current = tenant.settings.list(path.section, path.key);
  return current.includes(value) ? current : [...current, value];
}

/** @throws FootfallError CONFIG_KEY_INVALID for a line break, `[]` on a scalar, or a value its type rejects. */
function validateNewValue(path: SettingPath, raw: string, value: IniValue): void {
  const name = `[${path.section}] ${path.key}`;
  if (/[\r\n\0]/.test(raw)) throw new FootfallError('CONFIG_KEY_INVALID', `Invalid value for ${name}: it contains a line break. Pass a single line.`);
  const type = getSectionTypes(path.section)?.[path.key];
  if (!type) return;
  if (path.append && type.kind !== 'list') {
    throw new FootfallError('CONFIG_KEY_INVALID', `Invalid setting ${path.section}.${path.key}[]: ${name} is not a list. Use ${path.section}.${path.key} VALUE.`);
  }
  const expected = describeMismatch(type, value);
  if (expected !== null) throw new FootfallError('CONFIG_KEY_INVALID', `Invalid value ${quote(raw)} for ${name}. Expected ${expected}.`);
}

export const configSetCommand: TenantCommand = {
  kind: 'tenant',
  name: 'config:set',
  description: 'Write a setting into the tenant\'s config file only, keeping its comments and other keys. '
    + 'SECTION.KEY[] VALUE appends to a list (starting from the effective list of the whole chain); SECTION.KEY VALUE on a list sets a list of one.',
  arguments: [
    { name: 'setting', description: 'SECTION.KEY, or SECTION.KEY[] to append to a list', required: true },
    { name: 'value', description: 'the new value, checked against the setting\'s type', required: true },
  ],
  options: [],
  // Writes the tenant's config file, not its database, so an operator can fix a disabled tenant's settings before tenant:enable.
  runsOnDisabledTenant: true,
  async run(context, tenant, args) {
    const path = parseSettingPath(args[0]);
    const raw = args[1] ?? '';
    const type = getSectionTypes(path.section)?.[path.key];
    const value = buildNewValue(tenant, path, raw, type?.kind === 'list');
    validateNewValue(path, raw, value);
    if (!type) context.say(`Note: [${path.section}] ${path.key} is not a setting Footfall reads; it is written anyway.`);

    updateTenantConfigFile(tenant.configFile, (document) => document.set(path.section, path.key, value));
    await context.registry.forget(tenant.key);
    context.logger.info({ tenant: tenant.key, section: path.section, key: path.key }, 'setting written');
    return { data: { section: path.section, key: path.key, value, file: tenant.configFile }, text: `Set [${path.section}] ${path.key} in ${tenant.configFile}.` };
  },
};
