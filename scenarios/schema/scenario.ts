/**
 * The scenario file: its type and its one strict validator.
 *
 * A scenario is validated once, from the field table below, and comes back frozen with every default
 * filled in. The validator reports EVERY problem at once, each with its path and, for an unknown
 * key, the nearest known one (schema/validate.ts). Durations are milliseconds in the result.
 *
 * Extending: a new top-level section is one more entry of `SCENARIO_FIELDS`, built from the
 * combinators in schema/validate.ts in its own file under schema/sections/, plus its type in
 * `Scenario`.
 */
import { osqsimError } from '../../lib/errors.js';
import type { SimulationSpec, ValidatedFleet } from '../../contract/fleet-spec.js';
import type { TimelineEvent } from '../timeline.js';
import { deepFreeze, duration, fail, formatIssues, int, object, str, array, type Context, type FieldSpec, type ValidationIssue } from './validate.js';
import { agentDefaults, agentValidator } from './sections/agent.js';
import { fleetValidator } from './sections/fleet.js';
import { labelValidator, policyValidator, reportValidator } from './sections/policies.js';
import type { LabelSpecBody, QuerySpecBody } from '../../contract/fleet-rest.js';
import { checkServerDeployment, serverDefaults, serverSectionValidator, type ServerSection } from './sections/server.js';
import { simulatorDefaults, simulatorSectionValidator, type SimulatorSection } from './sections/simulator.js';
import { targetSectionValidator, type TargetSection } from './sections/target.js';
import { checkTimeline, eventsAfterEnd, timelineValidator } from './sections/timeline.js';
import { thresholdsValidator } from './sections/thresholds.js';

/** A validated scenario: the simulation spec (contract/fleet-spec.ts) plus the harness's sections. */
export interface Scenario extends SimulationSpec {
  /** The server osqsim starts (absent when `target` is set). */
  server?: ServerSection;
  target?: TargetSection;
  /** How `osqsim run` runs the simulator (one process or several shard processes), how the simulated agents connect (elastic or a fixed pool) and which HTTP client they use. */
  simulator: SimulatorSection;
  /** The events the run applies, in time order. */
  timeline: TimelineEvent[];
  /**
   * Events at or after the end of a run whose duration was cut short by `--duration`: not applied,
   * listed by the plan and recorded in the result as skipped. Absent when none were cut.
   */
  skipped_timeline?: TimelineEvent[];
  /** As written (`read.p99 < 200ms`); parsed again when evaluated. */
  thresholds: string[];
  /** Labels applied with the policies, first (from the policy files' `kind: label`, or inline). */
  labels: LabelSpecBody[];
  /** Scheduled queries applied with the policies (from the policy files' `kind: report`, or inline). */
  reports: QuerySpecBody[];
}

export const SCENARIO_FIELDS: Record<string, FieldSpec> = {
  name: { validate: str({ nonEmpty: true }), default: () => 'unnamed' },
  description: { validate: str(), default: () => '' },
  seed: { validate: int({ min: 0, max: Number.MAX_SAFE_INTEGER }), default: () => 1 },
  hosts: { validate: int({ min: 1 }) },
  duration: { validate: duration({ positive: true }), default: () => 5 * 60_000 },
  warmup: { validate: duration(), default: () => 0 },
  enroll_secret: { validate: str({ nonEmpty: true }), default: () => 'osqsim' },
  agent: { validate: agentValidator, default: agentDefaults },
  fleet: { validate: fleetValidator, required: true },
  policies: { validate: array(policyValidator), default: () => [] },
  labels: { validate: array(labelValidator), default: () => [] },
  reports: { validate: array(reportValidator), default: () => [] },
  server: { validate: serverSectionValidator },
  target: { validate: targetSectionValidator },
  simulator: { validate: simulatorSectionValidator, default: simulatorDefaults },
  timeline: { validate: timelineValidator, default: () => [] },
  thresholds: { validate: thresholdsValidator, default: () => [] },
};

export interface ValidateOptions {
  /**
   * The duration came from the command line (`--duration`): timeline events it cuts off are moved to
   * `skipped_timeline` instead of being refused.
   */
  durationFromFlag?: boolean;
  /**
   * Read for the simulator alone (`osqsim simulate`, a shard process, capacity sweeps): how `osqsim run`
   * deploys the server (instances, load balancer, its store) is not checked — these commands do not
   * deploy it, and a shard of a multi-instance run reads the file without the run's --store.
   */
  steadyState?: boolean;
}

