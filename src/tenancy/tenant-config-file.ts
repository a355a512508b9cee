/** Changing a tenant's config file in place, keeping the operator's comments and other keys. */
import { readFileSync } from 'node:fs';
import { IniDocument } from '../config/ini.js';
import { findInvalidSettings } from '../config/settings.js';
import { FootfallError } from '../errors.js';
import { writeFileAtomically } from './tenant-provisioner.js';

/**
 * Reads a tenant's config file, lets `change` edit it and writes it back atomically. The
 * changed file is checked against the setting types first, so a bad value never reaches disk.
 *
 * @throws FootfallError CONFIG_INVALID listing the bad values; the file is then left unchanged.
 */
export function updateTenantConfigFile(file: string, change: (document: IniDocument) => void): void {
  const document = IniDocument.parse(readFileSync(file, 'utf8'));
  change(document);
  const problems = findInvalidSettings({ file, data: document.data });
  if (problems.length > 0) throw new FootfallError('CONFIG_INVALID', `Invalid settings, ${file} left unchanged:\n  ${problems.join('\n  ')}`);
  writeFileAtomically(file, document.toString());
}

