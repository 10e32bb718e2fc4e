/**
 * `osqsim bench <name>`: the benchmarks that are user commands, each a sub-command built from its
 * definition in capacity/ (flags, run, table; --json prints {bench, machine, params, results, ratio}).
 * The other benchmarks are scripts in bench/ on the same harness.
 */
import type { Command } from 'commander';
import { addBenchCommand } from '../capacity/bench-command.js';
import { checkinBench } from '../capacity/checkin-bench-command.js';
import { statsBench } from '../capacity/stats-bench-command.js';

export function register(program: Command): void {
  const bench = program
    .command('bench')
    .description('Benchmarks: each prints a table, or with --json one object {bench, machine, params, results, ratio}');
  addBenchCommand(bench, statsBench);
  addBenchCommand(bench, checkinBench);
}
