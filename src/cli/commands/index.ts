/** Every `./console` command, in the order help lists them. */
import type { CommandDefinition } from '../command-definition.js';
import { coreArchiveCommand } from './core-archive.js';
import { logImportCommand } from './log-import.js';
import { serverRunCommand } from './server-run.js';
import { tenantCreateCommand } from './tenant-create.js';
import { userResetPasswordCommand } from './user-reset-password.js';
import { tenantListCommand } from './tenant-list.js';
import { tenantDisableCommand } from './tenant-disable.js';
import { tenantEnableCommand } from './tenant-enable.js';
import { tenantExportCommand } from './tenant-export.js';
import { tenantImportCommand } from './tenant-import.js';
import { tenantDeleteCommand } from './tenant-delete.js';
import { coreUpdateCommand } from './core-update.js';
import { cacheClearCommand } from './cache-clear.js';
import { configGetCommand } from './config-get.js';
import { configSetCommand } from './config-set.js';
import { siteAddCommand } from './site-add.js';
import { siteListCommand } from './site-list.js';
import { userCreateCommand } from './user-create.js';
import { userTokenCommand } from './user-token.js';
import { queuedTrackingProcessCommand } from './queuedtracking-process.js';

export const ALL_COMMANDS: readonly CommandDefinition[] = [
  serverRunCommand,
  tenantCreateCommand,
  userResetPasswordCommand,
  tenantListCommand,
  tenantDisableCommand,
  tenantEnableCommand,
  tenantExportCommand,
  tenantImportCommand,
  tenantDeleteCommand,
  coreUpdateCommand,
  cacheClearCommand,
  configGetCommand,
  configSetCommand,
  siteAddCommand,
  siteListCommand,
  userCreateCommand,
  userTokenCommand,
  coreArchiveCommand,
  logImportCommand,
  queuedTrackingProcessCommand,
];
