/**
 * `osqsim scenario validate FILE…` (exit 2 when any file has problems, listing every one) and
 * `osqsim scenario plan FILE [--json]` (what the run will do, without running it). FILE is a path or
 * a built-in name, read by the same reader as `osqsim run` (scenarios/read.ts).
 */
import type { Command } from 'commander';
import { reportError } from '../lib/cli-usage.js';
import { EXIT } from '../lib/exit-codes.js';
import { readScenario, scenarioInvalid } from '../scenarios/read.js';
import type { ScenarioOverrides } from '../scenarios/overrides.js';
import { formatPlan, planScenario } from '../scenarios/plan.js';
import { listBuiltinScenarios } from '../scenarios/builtin.js';

export function validateCommand(files: readonly string[], out: (text: string) => void = (t) => process.stdout.write(t), err: (text: string) => void = (t) => process.stderr.write(t)): number {
  let code: number = EXIT.OK;
  for (const file of files) {
    const result = readScenario(file);
    if (result.ok) {
      out(`${file}: ok (${result.scenario.name}: ${result.scenario.hosts} hosts, ${result.scenario.duration / 1000}s, ${plural(result.scenario.timeline.length, 'timeline event')}, ${plural(result.scenario.thresholds.length, 'threshold')})\n`);
    } else {
      code = reportError('osqsim scenario validate', scenarioInvalid(file, result.issues), err);
    }
  }
  return code;
}

export function planCommand(file: string, json: boolean, out: (text: string) => void = (t) => process.stdout.write(t), err: (text: string) => void = (t) => process.stderr.write(t), overrides: ScenarioOverrides = {}): number {
  const result = readScenario(file, { overrides });
  if (!result.ok) return reportError('osqsim scenario plan', scenarioInvalid(file, result.issues), err);
  for (const note of result.notes) err(`${file}: ${note}\n`);
  const plan = planScenario(result.scenario);
  out(json ? `${JSON.stringify(plan)}\n` : `${formatPlan(plan)}\n`);
  return EXIT.OK;
}

export function register(program: Command): void {
  const scenario = program.command('scenario').description('Check scenario files and show what a run will do');
  scenario
    .command('validate')
    .description('Validate scenario files; every problem is listed with its path (exit 2 on problems)')
    .argument('<files...>', 'scenario files or built-in names')
    .action((files: string[]) => {
      process.exitCode = validateCommand(files);
    });
  scenario
    .command('plan')
    .description('Print the plan without running: hosts over time, request rate per endpoint, membership writes/s, rows in policy_membership')
    .argument('<file>', 'scenario file or built-in name')
    .option('--json', 'print the plan as JSON')
    .option('--hosts <n>', 'override the number of hosts (as osqsim run --hosts)')
    .option('--duration <d>', 'override the duration (as osqsim run --duration: later timeline events are skipped)')
    .option('--warmup <d>', 'override the warm-up')
    .action((file: string, flags: { json?: boolean; hosts?: string; duration?: string; warmup?: string }) => {
      const { json, ...overrides } = flags;
      process.exitCode = planCommand(file, json === true, undefined, undefined, overrides);
    });
  scenario
    .command('list')
    .description('List the built-in scenarios')
    .action(() => {
      for (const entry of listBuiltinScenarios()) process.stdout.write(`${entry.name.padEnd(24)} ${entry.file}\n${' '.repeat(25)}${entry.description}\n`);
    });
}

/** SCENARIO_INVALID with the count and every problem, one per line. */

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
