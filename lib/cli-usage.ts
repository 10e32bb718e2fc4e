/**
 * Commander reports usage mistakes (unknown option, missing argument or required option, unknown
 * sub-command, help shown because of an error) with exit code 1. osqsim's contract (README, lib/
 * exit-codes.ts) is 2 for invalid input, so commands route commander's exits through here.
 */
import type { Command, CommanderError } from 'commander';
import { EXIT } from './exit-codes.js';

/** Commander error codes that mean "the command line is wrong". */
export const USAGE_ERROR_CODES: ReadonlySet<string> = new Set([
  'commander.unknownOption',
  'commander.unknownCommand',
  'commander.missingArgument',
  'commander.missingMandatoryOptionValue',
  'commander.optionMissingArgument',
  'commander.excessArguments',
  'commander.invalidArgument',
  'commander.conflictingOption',
]);

/** The exit code for one of commander's exits: help/version keep theirs, usage errors become 2. */
export function commanderExitCode(error: Pick<CommanderError, 'code' | 'exitCode'>): number {
  if (error.exitCode === 0) return 0;
  if (USAGE_ERROR_CODES.has(error.code)) return EXIT.INVALID_INPUT;
  // A command group run without a sub-command prints its help as an error.
  if (error.code === 'commander.help') return EXIT.INVALID_INPUT;
  return error.exitCode;
}

/**
 * Makes `command` (and the sub-commands added to it afterwards, which inherit the setting) exit
 * with 2 on usage errors. Call it right after `program.command(name)`.
 */
export function exitTwoOnUsageErrors<T extends Command>(command: T): T {
  command.exitOverride((error) => {
    process.exit(commanderExitCode(error));
  });
  return command;
}
