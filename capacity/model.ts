/**
 * The capacity model: from a fleet's size and intervals (and, when given, a measured sweep) to request
 * rates, membership writes, table size, aggregation cost, server instances and database write load.
 *
 * Pure: no I/O, no clock. Every figure carries its source as text a user can check:
 *   'model: hosts / distributed_interval'                      — interval arithmetic
 *   'measured: sweep.json steps 2–5 (fit …)'                   — calibrated from a sweep (see sweep.ts)
 *   'default: … (unmeasured)'                                  — a built-in constant, to be replaced by --from
 * and, beside it, what Fleet published for that size (shared/reference/fleet-loadtest.md §0, §2.2) as a
 * sanity column — never as an input. The figures themselves are in figures.ts, one function each.
 */
import { formatNumber } from '../lib/format.js';
import { calibrate, usableSteps } from './calibrate.js';
import { PLAN_FIGURES, type FiguresSoFar, type PlanContext, type PlanFigures } from './figures.js';
import { fleetReferenceFor } from './fleet-reference.js';
import type { CapacityPlan, PlanInput } from './plan-types.js';
import type { SweepDocument } from './sweep-document.js';

/** A problem with the plan's input, named by the option a user sets it with. */
export interface PlanInputProblem {
  /** The command-line flag (`--distributed-interval`), or `input.<key>` for a value no flag sets. */
  option: string;
  reason: string;
}

/** The `osqsim capacity plan` flag of each input; the rest have no flag. */
const PLAN_INPUT_FLAGS: Partial<Record<keyof PlanInput, string>> = {
  hosts: '--hosts',
  policies: '--policies',
  teams: '--teams',
  distributedIntervalS: '--distributed-interval',
  policyIntervalS: '--policy-interval',
  detailIntervalS: '--detail-interval',
  configRefreshS: '--config-refresh',
  statsIntervalS: '--stats-interval',
  labelsPerHost: '--labels',
  labelIntervalS: '--label-update-interval',
  labelMemberships: '--label-memberships',
  scheduledQueries: '--scheduled-queries',
  queryIntervalS: '--query-interval',
  rowsPerResult: '--rows-per-result',
  fleetdShare: '--fleetd',
  fleetDesktopShare: '--fleet-desktop',
  instanceCpus: '--instance-cpus',
  targetCpu: '--target-cpu',
};

export function planInputOption(key: keyof PlanInput): string {
  return PLAN_INPUT_FLAGS[key] ?? `input.${key}`;
}

/** Every problem with the input at once, each under the flag that sets it. */
export function validatePlanInput(input: PlanInput): PlanInputProblem[] {
  const problems: PlanInputProblem[] = [];
  const problem = (key: keyof PlanInput, reason: string): void => {
    problems.push({ option: planInputOption(key), reason });
  };
  const positive: Array<keyof PlanInput> = [
    'hosts',
    'distributedIntervalS',
    'policyIntervalS',
    'detailIntervalS',
    'configRefreshS',
    'loggerTlsPeriodS',
    'seenFlushIntervalS',
    'statsIntervalS',
    'labelIntervalS',
    'queryIntervalS',
    'instanceCpus',
  ];
  for (const key of positive) {
    const value = input[key];
    if (!Number.isFinite(value) || value <= 0) problem(key, `must be > 0 (got ${value})`);
  }
  for (const key of ['policies', 'teams', 'labelsPerHost', 'labelMemberships', 'scheduledQueries', 'rowsPerResult'] as const) {
    if (!Number.isInteger(input[key]) || input[key] < 0) problem(key, `must be a whole number ≥ 0 (got ${input[key]})`);
  }
  if (!(input.targetCpu > 0 && input.targetCpu <= 1)) problem('targetCpu', `must be in (0, 1] (got ${input.targetCpu})`);
  if (input.labelMemberships > input.labelsPerHost) problem('labelMemberships', `must be at most --labels (${input.labelsPerHost}): a host is a member only of labels it runs (got ${input.labelMemberships})`);
  if (!(input.logSendFraction >= 0 && input.logSendFraction <= 1)) problem('logSendFraction', `must be in [0, 1] (got ${input.logSendFraction})`);
  if (!(input.fleetdShare >= 0 && input.fleetdShare <= 1)) problem('fleetdShare', `must be in [0%, 100%] (got ${input.fleetdShare})`);
  if (!(input.fleetDesktopShare >= 0 && input.fleetDesktopShare <= 1)) problem('fleetDesktopShare', `must be in [0%, 100%] (got ${input.fleetDesktopShare})`);
  return problems;
}

/** `--hosts must be > 0 (got 0); --target-cpu must be in (0, 1] (got 1.5)`. */
export function formatPlanInputProblems(problems: readonly PlanInputProblem[]): string {
  return problems.map((p) => `${p.option} ${p.reason}`).join('; ');
}

