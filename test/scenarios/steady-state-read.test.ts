/** osqsim simulate and capacity sweeps read a scenario as a steady state: no timeline, no thresholds. */
import { describe, expect, it } from 'vitest';
import { readBuiltinFleetScenario, readScenario } from '../../scenarios/read.js';
import { simulationSpec } from '../../scenarios/simulation-spec.js';
import { BUILTIN_FLEET } from '../../scenarios/fleets/builtin-fleet.js';

describe('a steady-state read', () => {
  it('leaves out the timeline and thresholds, with a note', () => {
    const result = readScenario('quickstart', { steadyState: true, overrides: { hosts: 100 } });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.scenario.timeline).toEqual([]);
    expect(result.scenario.thresholds).toEqual([]);
    expect(result.scenario.hosts).toBe(100);
    expect(result.notes).toEqual(['ignoring timeline and thresholds (they need the harness: osqsim run)']);
  });

  it('gives the simulator only the simulation spec', () => {
    const result = readScenario('quickstart', { steadyState: true });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(Object.keys(simulationSpec(result.scenario)).sort()).toEqual(['agent', 'description', 'duration', 'enroll_secret', 'fleet', 'hosts', 'name', 'policies', 'seed', 'warmup']);
    expect(simulationSpec(result.scenario, { hosts: 7 }).hosts).toBe(7);
  });

  it('of the built-in fleet alone (osqsim simulate --hosts N) scales its groups to the hosts', () => {
    const result = readBuiltinFleetScenario({ steadyState: true, overrides: { hosts: 50, duration: '30s' } });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.scenario).toMatchObject({ name: 'built-in fleet', hosts: 50, duration: 30_000 });
    expect(result.scenario.fleet.groups.map((g) => g.name)).toEqual(BUILTIN_FLEET.groups.map((g) => g.name));
    expect(result.notes).toEqual([]);
  });
});
