/**
 * `osqsim bench <name>`: the benchmarks (bench/*.ts), each a sub-command. A benchmark module
 * exports `register(bench: Command)` and adds its own sub-command with its flags; add one line
 * below per benchmark. The modules are loaded before `register` runs (top-level await), so
 * commander sees every sub-command when it parses.
 */
import type { Command } from 'commander';

const BENCH_MODULES: ReadonlyArray<() => Promise<{ register(bench: Command): void }>> = [
  () => import('../bench/stats.js'),
  () => import('../bench/checkin-cli.js'),
];

const loaded = await Promise.all(BENCH_MODULES.map((load) => load()));

export function register(program: Command): void {
  const bench = program
    .command('bench')
    .description('Benchmarks: each prints a table, or with --json one object {bench, machine, params, results, ratio}');
  for (const module of loaded) module.register(bench);
}
