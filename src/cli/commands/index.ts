/** Every `./console` command, in the order help lists them. */
import type { CommandDefinition } from '../command-definition.js';
import { logImportCommand } from './log-import.js';
import { serverRunCommand } from './server-run.js';
import { tenantCreateCommand } from './tenant-create.js';

export const ALL_COMMANDS: readonly CommandDefinition[] = [
  serverRunCommand,
  tenantCreateCommand,
  logImportCommand,
];
