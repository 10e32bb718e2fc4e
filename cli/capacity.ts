/**
 * `osqsim capacity plan` — project a deployment from the model (and a measured sweep), and
 * `osqsim capacity sweep SCENARIO [--target URL]` — measure a scenario at increasing host counts (against
 * osqsim's own server, or a running server osqsim did not start): flags → call →
 * print → exit code. The sweep runner (and with it the simulator) is loaded only when a sweep runs.
 */
import { Command, Option } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { EXIT, type ExitCode } from '../lib/exit-codes.js';
import { osqsimError } from '../lib/errors.js';
import { reportError } from '../lib/cli-usage.js';
import { parseCount, parseDurationMs, parseDurationSeconds } from '../lib/units.js';
import { resolveScenarioPath } from '../scenarios/builtin.js';
import { formatPlan, planToJson } from '../capacity/format.js';
import { planCapacity, validatePlanInput } from '../capacity/model.js';
import { DEFAULT_PLAN_INPUT, type PlanInput } from '../capacity/plan-types.js';
import { SWEEP_SCHEMA, SWEEP_SHAPE, type SweepDocument } from '../capacity/sweep-document.js';
import { shapeProblem } from '../lib/shape.js';
import { parseUntil, sweepHostCounts } from '../capacity/sweep-steps.js';
import type { SweepOptions } from '../capacity/sweep.js';

/** `60%`, `0%` or `0.6` → a share in [0, 1] (0 allowed, unlike parseFraction). */
export function parseShare(option: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  if (!match) throw osqsimError('CLI_INVALID_OPTION', { option, reason: `expected a percentage like 100% (got "${text}")` });
  const value = match[2] === '%' ? Number(match[1]) / 100 : Number(match[1]);
  if (!(value >= 0 && value <= 1)) throw osqsimError('CLI_INVALID_OPTION', { option, reason: `must be from 0% to 100% (got "${text}")` });
  return value;
}

/** `60%` or `0.6` → 0.6. */
export function parseFraction(option: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  if (!match) throw osqsimError('CLI_INVALID_OPTION', { option, reason: `expected a percentage like 60% (got "${text}")` });
  const value = match[2] === '%' ? Number(match[1]) / 100 : Number(match[1]);
  if (!(value > 0 && value <= 1)) throw osqsimError('CLI_INVALID_OPTION', { option, reason: `must be above 0% and at most 100% (got "${text}")` });
  return value;
}

export function readSweep(path: string): SweepDocument {
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw osqsimError('CLI_INVALID_OPTION', { option: '--from', reason: `cannot read ${path}: ${(error as Error).message}` });
  }
  const candidate = document as Partial<SweepDocument> | null;
  if (candidate === null || typeof candidate !== 'object' || candidate.schema !== SWEEP_SCHEMA || !Array.isArray(candidate.steps)) {
    throw osqsimError('CLI_INVALID_OPTION', { option: '--from', reason: `${path} is not a sweep file (expected "schema": "${SWEEP_SCHEMA}")` });
  }
  // Every field the model reads: a wrong type deep inside is named here, not a TypeError in the plan (found by fuzzing).
  const problem = shapeProblem(candidate, SWEEP_SHAPE);
  if (problem !== undefined) throw osqsimError('CLI_INVALID_OPTION', { option: '--from', reason: `${path}: ${problem}` });
  return candidate as SweepDocument;
}

export interface PlanFlags {
  hosts: string;
  policies: string;
  teams: string;
  distributedInterval: string;
  policyInterval: string;
  detailInterval?: string;
  configRefresh: string;
  statsInterval: string;
  /** Labels and scheduled queries: absent → DEFAULT_PLAN_INPUT (commander always passes its defaults). */
  labels?: string;
  labelUpdateInterval?: string;
  labelMemberships?: string;
  scheduledQueries?: string;
  queryInterval?: string;
  rowsPerResult?: string;
  /** Share of hosts running fleetd, and of those Fleet Desktop: absent → DEFAULT_PLAN_INPUT. */
  fleetd?: string;
  fleetDesktop?: string;
  from?: string;
  instanceCpus: string;
  targetCpu: string;
  json?: boolean;
}

