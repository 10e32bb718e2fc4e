/**
 * The one harness every script in bench/ runs on (as pino's benchmarks/utils/runbench.js): a
 * benchmark is `defineBench({ name, description, params, run, format })` and its script ends with
 * `await defineBench(…).main()`. The harness parses the flags from the table (one parser:
 * capacity/bench-params.ts, durations and sizes from lib/units.ts), builds the DESIGN §6 document
 * `{bench, machine, params, results, ratio}` with machine facts from lib/machine.ts, and prints the
 * benchmark's table or, with --json, one JSON line. `osqsim bench checkin|stats` use the same code
 * (capacity/bench-command.ts), so the commands and the scripts parse and print alike.
 *
 * Importing this module has no side effects; nothing outside bench/ and test/ imports it.
 */
import { Command, CommanderError } from 'commander';
import { addBenchCommand, runBench, type BenchDefinition, type BenchOutput } from '../capacity/bench-command.js';
import { parseParams, type BenchParams, type ParamValues } from '../capacity/bench-params.js';
import { commanderExitCode } from '../lib/cli-usage.js';
import type { ExitCode } from '../lib/exit-codes.js';

export type { BenchDefinition } from '../capacity/bench-command.js';
export type { ParamValues } from '../capacity/bench-params.js';
export { option, optional, repeatable, toggle, positiveInt, nonNegativeInt, positiveNumber, nonNegativeNumber, durationMs, sizeBytes, text, oneOf, listOf, httpUrl } from '../capacity/bench-params.js';
export { mysqlFacts } from '../capacity/bench-mysql.js';

export interface Bench {
  /** Parses `argv` (default: this process's arguments), runs, prints; sets process.exitCode. */
  main(argv?: readonly string[]): Promise<void>;
  /** The same with the output captured: for tests. */
  execute(argv: readonly string[], output?: BenchOutput): Promise<ExitCode>;
}

export function defineBench<T extends BenchParams, R, P extends object>(definition: BenchDefinition<T, R, P>): Bench {
  return {
    async main(argv = process.argv.slice(2)) {
      const root = new Command('bench').exitOverride((error) => process.exit(commanderExitCode(error)));
      addBenchCommand(root, definition);
      await root.parseAsync(['node', 'bench', definition.name, ...argv]);
    },
    async execute(argv, output = { stdout: () => undefined, stderr: () => undefined }) {
      let code: ExitCode | undefined;
      const root = new Command('bench').exitOverride();
      addBenchCommand(root, definition)
        .exitOverride()
        .configureOutput({ writeOut: output.stdout, writeErr: output.stderr })
        .action(async (flags: Record<string, unknown>) => {
          code = await runBench(definition, flags, output);
        });
      try {
        await root.parseAsync(['node', 'bench', definition.name, ...argv]);
      } catch (error) {
        if (error instanceof CommanderError) return commanderExitCode(error) as ExitCode;
        throw error;
      }
      return code!;
    },
  };
}

/**
 * Flags of a helper process (a benchmark's target, not a benchmark): the same table and parser,
 * without the document. Throws commander's error on an unknown flag.
 */
export function benchFlags<T extends BenchParams>(params: T, argv: readonly string[] = process.argv.slice(2)): ParamValues<T> {
  const command = new Command().exitOverride().allowExcessArguments(false);
  for (const param of Object.values(params)) command.option(param.flag, param.help);
  command.parse([...argv], { from: 'user' });
  // Absent flags take the table's default in parseParams.
  return parseParams(params, command.opts());
}