/** Rules across sections; runs on the (still mutable) scenario once every section is valid. */
function checkScenario(scenario: Scenario, ctx: Context, options: ValidateOptions): void {
  const groups = scenario.fleet.groups;
  const counted = groups.reduce((sum, g) => sum + (g.count ?? 0), 0);
  const weighted = groups.some((g) => g.weight !== undefined);
  if (scenario.hosts === undefined) {
    if (weighted) fail(ctx, 'hosts', 'is required when a fleet group has a weight');
    else if (counted === 0) fail(ctx, 'fleet.groups', 'the groups\' counts add up to 0 hosts');
    else scenario.hosts = counted;
  } else if (!weighted && counted !== scenario.hosts) {
    fail(ctx, 'hosts', `is ${scenario.hosts} but the groups' counts add up to ${counted} (give some groups a weight instead)`);
  } else if (weighted && counted > scenario.hosts) {
    fail(ctx, 'hosts', `is ${scenario.hosts} but the groups' counts alone add up to ${counted}`);
  }
  if (scenario.warmup >= scenario.duration) fail(ctx, 'warmup', 'must be shorter than duration');
  checkHarnessSections(scenario, ctx, options);
}

function checkHarnessSections(scenario: Scenario, ctx: Context, options: ValidateOptions): void {
  if (scenario.server !== undefined && scenario.target !== undefined) {
    fail(ctx, 'target', 'and server are exclusive: server describes the server osqsim starts, target a server that already runs');
    return;
  }
  if (scenario.target === undefined && scenario.server === undefined) scenario.server = serverDefaults();
  const external = scenario.target !== undefined;
  if (scenario.server && options.steadyState !== true) checkDeployment(scenario, ctx);
  else if (scenario.server) (scenario.server as { load_balancer: string }).load_balancer ??= scenario.server.instances > 1 ? 'haproxy' : 'none';
  const apiToken = scenario.target?.api_token !== undefined;
  if (scenario.hosts !== undefined) {
    const durationFromFlag = options.durationFromFlag === true;
    checkTimeline(
      scenario.timeline,
      { hosts: scenario.hosts, duration: scenario.duration, external, apiToken, policyNames: scenario.policies.map((p) => p.name), durationFromFlag },
      'timeline',
      ctx,
    );
    const skipped = durationFromFlag ? eventsAfterEnd(scenario.timeline, scenario.duration) : [];
    if (skipped.length > 0) {
      scenario.timeline = scenario.timeline.filter((e) => !skipped.includes(e));
      scenario.skipped_timeline = skipped;
    }
  }
  if (external && !apiToken) {
    scenario.thresholds.forEach((expr, i) => {
      if (expr.startsWith('counts.')) fail(ctx, `thresholds[${i}]`, 'reads the target\'s policy counts through its REST API: set target.api_token');
    });
  }
}

/** Several server instances or simulator processes: what each section must allow. */
function checkDeployment(scenario: Scenario, ctx: Context): void {
  const server = scenario.server!;
  checkServerDeployment(server, (path, message) => fail(ctx, path, message));
  const several = server.instances > 1 || server.load_balancer !== 'none';
  scenario.timeline.forEach((event, i) => {
    if (several && (event.kind === 'restart_server' || event.kind === 'store_unavailable')) {
      fail(ctx, `timeline[${i}].${event.kind}`, `acts on one server process; it is not supported with server.instances: ${server.instances} / load_balancer: ${server.load_balancer}`);
    }
    if (scenario.simulator.processes > 1 && event.kind === 'ramp_hosts') {
      fail(ctx, `timeline[${i}].ramp_hosts`, `changes the host count of a running simulator; with simulator.processes: ${scenario.simulator.processes} the shards run a fixed host count (use 1 process)`);
    }
  });
}

export type ValidationResult = { ok: true; scenario: Scenario } | { ok: false; issues: ValidationIssue[] };

/** Validates a parsed scenario document (policy files already read: scenarios/read.ts). */
export function validateScenario(input: unknown, options: ValidateOptions = {}): ValidationResult {
  const ctx: Context = { issues: [] };
  const scenario = object<Scenario>(SCENARIO_FIELDS, (value, _path, c) => checkScenario(value, c, options))(input, '', ctx);
  if (scenario === undefined || ctx.issues.length > 0) return { ok: false, issues: ctx.issues };
  return { ok: true, scenario: deepFreeze(scenario) };
}

/** Validates a fleet section on its own (the built-in fleet, tests); throws SCENARIO_INVALID listing every issue. */
export function validateFleet(input: unknown, source = 'fleet'): ValidatedFleet {
  const ctx: Context = { issues: [] };
  const fleet = fleetValidator(input, 'fleet', ctx);
  if (fleet === undefined || ctx.issues.length > 0) throw osqsimError('SCENARIO_INVALID', { source, problems: `\n${formatIssues(ctx.issues)}` });
  return deepFreeze(fleet);
}
