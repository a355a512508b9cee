/** `config:get SECTION.KEY`: the effective value of a setting (global < common < tenant file) and the file that set it. */
import { parseSettingPath } from '../../config/setting-path.js';
import { FootfallError } from '../../errors.js';
import type { TenantCommand } from '../command-definition.js';

export const configGetCommand: TenantCommand = {
  kind: 'tenant',
  name: 'config:get',
  description: 'Print the effective value of a setting (global < common < tenant file); a list prints one item a line.',
  arguments: [{ name: 'setting', description: 'SECTION.KEY, such as General.default_timezone', required: true }],
  options: [],
  // Reads only.
  runsOnDisabledTenant: true,
  async run(_context, tenant, args) {
    const { section, key } = parseSettingPath(args[0]);
    const value = tenant.settings.raw(section, key);
    if (value === undefined) {
      throw new FootfallError('CONFIG_KEY_NOT_SET', `Setting [${section}] ${key} is not set in any config file. See config/global.ini.php for the settings Footfall reads.`);
    }
    const text = typeof value === 'string' ? value : Array.isArray(value) ? value.join('\n') : Object.entries(value).map(([name, item]) => `${name} = ${item}`).join('\n');
    return { data: { section, key, value, file: tenant.settings.sourceOf(section, key) ?? null }, text };
  },
};
