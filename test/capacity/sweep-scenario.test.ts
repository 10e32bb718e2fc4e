import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSweepWindows, policiesYaml, stepScenario, sweepMeasureMs, sweepStartPeriodMs } from '../../capacity/sweep-scenario.js';
import { loadSweepScenario } from '../../capacity/sweep.js';

const tinyScenario = join(fileURLToPath(new URL('.', import.meta.url)), 'tiny-sweep.yaml');

describe('sweep scenario handling', () => {
  const source = loadSweepScenario(tinyScenario);

  it('builds each step from the scenario: hosts, windows, no timeline, starts spread over an interval', () => {
    const scenario = stepScenario(source, 40, 4000, 4000);
    expect(scenario.hosts).toBe(40);
    expect(scenario.warmup).toBe(4000);
    expect(scenario.duration).toBe(8000);
    expect(scenario.timeline).toEqual([]);
    expect(scenario.agent.start_period).toBe(2000);
    expect(sweepStartPeriodMs({ agent: { ...scenario.agent, start_period: 60_000 } }, 30_000)).toBe(28_000);
    expect(sweepMeasureMs(scenario, 5000)).toBe(6000);
    expect(() => checkSweepWindows(scenario, 3000)).toThrow(/--warmup/);
  });

  it('writes the scenario policies as fleetctl YAML for the server to apply at start', () => {
    const scenario = stepScenario(source, 40, 4000, 4000);
    expect(policiesYaml(scenario)).toMatch(/kind: policy\nspec:\n {2}name: firewall/);
    expect(policiesYaml(scenario)!.split('---').length).toBe(3);
  });
});
