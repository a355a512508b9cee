/** The shape of a `./console` command: its flags in one typed table, and what it runs. */
import type { Logger } from 'pino';
import type { Environment } from '../config/environment.js';
import type { FootfallError } from '../errors.js';
import type { RootPaths } from '../tenancy/root-paths.js';
import type { TenantRegistry } from '../tenancy/tenant-registry.js';
import type { Tenant } from '../tenancy/tenant.js';
import type { Clock } from '../time.js';

/** One flag of a command. */
export interface OptionDefinition {
  /** Flag as commander reads it, e.g. `--site-name <name>` or `--force`. */
  flags: string;
  /** What the option sets, with its unit and default. */
  description: string;
  defaultValue?: string | boolean;
}

/** One positional argument of a command. */
export interface ArgumentDefinition {
  name: string;
  description: string;
  required: boolean;
  variadic?: boolean;
}

/** What every command gets. */
export interface CommandContext {
  environment: Environment;
  rootPaths: RootPaths;
  registry: TenantRegistry;
  logger: Logger;
  clock: Clock;
  /** True under `--json`: the command's result goes to stdout as JSON. */
  json: boolean;
  /** Writes a message for the operator to stderr. */
  say(message: string): void;
  /** Whether stderr is a terminal, so progress bars may be drawn. */
  interactive: boolean;
}

/** The result of a command: `data` is printed as JSON under `--json`, `text` otherwise (to stdout). */
export interface CommandResult {
  data: unknown;
  text?: string;
  /**
   * The failure that stopped a command after part of its work, which `data` and `text`
   * describe. The console prints the result, then reports the error as if it were thrown.
   */
  error?: FootfallError;
}

/** Values of a command's options, by commander's camel-cased names. */
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/** A command that runs once, outside any tenant (such as `server:run` or `tenant:create`). */
export interface GlobalCommand {
  kind: 'global';
  name: string;
  description: string;
  arguments?: readonly ArgumentDefinition[];
  options: readonly OptionDefinition[];
  run(context: CommandContext, args: string[], options: OptionValues): Promise<CommandResult>;
}

/**
 * A command that runs inside one tenant, chosen by `--matomo-domain` (the single-tenant
 * install when it is absent), or once per tenant under `--all-tenants`.
 */
export interface TenantCommand {
  kind: 'tenant';
  name: string;
  description: string;
  arguments?: readonly ArgumentDefinition[];
  options: readonly OptionDefinition[];
  /**
   * Whether the command runs on a tenant that `tenant:disable` turned off. Commands that write
   * rows to the tenant's database set it false, because a row written after `tenant:export`
   * is lost when `tenant:delete` drops that database during a move.
   */
  runsOnDisabledTenant: boolean;
  run(context: CommandContext, tenant: Tenant, args: string[], options: OptionValues): Promise<CommandResult>;
}

/** Any command. */
export type CommandDefinition = GlobalCommand | TenantCommand;