/** `osqsim capacity plan`: flags (and the sweep file of --from) → the plan printed → exit code. */
export function planCommand(flags: PlanFlags, out: (text: string) => void = (t) => process.stdout.write(t), err: (text: string) => void = (t) => process.stderr.write(t)): ExitCode {
  try {
    const input = planInputFromFlags(flags);
    const sweep = flags.from === undefined ? undefined : readSweep(flags.from);
    const plan = planCapacity(input, sweep, flags.from);
    out(flags.json ? `${JSON.stringify(planToJson(plan), null, 2)}\n` : `${formatPlan(plan)}\n`);
    return EXIT.OK;
  } catch (error) {
    return reportError('osqsim capacity plan', error, err);
  }
}

export function planInputFromFlags(flags: PlanFlags): PlanInput {
  const policyIntervalS = parseDurationSeconds(flags.policyInterval);
  const input: PlanInput = {
    ...DEFAULT_PLAN_INPUT,
    hosts: parseCount('--hosts', flags.hosts, 1),
    policies: parseCount('--policies', flags.policies),
    teams: parseCount('--teams', flags.teams),
    distributedIntervalS: parseDurationSeconds(flags.distributedInterval),
    policyIntervalS,
    detailIntervalS: flags.detailInterval === undefined ? policyIntervalS : parseDurationSeconds(flags.detailInterval),
    configRefreshS: parseDurationSeconds(flags.configRefresh),
    statsIntervalS: parseDurationSeconds(flags.statsInterval),
    ...(flags.labels !== undefined ? { labelsPerHost: parseCount('--labels', flags.labels) } : {}),
    ...(flags.labelUpdateInterval !== undefined ? { labelIntervalS: parseDurationSeconds(flags.labelUpdateInterval) } : {}),
    ...(flags.labelMemberships !== undefined ? { labelMemberships: parseCount('--label-memberships', flags.labelMemberships) } : {}),
    ...(flags.scheduledQueries !== undefined ? { scheduledQueries: parseCount('--scheduled-queries', flags.scheduledQueries) } : {}),
    ...(flags.queryInterval !== undefined ? { queryIntervalS: parseDurationSeconds(flags.queryInterval) } : {}),
    ...(flags.rowsPerResult !== undefined ? { rowsPerResult: parseCount('--rows-per-result', flags.rowsPerResult) } : {}),
    ...(flags.fleetd !== undefined ? { fleetdShare: parseShare('--fleetd', flags.fleetd) } : {}),
    ...(flags.fleetDesktop !== undefined ? { fleetDesktopShare: parseShare('--fleet-desktop', flags.fleetDesktop) } : {}),
    instanceCpus: Number(flags.instanceCpus),
    targetCpu: parseFraction('--target-cpu', flags.targetCpu),
  };
  const [first, ...more] = validatePlanInput(input);
  if (first !== undefined) {
    // `invalid option --distributed-interval: must be > 0 (got 0)`, then any further problems.
    const reason = [first.reason, ...more.map((p) => `${p.option} ${p.reason}`)].join('; ');
    throw osqsimError('CLI_INVALID_OPTION', { option: first.option, reason });
  }
  return input;
}

/** Without --until a sweep stops where check-ins degrade (Fleet: "APIs that take longer than 500 ms cause UX issues"). */
export const DEFAULT_UNTIL: readonly string[] = ['read.p99 > 500ms', 'errors.rate > 1%'];

export type SweepFlags = Record<string, string | boolean | string[] | undefined>;

function text(flags: SweepFlags, key: string): string | undefined {
  const value = flags[key];
  return typeof value === 'string' ? value : undefined;
}

function count(option: string, value: string | undefined, fallback: number): number {
  return value === undefined ? fallback : parseCount(option, value, 1);
}

/** Flags → sweep options; every check that needs no I/O, so bad input exits 2 before anything starts. */
export function sweepOptionsFromFlags(scenario: string, flags: SweepFlags): SweepOptions & { out: string; reportDir: string; json: boolean } {
  const until = Array.isArray(flags.until) ? flags.until : typeof flags.until === 'string' ? [flags.until] : [...DEFAULT_UNTIL];
  const options = {
    scenarioFile: resolveScenarioPath(scenario),
    from: count('--from', text(flags, 'from'), 1000),
    to: count('--to', text(flags, 'to'), 200_000),
    steps: count('--steps', text(flags, 'steps'), 6),
    until,
    warmupMs: parseDurationMs(text(flags, 'warmup') ?? '20s'),
    measureMs: parseDurationMs(text(flags, 'measure') ?? '30s'),
    ...(text(flags, 'store') !== undefined ? { store: text(flags, 'store')! } : {}),
    ...(text(flags, 'workers') !== undefined ? { workers: count('--workers', text(flags, 'workers'), 1) } : {}),
    ...(text(flags, 'statsInterval') !== undefined ? { statsIntervalMs: parseDurationMs(text(flags, 'statsInterval')!) } : {}),
    ...(flags.cpuProbe === false ? { cpuProbe: false as const } : {}),
    out: text(flags, 'out') ?? 'sweep.json',
    reportDir: text(flags, 'reportDir') ?? 'runs',
    json: flags.json === true,
  };
  if (options.measureMs < 1000) throw osqsimError('CLI_INVALID_OPTION', { option: '--measure', reason: 'at least 1s' });
  sweepHostCounts(options.from, options.to, options.steps);
  parseUntil(options.until);
  return options;
}

