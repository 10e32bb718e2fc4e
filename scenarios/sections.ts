/**
 * The harness's scenario sections (`server`, `target`, `timeline`, `thresholds`), added to the one
 * strict schema in scenarios/schema.ts, and the rules that tie them to the rest of the scenario.
 *
 * schema.ts imports this module and this module imports schema.ts's combinators: everything here is
 * a function or built lazily inside one, so the cycle is safe whichever module is loaded first.
 */
import { parseThreshold } from './thresholds.js';
import { checkTimeline, timelineValidator, type TimelineEvent } from './timeline.js';
import { serverDefaults, serverSectionValidator, targetSectionValidator, type ServerSection, type TargetSection } from './server-section.js';
import { array, type Context, type FieldSpec, type Scenario, type Validator } from './schema.js';

/** A validated scenario with the harness's sections filled in. */
export interface HarnessScenario extends Scenario {
  /** The server osqsim starts (absent when `target` is set). */
  server?: ServerSection;
  target?: TargetSection;
  timeline: TimelineEvent[];
  /** As written (`read.p99 < 200ms`); parsed again when evaluated. */
  thresholds: string[];
}

function thresholdValidator(): Validator<string> {
  return (value, path, ctx) => {
    if (typeof value !== 'string') {
      ctx.issues.push({ path, message: `must be a threshold like "read.p99 < 200ms", got ${value === null ? 'null' : typeof value}` });
      return undefined;
    }
    const parsed = parseThreshold(value);
    if (!parsed.ok) {
      ctx.issues.push({ path, message: parsed.error });
      return undefined;
    }
    return parsed.threshold.expr;
  };
}

function lazy<T>(make: () => Validator<T>): Validator<T> {
  let built: Validator<T> | undefined;
  return (value, path, ctx) => (built ??= make())(value, path, ctx);
}

/** The field table entries schema.ts adds to SCENARIO_FIELDS. */
export function harnessFields(): Record<string, FieldSpec> {
  return {
    server: { validate: lazy(serverSectionValidator) },
    target: { validate: lazy(targetSectionValidator) },
    timeline: { validate: lazy(timelineValidator), default: () => [] },
    thresholds: { validate: lazy(() => array(thresholdValidator())), default: () => [] },
  };
}

/** Cross-section rules; called from schema.ts's checkScenario on the (still mutable) scenario. */
export function checkHarnessSections(input: Scenario, ctx: Context): void {
  const scenario = input as HarnessScenario;
  if (scenario.server !== undefined && scenario.target !== undefined) {
    ctx.issues.push({ path: 'target', message: 'and server are exclusive: server describes the server osqsim starts, target a server that already runs' });
    return;
  }
  if (scenario.target === undefined && scenario.server === undefined) scenario.server = serverDefaults();
  const external = scenario.target !== undefined;
  const apiToken = scenario.target?.api_token !== undefined;
  if (scenario.timeline && scenario.hosts !== undefined) {
    checkTimeline(
      scenario.timeline,
      { hosts: scenario.hosts, duration: scenario.duration, external, apiToken, policyNames: (scenario.policies ?? []).map((p) => p.name) },
      'timeline',
      ctx,
    );
  }
  if (external && !apiToken) {
    (scenario.thresholds ?? []).forEach((expr, i) => {
      if (expr.startsWith('counts.')) ctx.issues.push({ path: `thresholds[${i}]`, message: 'reads the target\'s policy counts through its REST API: set target.api_token' });
    });
  }
}
