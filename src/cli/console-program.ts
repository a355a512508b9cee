/** The `./console` program: parses the command line and runs one command. */
import { Command, CommanderError } from 'commander';
import { readEnvironment } from '../config/environment.js';
import { Settings } from '../config/settings.js';
import { FootfallError, isFootfallError } from '../errors.js';
import { createLogger } from '../logging.js';
import { buildRootPaths } from '../tenancy/root-paths.js';
import { TenantRegistry } from '../tenancy/tenant-registry.js';
import { SYSTEM_CLOCK } from '../time.js';
import { ALL_COMMANDS } from './commands/index.js';
import type { CommandContext, CommandDefinition, CommandResult, OptionValues } from './command-definition.js';
import { runForAllTenants } from './all-tenants-runner.js';
import { ensureTenantAcceptsCommand } from './disabled-tenant-check.js';
import { ensureTenantOptionValues } from './option-parsers.js';

/** Exit codes: 0 success, 1 failure, 2 wrong usage. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Prints a command's result, then raises the error that stopped the command, if any. */
function writeResult(context: CommandContext, result: CommandResult): void {
  if (context.json) {
    process.stdout.write(`${JSON.stringify(result.data, null, 2)}\n`);
  } else if (result.text) {
    process.stdout.write(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
  }
  if (result.error) throw result.error;
}

function buildContext(json: boolean): CommandContext {
  const environment = readEnvironment();
  const rootPaths = buildRootPaths(environment);
  const defaults = Settings.load({ global: rootPaths.globalConfig, common: rootPaths.commonConfig, local: null });
  const logger = createLogger(environment.logLevel ?? defaults.string('log', 'log_level') ?? 'info');
  const registry = new TenantRegistry(rootPaths, { recheckMs: 0, logger });
  return {
    environment, rootPaths, registry, logger, clock: SYSTEM_CLOCK, json,
    say: (message) => process.stderr.write(message.endsWith('\n') ? message : `${message}\n`),
    interactive: process.stderr.isTTY === true,
  };
}

async function runCommand(definition: CommandDefinition, args: string[], options: OptionValues): Promise<number> {
  const context = buildContext(options.json === true);
  try {
    if (definition.kind === 'global') {
      writeResult(context, await definition.run(context, args, options));
      return EXIT_OK;
    }
    if (options.allTenants === true) {
      if (options.matomoDomain !== undefined) throw new FootfallError('PARAMETER_INVALID', 'Pass either --matomo-domain or --all-tenants, not both.');
      const outcome = await runForAllTenants(context, definition, args, options);
      writeResult(context, outcome.result);
      return outcome.failed ? EXIT_FAILURE : EXIT_OK;
    }
    const tenant = context.registry.require(options.matomoDomain as string | undefined);
    ensureTenantAcceptsCommand(definition, tenant);
    writeResult(context, await definition.run(context, tenant, args, options));
    return EXIT_OK;
  } finally {
    await context.registry.close();
  }
}

function addDefinition(program: Command, definition: CommandDefinition, setExitCode: (code: number) => void): void {
  const command = program.command(definition.name).description(definition.description);
  for (const argument of definition.arguments ?? []) {
    const name = `${argument.name}${argument.variadic ? '...' : ''}`;
    command.argument(argument.required ? `<${name}>` : `[${name}]`, argument.description);
  }
  for (const option of definition.options) command.option(option.flags, option.description, option.defaultValue as string | boolean | undefined);
  command.option('--matomo-domain <host>', 'host name of the tenant to run in (default: the single-tenant install)');
  command.option('--domain <host>', 'same as --matomo-domain');
  command.option('--all-tenants', 'run once per tenant, go on past failures and print a summary');
  command.option('--json', 'print a machine-readable result on stdout');
  command.action(async (...actionArgs: unknown[]) => {
    const commandObject = actionArgs[actionArgs.length - 1] as Command;
    const options = commandObject.opts() as OptionValues;
    ensureTenantOptionValues(options);
    options.matomoDomain ??= options.domain;
    const args = (actionArgs.slice(0, -2) as (string | string[] | undefined)[]).flatMap((value) => (value === undefined ? [] : value));
    setExitCode(await runCommand(definition, args, options));
  });
}

/** Runs the console with `argv` and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let exitCode = EXIT_OK;
  const program = new Command('console')
    .description('Footfall: multi-tenant web analytics that speaks Matomo\'s HTTP interfaces.')
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({ writeOut: (text) => process.stderr.write(text), writeErr: (text) => process.stderr.write(text) });
  for (const definition of ALL_COMMANDS) addDefinition(program, definition, (code) => { exitCode = code; });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (isFootfallError(error)) {
      process.stderr.write(`Error: ${error.message}\n`);
      return error.code === 'PARAMETER_INVALID' || error.code === 'PARAMETER_MISSING' ? EXIT_USAGE : EXIT_FAILURE;
    }
    process.stderr.write(`Error: ${describeUnexpectedError(error)}\n`);
    return EXIT_FAILURE;
  }
}

/**
 * Formats an error that is not a FootfallError for the console. Node's system errors
 * (EADDRINUSE, ENOENT) and the database drivers' errors carry a string `code` and describe an
 * operator's problem, so the text is their message alone. Any other error is a bug, so the
 * text is its stack, to paste into a bug report.
 */
export function describeUnexpectedError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code !== '') return error.message;
  // The stack starts with "<name>: <message>", and the caller already prints "Error: ".
  const stack = error.stack ?? error.message;
  return stack.startsWith('Error: ') ? stack.slice('Error: '.length) : stack;
}