/** The scenario a --target sweep runs when none is named: 10,000-host steady state's fleet and timing. */
export const TARGET_SWEEP_DEFAULT_SCENARIO = 'steady-10k';

/** --target: flags only a sweep of osqsim's own server has are refused, and the target must be a URL. */
export function targetFromFlags(flags: SweepFlags): { target: string; apiToken?: string; enrollSecret?: string } | undefined {
  const target = text(flags, 'target');
  if (target === undefined) {
    for (const [key, option] of [['apiToken', '--api-token'], ['enrollSecret', '--enroll-secret']] as const) {
      if (text(flags, key) !== undefined) throw osqsimError('CLI_INVALID_OPTION', { option, reason: 'only with --target (a sweep of its own server knows both)' });
    }
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw osqsimError('CLI_INVALID_OPTION', { option: '--target', reason: `"${target}" is not a URL (http://host:port or https://…)` });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw osqsimError('CLI_INVALID_OPTION', { option: '--target', reason: `"${target}" must be http:// or https://` });
  for (const [key, option] of [['store', '--store'], ['statsInterval', '--stats-interval']] as const) {
    if (text(flags, key) !== undefined) throw osqsimError('CLI_INVALID_OPTION', { option, reason: `not with --target: osqsim does not start the target, so it cannot set its ${key === 'store' ? 'store' : 'aggregation period'}` });
  }
  return {
    target,
    ...(text(flags, 'apiToken') !== undefined ? { apiToken: text(flags, 'apiToken')! } : {}),
    ...(text(flags, 'enrollSecret') !== undefined ? { enrollSecret: text(flags, 'enrollSecret')! } : {}),
  };
}

export async function runSweepCommand(scenario: string | undefined, flags: SweepFlags): Promise<ExitCode> {
  const target = targetFromFlags(flags);
  if (scenario === undefined && target === undefined) throw osqsimError('CLI_INVALID_ARGUMENT', { argument: '<scenario>', reason: 'give a scenario to sweep (or --target URL to sweep a running server)' });
  const options = sweepOptionsFromFlags(scenario ?? TARGET_SWEEP_DEFAULT_SCENARIO, flags);
  const { writeCapacityReport } = await import('../capacity/report.js');
  const onProgress = (line: string): boolean => process.stderr.write(`${line}\n`);
  const sweep = target
    ? await (await import('../capacity/sweep-target.js')).runTargetSweep({ ...options, ...target, onProgress })
    : await (await import('../capacity/sweep.js')).runSweep({ ...options, onProgress });
  writeFileSync(options.out, `${JSON.stringify(sweep, null, 2)}\n`);
  const report = writeCapacityReport(sweep, options.reportDir);
  if (options.json) process.stdout.write(`${JSON.stringify(sweep)}\n`);
  else {
    process.stdout.write(
      `sweep: ${sweep.steps.length} step(s), stopped: ${sweep.stopped.reason}${sweep.stopped.detail ? ` (${sweep.stopped.detail})` : ''}\n` +
        (sweep.target ? sweep.target.not_measured.map((line) => `not measured on the target: ${line}\n`).join('') : '') +
        `sweep file: ${options.out}\nreport: ${report.html}\n` +
        `next: osqsim capacity plan --hosts 150000 --from ${options.out}\n`,
    );
  }
  return sweep.stopped.reason === 'error' ? EXIT.ERROR : EXIT.OK;
}

export function register(program: Command): void {
  const capacity = program
    .command('capacity')
    .description('Size a deployment: measure a scenario at increasing host counts (sweep) and project to a fleet (plan)');

  capacity
    .command('plan')
    .description('Project request rates, membership writes, aggregation cost, server instances and database load for a fleet')
    .requiredOption('--hosts <n>', 'hosts in the fleet (150000, 150k)')
    .option('--policies <n>', 'policies in scope of each host (global + its team)', String(DEFAULT_PLAN_INPUT.policies))
    .option('--teams <n>', 'teams', String(DEFAULT_PLAN_INPUT.teams))
    .option('--distributed-interval <duration>', "osquery's distributed_interval", '10s')
    .option('--policy-interval <duration>', 'policy_update_interval', '1h')
    .option('--detail-interval <duration>', 'detail_update_interval (default: the policy interval)')
    .option('--config-refresh <duration>', "osquery's config_refresh", '60s')
    .option('--stats-interval <duration>', 'cron count interval', '1h')
    .option('--labels <n>', "label queries each host runs per label run (default: Fleet's 8 built-in labels, all sent to every host)", String(DEFAULT_PLAN_INPUT.labelsPerHost))
    .option('--label-update-interval <duration>', 'label_update_interval', '1h')
    .option('--label-memberships <n>', "labels each host is a member of (default: at most 3 of Fleet's built-in labels match a host)", String(DEFAULT_PLAN_INPUT.labelMemberships))
    .option('--scheduled-queries <n>', 'scheduled snapshot queries (reports) in each host\'s config (default 0: no log results)', String(DEFAULT_PLAN_INPUT.scheduledQueries))
    .option('--query-interval <duration>', 'interval of the scheduled queries', '1h')
    .option('--rows-per-result <n>', 'rows each scheduled-query result carries', String(DEFAULT_PLAN_INPUT.rowsPerResult))
    .option('--fleetd <percent>', 'hosts running fleetd (orbit beside osquery: orbit config every 30 s, pings, device token); 100% for a fleetd fleet', '0%')
    .option('--fleet-desktop <percent>', 'of the fleetd hosts, those running Fleet Desktop (summary every 5 min, device ping every 10 s)', '100%')
    .option('--from <sweep.json>', 'calibrate CPU, memory, rates and aggregation from a measured sweep')
    .option('--instance-cpus <n>', 'vCPUs per server instance', '1')
    .option('--target-cpu <percent>', 'CPU utilisation to plan for', '60%')
    .option('--json', 'print the plan as JSON')
    .action((flags: PlanFlags) => {
      process.exitCode = planCommand(flags);
    });

  capacity
    .command('sweep')
    .description('Run a scenario at increasing host counts (warm-up + measured window per step) and fit the capacity model')
    .argument('[scenario]', `scenario file (YAML) or built-in scenario name (with --target, default ${TARGET_SWEEP_DEFAULT_SCENARIO})`)
    .option('--target <url>', 'sweep a server osqsim did not start (a staging Fleet); its /metrics are used when present, and what cannot be measured there is listed')
    .option('--api-token <token>', 'with --target: API token, to read policy names and (osqsim) stats runs')
    .option('--enroll-secret <secret>', "with --target: the target's enroll secret (default: the scenario's)")
    .option('--from <hosts>', 'hosts in the first step', '1000')
    .option('--to <hosts>', 'hosts in the last step', '200000')
    .option('--steps <n>', 'number of steps (host counts grow geometrically)', '6')
    .option('--until <expr...>', "stop after the step where a condition holds (scenario threshold metrics, e.g. 'server.cpu.avg > 90%'); default: 'read.p99 > 500ms' 'errors.rate > 1%'")
    .option('--warmup <duration>', 'warm-up per step (excluded from the figures)', '20s')
    .option('--measure <duration>', 'measured window per step', '30s')
    .option('--store <store>', 'memory or mysql://user:pass@host:port/db (default: the scenario\'s)')
    .option('--workers <n>', 'simulator worker threads')
    .option('--stats-interval <duration>', "aggregation period during the sweep (default: the scenario's, at most a third of --measure)")
    .option('--no-cpu-probe', 'skip the CPU-per-endpoint probe after the last step')
    .option('--out <file>', 'sweep file', 'sweep.json')
    .option('--report-dir <dir>', 'where runs/<timestamp>-capacity/ goes', 'runs')
    .addOption(new Option('--json', 'print the sweep document instead of the table'))
    .action(async (scenario: string | undefined, flags: SweepFlags, command: Command) => {
      // Without --target the scenario is required: a usage error like any missing argument (exit 2).
      if (scenario === undefined && flags.target === undefined) {
        command.error("error: missing required argument 'scenario' (or --target URL to sweep a running server)", { code: 'commander.missingArgument', exitCode: 2 });
      }
      try {
        process.exitCode = await runSweepCommand(scenario, flags);
      } catch (error) {
        process.exitCode = reportError('osqsim capacity sweep', error);
      }
    });
}
