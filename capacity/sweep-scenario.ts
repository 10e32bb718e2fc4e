/**
 * A sweep's scenario, pure: the scenario of each step (hosts, windows, no timeline), the windows'
 * checks, and the policies file for the scenario's server section (its flags: scenarios/harness/server-args.ts).
 */
import { stringify as stringifyYaml } from 'yaml';
import { osqsimError } from '../lib/errors.js';
import { formatDurationMs } from '../lib/units.js';
import { readScenarioDocument, scenarioOrThrow } from '../scenarios/read.js';
import type { Scenario as HarnessScenario } from '../scenarios/schema/scenario.js';

/** The scenario as parsed YAML with file references resolved, before validation. */
export interface SweepScenarioSource {
  file: string;
  document: Record<string, unknown>;
  base: HarnessScenario;
}

/** The scenario of one step: `hosts` hosts, warm-up + measured window, no timeline or thresholds. */
export function stepScenario(source: SweepScenarioSource, hosts: number, warmupMs: number, measureMs: number): HarnessScenario {
  const agent = { ...((source.document.agent as Record<string, unknown> | undefined) ?? {}) };
  agent.start_period = `${sweepStartPeriodMs(source.base, warmupMs)}ms`;
  const result = readScenarioDocument({ ...source.document, agent }, source.file, {
    steadyState: true,
    overrides: { hosts, warmup: `${warmupMs}ms`, duration: `${warmupMs + measureMs}ms` },
  });
  return scenarioOrThrow(result, `${source.file} at ${hosts} hosts`);
}

/**
 * Host starts spread over at least one distributed interval (so read phases are uniform and any window
 * of whole intervals sees each host the same number of times) and ending one interval before the
 * measured window (so every host has had its first, all-due read and write).
 */
export function sweepStartPeriodMs(scenario: Pick<HarnessScenario, 'agent'>, warmupMs: number): number {
  const interval = scenario.agent.distributed_interval;
  return Math.max(interval, Math.min(scenario.agent.start_period, warmupMs - interval));
}

/** The measured window rounded up to whole distributed intervals: a partial interval aliases the read rate. */
export function sweepMeasureMs(scenario: Pick<HarnessScenario, 'agent'>, measureMs: number): number {
  const interval = scenario.agent.distributed_interval;
  return Math.max(1, Math.ceil(measureMs / interval - 1e-9)) * interval;
}

export function checkSweepWindows(scenario: Pick<HarnessScenario, 'agent'>, warmupMs: number): void {
  const interval = scenario.agent.distributed_interval;
  if (warmupMs < 2 * interval) {
    throw osqsimError('CLI_INVALID_OPTION', {
      option: '--warmup',
      reason: `must be at least two distributed intervals (${formatDurationMs(2 * interval)}): hosts start over one interval and need another for their first all-due check-in`,
    });
  }
}

export function policiesYaml(scenario: HarnessScenario): string | null {
  const documents = scenario.policies
    .filter((policy) => typeof policy.query === 'string' && policy.query !== '')
    .map((policy) =>
      stringifyYaml({
        apiVersion: 'v1',
        kind: 'policy',
        spec: {
          name: policy.name,
          query: policy.query,
          ...(policy.description ? { description: policy.description } : {}),
          ...(policy.platform ? { platform: policy.platform } : {}),
          ...(policy.team ? { team: policy.team } : {}),
        },
      }),
    );
  return documents.length === 0 ? null : documents.join('---\n');
}

/** Policies in scope of an average host: global ones, plus the team's (approximated by the largest team's). */
export function policiesPerHost(scenario: HarnessScenario): number {
  const global = scenario.policies.filter((policy) => !policy.team && policy.query).length;
  const perTeam = new Map<string, number>();
  for (const policy of scenario.policies) if (policy.team && policy.query) perTeam.set(policy.team, (perTeam.get(policy.team) ?? 0) + 1);
  return global + Math.max(0, ...perTeam.values());
}
