/**
 * A validated scenario → the simulator's input (contract/fleet-spec.ts `SimulationSpec`): the core
 * sections only. The harness's sections (server, target, timeline, thresholds) stay in scenarios/;
 * the simulator never sees them. Pure.
 */
import type { SimulationSpec } from '../contract/fleet-spec.js';
import type { Scenario } from './schema/scenario.js';

/** The spec of `scenario`, with `changes` on top (the runner's ramp start, a target's enroll secret). */
export function simulationSpec(scenario: Scenario, changes: Partial<SimulationSpec> = {}): SimulationSpec {
  return {
    name: scenario.name,
    description: scenario.description,
    seed: scenario.seed,
    hosts: scenario.hosts,
    duration: scenario.duration,
    warmup: scenario.warmup,
    enroll_secret: scenario.enroll_secret,
    agent: scenario.agent,
    fleet: scenario.fleet,
    policies: scenario.policies,
    ...changes,
  };
}
