/**
 * The `osqsim` command. Thin: each command lives in its own file, exports `register(program)`,
 * parses its flags, calls into the library and sets the exit code (lib/exit-codes.ts).
 */
import { Command } from 'commander';
import { exitTwoOnUsageErrors } from '../lib/cli-usage.js';
import { VERSION } from '../lib/version.js';

/** Each module adds one command (or command group). Keep in the order of `osqsim --help`. */
const COMMAND_MODULES: ReadonlyArray<() => Promise<{ register(program: Command): void }>> = [
  () => import('./server.js'),
  () => import('./simulate.js'),
  () => import('./policies.js'),
  () => import('./capacity.js'),
  () => import('./run.js'),
  () => import('./scenario.js'),
  () => import('./report.js'),
  () => import('./k8s.js'),
  () => import('./bench.js'),
];


export async function buildProgram(): Promise<Command> {
  const program = new Command('osqsim')
    .description('Simulation and load-testing harness for osquery policy servers')
    .version(VERSION)
    .showHelpAfterError();
  // Set before the commands are added so every sub-command inherits it: usage mistakes exit 2.
  exitTwoOnUsageErrors(program);
  for (const load of COMMAND_MODULES) (await load()).register(program);
  return program;
}

const isEntry = process.argv[1] !== undefined && /cli[\\/]index\.(ts|js)$|bin[\\/]osqsim(\.js)?$/.test(process.argv[1]);
if (isEntry) {
  const program = await buildProgram();
  await program.parseAsync(process.argv);
}