/** What the plan assumes (and, with a sweep, what the sweep could not tell), with the warnings they raise. */
function assumptionsOf(input: PlanInput, sweep: SweepDocument | undefined): { assumptions: string[]; warnings: string[] } {
  const warnings: string[] = [];
  const assumptions: string[] = [
    `every host is online and checks in (${input.hosts.toLocaleString('en-US')} hosts)`,
    `${input.policies} policies in scope of each host (global + its team's), ${input.teams} teams`,
    `rates are long-run averages: no herd after an outage or a mass policy roll-out (those are scenarios: reconnect-wave, policy-rollout)`,
    'jitter (Fleet default: up to 10% of the policy interval) is ignored: it spreads writes and lowers their long-run rate by at most ~5%',
    `details (every ${input.detailIntervalS} s) and policies (every ${input.policyIntervalS} s) come due in the same read when the intervals are equal: one write per host per interval`,
    `labels: every host runs ${input.labelsPerHost} label queries every label_update_interval (${input.labelIntervalS} s), in the read and write that carry its other due queries (no extra requests); jitter ignored`,
    `scheduled queries: ${input.scheduledQueries === 0 ? 'none (the default: an empty schedule logs no results)' : `${input.scheduledQueries} snapshot queries per host every ${input.queryIntervalS} s, ${input.rowsPerResult} rows per result`}; differential queries log their rows once and are not modelled; the log requests that carry results are not added to the log rate (as osqsim scenario plan)`,
    `log requests: ${input.logSendFraction === 0 ? 'none (empty schedule; osquery sends only buffered lines)' : `${input.logSendFraction} of logger ticks send`}`,
    `one Node.js server instance handles requests on one core: usable capacity per instance = min(instance CPUs, 1) × target CPU`,
    input.fleetdShare > 0
      ? `fleetd: ${formatNumber(input.fleetdShare * 100, 0)}% of hosts run orbit beside osquery and ${formatNumber(input.fleetDesktopShare * 100, 0)}% of those Fleet Desktop, each sending one request per ticker period (orbit/config 30 s, orbit/ping and device/{token}/ping 5 min, device_token hourly, desktop 5 min + 1 per rotation, device/ping 10 s: scenarios/fleetd-traffic.ts, fleetd-orbit.md §8); enrolments and orbit's retries are not modelled`
      : 'fleetd: none (--fleetd 0%: osquery alone; with fleetd a host sends about 0.144 req/s more, fleetd-orbit.md §8)',
  ];
  if (input.instanceCpus > 1) {
    warnings.push(`--instance-cpus ${input.instanceCpus}: a single osqsim (Node.js) process uses about one core; run one instance per core instead`);
  }
  if (sweep) {
    const unusable = sweep.steps.length - usableSteps(sweep).length;
    if (sweep.params.policies !== input.policies) {
      assumptions.push(
        `write cost measured with ${sweep.params.policies} results per write (the sweep's policies per host) and not scaled to ${input.policies}: more results per write cost more CPU and rows`,
      );
    }
    if (unusable > 0) assumptions.push(`${unusable} sweep step(s) left out of the fits (generator saturated or > 1% errors)`);
    if (sweep.steps.length > 0) {
      const largest = Math.max(...sweep.steps.map((step) => step.hosts));
      if (input.hosts > largest * 4) {
        warnings.push(`projecting ${formatNumber(input.hosts / largest, 1)}× beyond the largest measured step (${largest.toLocaleString('en-US')} hosts): treat the figures as extrapolation`);
      }
    }
  }
  return { assumptions, warnings };
}

export function planCapacity(input: PlanInput, sweep?: SweepDocument, sweepFile = 'sweep.json'): CapacityPlan {
  const problems = validatePlanInput(input);
  if (problems.length > 0) throw new RangeError(formatPlanInputProblems(problems));
  const { assumptions, warnings } = assumptionsOf(input, sweep);
  const context: PlanContext = { input, sweep, sweepFile, calibration: sweep ? calibrate(sweep) : undefined, warnings };
  const done: FiguresSoFar = {};
  for (const row of PLAN_FIGURES) (done as Record<keyof PlanFigures, unknown>)[row.key] = row.figure(context, done);
  const figures = done as PlanFigures;
  return {
    input,
    measured: sweep !== undefined,
    ...(sweep ? { sweepFile } : {}),
    assumptions,
    requestRates: figures.requestRates,
    membershipRowsPerS: figures.membershipRowsPerS,
    membershipRows: figures.membershipRows,
    aggregation: figures.aggregation,
    labelQueriesPerS: figures.labelQueriesPerS,
    scheduledResults: figures.scheduledResults,
    serverCpuCores: figures.serverCpuCores,
    serverInstances: figures.serverInstances,
    serverRssMbPerInstance: figures.serverRssMbPerInstance,
    database: figures.database,
    fleetReference: fleetReferenceFor(input.hosts),
    warnings,
  };
}
