/**
 * A benchmark as a command: its flag table becomes commander options, the values are checked once
 * (bench-params.ts), its run's outcome becomes the DESIGN §6 document, printed as its table or, with
 * --json, as one JSON line. `osqsim bench <name>` (cli/bench.ts) and the scripts in bench/ (through
 * bench/harness.ts) both go through `addBenchCommand`, so a benchmark parses and prints one way.
 */
import { Option, type Command } from 'commander';
import { isOsqsimError } from '../lib/errors.js';
import { EXIT, type ExitCode } from '../lib/exit-codes.js';
import { benchDocument, type BenchDocument, type BenchOutcome } from './bench-document.js';
import { parseParams, type BenchParams, type ParamValues } from './bench-params.js';

export interface BenchDefinition<T extends BenchParams, R, P extends object = Record<string, unknown>> {
  /** The `bench` field of the document and the sub-command's name. */
  readonly name: string;
  readonly description: string;
  readonly params: T;
  /** Measures; progress lines go to stderr (stdout carries only the table or the JSON). */
  run(values: ParamValues<T>, progress: (line: string) => void): Promise<BenchOutcome<R, P>>;
  /** The readable table. */
  format(doc: BenchDocument<R, P>): string;
  /** Exit code of a finished run; 0 when absent. */
  exitCode?(doc: BenchDocument<R, P>): ExitCode;
}

export interface BenchOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

const PROCESS_OUTPUT: BenchOutput = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/** Parses `raw` (commander's values), runs, prints; returns the exit code (2 for invalid input). */
export async function runBench<T extends BenchParams, R, P extends object>(
  definition: BenchDefinition<T, R, P>,
  raw: Readonly<Record<string, unknown>>,
  output: BenchOutput = PROCESS_OUTPUT,
): Promise<ExitCode> {
  try {
    const values = parseParams(definition.params, raw);
    const outcome = await definition.run(values, (line) => output.stderr(`${line}\n`));
    const doc = benchDocument(definition.name, outcome);
    output.stdout(raw['json'] === true ? `${JSON.stringify(doc)}\n` : `${definition.format(doc)}\n`);
    return definition.exitCode?.(doc) ?? EXIT.OK;
  } catch (error) {
    if (isOsqsimError(error)) {
      output.stderr(`error: ${error.message}\nhint: ${error.hint}\n`);
      return error.code.startsWith('CLI_') ? EXIT.INVALID_INPUT : EXIT.ERROR;
    }
    output.stderr(`error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.ERROR;
  }
}

/** Adds `definition` as a sub-command of `group` (its flags, --json, and the action). */
export function addBenchCommand<T extends BenchParams, R, P extends object>(group: Command, definition: BenchDefinition<T, R, P>): Command {
  const command = group.command(definition.name).description(definition.description);
  for (const param of Object.values(definition.params)) {
    const option = new Option(param.flag, param.help);
    if (param.default !== undefined) option.default(param.default);
    // A repeated flag replaces the default, then collects: `--endpoint read --endpoint log` → "read,log".
    if (param.repeatable === true) option.argParser((value: string, previous: unknown) => (previous === undefined || previous === param.default ? value : `${String(previous)},${value}`));
    if (param.required === true) option.makeOptionMandatory();
    command.addOption(option);
  }
  command.option('--json', 'print one JSON object {bench, machine, params, results, ratio}');
  command.action(async (flags: Record<string, unknown>) => {
    process.exitCode = await runBench(definition, flags);
  });
  return command;
}
