/**
 * `osqsim capacity plan --fleetd`: a fleet of fleetd hosts is sized on its larger request mix
 * (orbit's and Fleet Desktop's tickers beside osquery's, scenarios/fleetd-traffic.ts; reference
 * fleetd-orbit.md §8), each fleetd endpoint its own row, in the CPU and the instance count.
 */
import { describe, expect, it } from 'vitest';
import { formatPlan, planRows } from '../../capacity/format.js';
import { planCapacity, validatePlanInput } from '../../capacity/model.js';
import { DEFAULT_PLAN_INPUT, UNMEASURED_COSTS, type PlanInput } from '../../capacity/plan-types.js';
import { FLEETD_PLAN_ENDPOINTS, PLAN_ENDPOINTS } from '../../capacity/sweep-document.js';
import { planCommand } from '../../cli/capacity.js';
import { EXIT } from '../../lib/exit-codes.js';
import { sweepOf, sweepStep as step } from './fixtures.js';

function input(overrides: Partial<PlanInput>): PlanInput {
  return { ...DEFAULT_PLAN_INPUT, ...overrides };
}

const HOSTS = 100_000;

describe('capacity plan of a fleetd fleet', () => {
  const osquery = planCapacity(input({ hosts: HOSTS }));
  const fleetd = planCapacity(input({ hosts: HOSTS, fleetdShare: 1 }));

  it('adds orbit and Desktop rates: ≈ 0.144 req/s per host more, Fleet\'s orbit1 − orbit0 at 100k', () => {
    for (const e of FLEETD_PLAN_ENDPOINTS) {
      expect(osquery.requestRates[e], e).toBeUndefined();
      expect(fleetd.requestRates[e]!.value, e).toBeGreaterThan(0);
    }
    expect(fleetd.requestRates.orbit_config!.value).toBeCloseTo(HOSTS / 30, 6);
    expect(fleetd.requestRates.device_ping!.value).toBeCloseTo(HOSTS / 10, 6);
    expect(fleetd.requestRates.orbit_ping!.value).toBeCloseTo(HOSTS / 300, 6);
    const added = (fleetd.requestRates.total.value - osquery.requestRates.total.value) / HOSTS;
    // 1,200,141,329 − 577,202,858 requests in 12 h at 100k hosts (492loadtest-orbit1 − orbit0) = 0.1442 req/s/host.
    const fleet = (1_200_141_329 - 577_202_858) / (12 * 3600) / HOSTS;
    expect(added / fleet).toBeGreaterThan(0.99);
    expect(added / fleet).toBeLessThan(1.01);
    for (const e of PLAN_ENDPOINTS) expect(fleetd.requestRates[e].value).toBe(osquery.requestRates[e].value);
    expect(fleetd.requestRates.total.fleet).toContain('0.278 with fleetd + Desktop on every host (492loadtest-orbit1)');
  });

  it('sizes CPU and instances on the larger mix', () => {
    const fleetdCpuMs = FLEETD_PLAN_ENDPOINTS.reduce((sum, e) => sum + fleetd.requestRates[e]!.value * UNMEASURED_COSTS.fleetdCpuMsPerRequest[e], 0);
    expect(fleetd.serverCpuCores.value).toBeCloseTo(osquery.serverCpuCores.value + fleetdCpuMs / 1000, 6);
    expect(fleetd.serverInstances.value).toBeGreaterThan(osquery.serverInstances.value);
    expect(fleetd.serverCpuCores.source).toContain('+ fleetd (orbit and Fleet Desktop)');
    expect(osquery.serverCpuCores.source).not.toContain('fleetd');
  });

  it('without Fleet Desktop: orbit only (no summary, no 10 s device ping)', () => {
    const orbitOnly = planCapacity(input({ hosts: HOSTS, fleetdShare: 1, fleetDesktopShare: 0 }));
    expect(orbitOnly.requestRates.device_ping!.value).toBe(0);
    expect(orbitOnly.requestRates.desktop!.value).toBe(0);
    expect(orbitOnly.requestRates.orbit_config!.value).toBeCloseTo(HOSTS / 30, 6);
    // fleetd-orbit.md §8: ≈ 0.174 − 0.134 = 0.040 req/s/host with orbit and no Desktop.
    expect((orbitOnly.requestRates.total.value - osquery.requestRates.total.value) / HOSTS).toBeCloseTo(0.04, 2);
    const half = planCapacity(input({ hosts: HOSTS, fleetdShare: 0.5 }));
    expect(half.requestRates.orbit_config!.value).toBeCloseTo(HOSTS / 2 / 30, 6);
  });

  it('with a sweep: the CPU fit covers osquery\'s requests and fleetd\'s are added at their costs', () => {
    const sweep = sweepOf([step(1, 1000), step(2, 2000), step(3, 4000)]);
    const measuredOsquery = planCapacity(input({ hosts: HOSTS }), sweep);
    const measuredFleetd = planCapacity(input({ hosts: HOSTS, fleetdShare: 1 }), sweep);
    const fleetdCpuMs = FLEETD_PLAN_ENDPOINTS.reduce((sum, e) => sum + measuredFleetd.requestRates[e]!.value * UNMEASURED_COSTS.fleetdCpuMsPerRequest[e], 0);
    expect(measuredFleetd.serverCpuCores.value).toBeCloseTo(measuredOsquery.serverCpuCores.value + fleetdCpuMs / 1000, 6);
  });

  it('prints each fleetd endpoint as a row, and the flags reach the plan', () => {
    const names = planRows(fleetd).map(([name]) => name);
    expect(names).toEqual(expect.arrayContaining(['orbit/config', 'orbit/ping', 'orbit/device_token', 'device/{token}/ping', 'device/{token}/desktop', 'device/ping', 'all requests (osquery + fleetd)']));
    expect(planRows(osquery).map(([name]) => name)).not.toContain('orbit/config');
    expect(formatPlan(fleetd)).toContain('Capacity plan for 100,000 hosts (100% fleetd)');
    const out: string[] = [];
    const flags = { hosts: '100k', policies: '80', teams: '10', distributedInterval: '10s', policyInterval: '1h', configRefresh: '60s', statsInterval: '1h', instanceCpus: '1', targetCpu: '60%', json: true };
    expect(planCommand({ ...flags, fleetd: '100%', fleetDesktop: '100%' }, (t) => out.push(t), () => undefined)).toBe(EXIT.OK);
    const json = JSON.parse(out.join('')) as { requestRates: Record<string, { value: number }>; serverInstances: { value: number } };
    expect(json.requestRates.device_ping!.value).toBeCloseTo(HOSTS / 10, 6);
    expect(json.serverInstances.value).toBe(fleetd.serverInstances.value);
    const err: string[] = [];
    expect(planCommand({ ...flags, fleetd: '120%' }, () => undefined, (t) => err.push(t))).toBe(EXIT.INVALID_INPUT);
    expect(err.join('')).toContain('--fleetd');
    expect(validatePlanInput(input({ fleetdShare: -0.1, fleetDesktopShare: 2 })).map((p) => p.option).sort()).toEqual(['--fleet-desktop', '--fleetd']);
  });
});
