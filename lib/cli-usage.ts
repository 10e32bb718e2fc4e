/**
 * How every command turns a failure into its exit code (README "Exit codes", lib/exit-codes.ts):
 * 0 ok, 1 error, 2 invalid input, 3 thresholds failed.
 *
 * - A thrown error: `reportError` prints its message and, for a catalogue error, its hint, and
 *   returns `exitCodeFor(error)`, which reads the catalogue entry's exit class (lib/errors.ts).
 *   This is the one place that decides "is this invalid input?"; it matches on `code`, so it also
 *   works for an error rebuilt from a worker thread.
 * - Commander's own usage mistakes (unknown option, missing argument or required option, unknown
 *   sub-command, help shown because of an error) exit 1 in commander; `exitTwoOnUsageErrors` makes
 *   them 2.
 */
import type { Command, CommanderError } from 'commander';
import { ERRORS, isOsqsimError } from './errors.js';
import { EXIT, type ExitCode } from './exit-codes.js';

/** 2 for a catalogue error of exit class `input`, 1 for any other error. */
export function exitCodeFor(error: unknown): ExitCode {
  return isOsqsimError(error) && ERRORS[error.code].exit === 'input' ? EXIT.INVALID_INPUT : EXIT.ERROR;
}

/**
 * Prints `<command>: <message>` and `hint: <hint>` (catalogue errors) through `write` (stderr by
 * default) and returns the exit code. `command` is how the user typed it, e.g. `osqsim run`.
 */
export function reportError(command: string, error: unknown, write: (text: string) => void = (text) => process.stderr.write(text)): ExitCode {
  const message = typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
  const hint = isOsqsimError(error) ? ERRORS[error.code].hint : undefined;
  write(`${command}: ${message}\n${hint === undefined ? '' : `hint: ${hint}\n`}`);
  // A server, load balancer or simulator shard that failed says why in its own output (osqsim run, capacity sweep).
  const source = isOsqsimError(error, 'SERVER_PROCESS_FAILED') ? 'server' : isOsqsimError(error, 'LOAD_BALANCER_FAILED') ? 'HAProxy' : isOsqsimError(error, 'SHARD_PROCESS_FAILED') ? 'shard' : undefined;
  const output = source !== undefined && isOsqsimError(error) ? error.params['output'] : undefined;
  if (typeof output === 'string' && output !== '') write(`${source} output:\n${output.replace(/^/gm, '  ')}\n`);
  return exitCodeFor(error);
}

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
