/**
 * `osqsim scenario plan` for fleetd hosts: orbit's and Fleet Desktop's endpoints in the plan, at the
 * rates of fleetd's tickers (scenarios/fleetd-traffic.ts, simulator/orbit/timings.ts; reference
 * fleetd-orbit.md §1, §5, §8), beside osquery's.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseScenarioText, readScenario } from '../../scenarios/read.js';
import { formatPlan, planScenario } from '../../scenarios/plan.js';
import type { Scenario } from '../../scenarios/schema/scenario.js';
import { AGENT_ENDPOINTS, ENDPOINTS, ORBIT_ENDPOINTS } from '../../contract/vocabulary.js';
import { fleetdSteadyRates } from '../../scenarios/fleetd-traffic.js';

/** Fleet's published per-host rates at ~100k hosts: 492loadtest-orbit0 (osquery only) and orbit1 (fleetd + Desktop). */
const FLEET_OSQUERY_ONLY = 0.134;
const FLEET_FLEETD = 0.278;

function builtin(name: string): Scenario {
  const result = readScenario(name);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.scenario;
}

function scenario(groups: unknown[], agent: Record<string, unknown> = {}): Scenario {
  const result = parseScenarioText(
    stringify({
      name: 'fleetd-plan',
      hosts: 1000,
      duration: '20m',
      warmup: '10m',
      agent: { distributed_interval: '10s', config_refresh: '60s', start_period: '0s', status_lines_per_hour: 0, startup_status_lines: 0, ...agent },
      fleet: { groups },
      policies: [{ name: 'p', query: 'SELECT 1;' }],
    }),
    'fleetd-plan.yaml',
  );
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.scenario;
}

describe('scenario plan of fleetd hosts', () => {
  it('fleetd-defaults: every endpoint listed; ≈ 0.144 req/s/host above osquery alone, ≈ 0.278 in total', () => {
    const fleetd = planScenario(builtin('fleetd-defaults'));
    const osquery = planScenario(builtin('fleet-defaults'));
    expect(fleetd.mix.endpoints.map((e) => e.endpoint)).toEqual([...AGENT_ENDPOINTS]);
    expect(osquery.mix.endpoints.map((e) => e.endpoint)).toEqual([...ENDPOINTS]);
    const perHost = Object.fromEntries(fleetd.mix.endpoints.map((e) => [e.endpoint, e.per_host]));
    // fleetd-orbit.md §8, per host at defaults with Desktop.
    expect(perHost.orbit_config).toBeCloseTo(1 / 30, 4);
    expect(perHost.device_ping).toBeCloseTo(0.1, 4);
    expect(perHost.orbit_ping).toBeCloseTo(1 / 300, 4);
    expect(perHost.device_token_ping).toBeCloseTo(1 / 300, 4);
    expect(perHost.desktop).toBeCloseTo(1 / 300 + 1 / 3615, 4);
    expect(perHost.orbit_device_token).toBeCloseTo(1 / 3615, 4);
    // What fleetd adds: Fleet's orbit1 − orbit0 = 0.144 req/s/host.
    const added = fleetd.mix.total_per_host - osquery.mix.total_per_host;
    expect(added / (FLEET_FLEETD - FLEET_OSQUERY_ONLY)).toBeGreaterThan(0.99);
    expect(added / (FLEET_FLEETD - FLEET_OSQUERY_ONLY)).toBeLessThan(1.01);
    // The total: osqsim's osquery part is below Fleet's 0.134 by its log traffic (docs/fidelity.md
    // "Request mix, measured"), which the fleetd total carries too.
    expect(fleetd.mix.total_per_host / FLEET_FLEETD).toBeGreaterThan(0.94);
    expect(fleetd.mix.total_per_host / FLEET_FLEETD).toBeLessThan(1.05);
    const text = formatPlan(fleetd);
    for (const name of AGENT_ENDPOINTS) expect(text).toMatch(new RegExp(`^  ${name} +(osquery|orbit|desktop) `, 'm'));
    expect(text).toMatch(/orbit\/s\s+desktop\/s/);
    expect(formatPlan(osquery)).not.toMatch(/orbit/);
  });

  it('steady rates add up per group: orbit on every fleetd host, Desktop only where fleet_desktop is on', () => {
    const plan = planScenario(
      scenario([
        { name: 'mac', weight: 6, platform: 'darwin', os_version: '14', agent: 'fleetd' },
        { name: 'kiosk', weight: 2, platform: 'ubuntu', os_version: '22.04', agent: 'fleetd', fleet_desktop: false },
        { name: 'plain', weight: 2, platform: 'windows', os_version: '10' },
      ], { fleetd_phase: 'steady' }),
    );
    // All hosts start at t = 0 (start_period 0): the 10 s and 30 s tickers fire together; a 600 s window
    // holds whole periods of every 5 min and shorter ticker.
    const window = plan.points.slice(600, 1200);
    const mean = (name: (typeof ORBIT_ENDPOINTS)[number]) => window.reduce((sum, p) => sum + (p.rates[name] ?? 0), 0) / window.length;
    const expected = fleetdSteadyRates(800, 600);
    for (const name of ORBIT_ENDPOINTS) expect(mean(name), name).toBeCloseTo(expected[name], 1);
    expect(mean('device_ping')).toBeCloseTo(60, 1);
    expect(mean('orbit_config')).toBeCloseTo(800 / 30, 1);
    expect(plan.points[630]!.rates.orbit_config).toBe(800);
    expect(plan.points[631]!.rates.orbit_config).toBe(0);
    expect(plan.groups.map((g) => [g.agent, g.fleet_desktop])).toEqual([['fleetd', true], ['fleetd', false], ['osquery', false]]);
  });

  it('at start: one enroll, ping, device token and Desktop token check per host; tickers anchored at the start, the 5 min ones first after 5 min (fleetd_phase start)', () => {
    const plan = planScenario(scenario([{ name: 'mac', count: 1000, platform: 'darwin', os_version: '14', agent: 'fleetd' }]));
    const first = plan.points[0]!.rates;
    expect([first.orbit_enroll, first.orbit_device_token, first.desktop]).toEqual([1000, 1000, 1000]);
    expect(first.orbit_ping).toBe(1000);
    expect(plan.points[299]!.rates.device_token_ping).toBe(0);
    expect(plan.points[300]!.rates.device_token_ping).toBe(1000);
    expect(plan.points[299]!.rates.orbit_ping).toBe(0);
    expect(plan.points[10]!.rates.device_ping).toBe(1000);
    expect(plan.points[11]!.rates.device_ping).toBe(0);
    const steady = planScenario(scenario([{ name: 'mac', count: 1000, platform: 'darwin', os_version: '14', agent: 'fleetd' }], { fleetd_phase: 'steady' }));
    expect(steady.points[10]!.rates.device_token_ping).toBeCloseTo(1000 / 300, 1);
  });
});
