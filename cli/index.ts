/**
 * The `osqsim` command. Thin: each command lives in its own file, exports `register(program)`,
 * parses its flags, calls into the library and sets the exit code (lib/exit-codes.ts).
 */
import { Command } from 'commander';
import { exitTwoOnUsageErrors } from '../lib/cli-usage.js';
import { VERSION } from '../lib/version.js';

/**
 * Each module adds one command (or command group) and names the top-level commands it registers
 * (test/cli/command-modules.test.ts keeps the names true). Keep in the order of `osqsim --help`.
 */
export const COMMAND_MODULES: ReadonlyArray<{ commands: readonly string[]; load: () => Promise<{ register(program: Command): void }> }> = [
  { commands: ['server'], load: () => import('./server.js') },
  { commands: ['simulate'], load: () => import('./simulate.js') },
  { commands: ['policies', 'apply'], load: () => import('./policies.js') },
  { commands: ['capacity'], load: () => import('./capacity.js') },
  { commands: ['run'], load: () => import('./run.js') },
  { commands: ['scenario'], load: () => import('./scenario.js') },
  { commands: ['report'], load: () => import('./report.js') },
  { commands: ['k8s'], load: () => import('./k8s.js') },
  { commands: ['bench'], load: () => import('./bench.js') },
];

/**
 * The modules to load for `args` (the words after `osqsim`): only the named command's module when
 * the first word names one, every module otherwise (help, --version, a mistyped name). Loading one
 * module instead of all nine halves the start of `osqsim server` under tsx (~1.2 s instead of ~3.6 s
 * on the CI machine), which every `osqsim run` and each `restart_server` event waits for.
 */
export function commandModulesFor(args: readonly string[]): typeof COMMAND_MODULES {
  const first = args[0];
  const named = first === undefined ? undefined : COMMAND_MODULES.find((m) => m.commands.includes(first));
  return named ? [named] : COMMAND_MODULES;
}

/** The whole program (every command), or with `args` only what running them needs. */
export async function buildProgram(args?: readonly string[]): Promise<Command> {
  const program = new Command('osqsim')
    .description('Simulation and load-testing harness for osquery policy servers')
    .version(VERSION)
    .showHelpAfterError();
  // Set before the commands are added so every sub-command inherits it: usage mistakes exit 2.
  exitTwoOnUsageErrors(program);
  for (const module of args === undefined ? COMMAND_MODULES : commandModulesFor(args)) (await module.load()).register(program);
  return program;
}

const isEntry = process.argv[1] !== undefined && /cli[\\/]index\.(ts|js)$|bin[\\/]osqsim(\.js)?$/.test(process.argv[1]);
if (isEntry) {
  const program = await buildProgram(process.argv.slice(2));
  await program.parseAsync(process.argv);
}
