import { describe, expect, it } from 'vitest';
import { PLAN_FIGURES, modelMembershipRowsPerS, modelRequestRates, serverInstancesFigure, type PlanContext } from '../../capacity/figures.js';
import { DEFAULT_PLAN_INPUT, type PlanInput } from '../../capacity/plan-types.js';

function input(overrides: Partial<PlanInput>): PlanInput {
  return { ...DEFAULT_PLAN_INPUT, ...overrides };
}

describe('model arithmetic against hand-computed cases', () => {
  it('100,000 hosts at a 10 s distributed interval → 10,000 reads/s', () => {
    expect(modelRequestRates(input({ hosts: 100_000, distributedIntervalS: 10 })).read).toBe(10_000);
  });

  it('100,000 hosts × 100 policies at 1 h → 2,777.8 membership rows/s', () => {
    const rows = modelMembershipRowsPerS(input({ hosts: 100_000, policies: 100, policyIntervalS: 3600 }));
    expect(rows).toBeCloseTo(2777.78, 1);
  });

  it('150,000 hosts: one write per host per hour, one config per minute', () => {
    const rates = modelRequestRates(input({ hosts: 150_000, policyIntervalS: 3600, detailIntervalS: 3600, configRefreshS: 60 }));
    expect(rates.write).toBeCloseTo(41.667, 2);
    expect(rates.config).toBe(2500);
    expect(rates.log).toBe(0);
  });

  it('a shorter detail interval drives the write rate', () => {
    expect(modelRequestRates(input({ hosts: 3600, policyIntervalS: 3600, detailIntervalS: 1800 })).write).toBe(2);
  });

  it('logs only on the fraction of logger ticks that send', () => {
    expect(modelRequestRates(input({ hosts: 1000, loggerTlsPeriodS: 10, logSendFraction: 0.5 })).log).toBe(50);
  });
});

describe('figures one at a time', () => {
  const context = (overrides: Partial<PlanInput>): PlanContext => ({ input: input(overrides), sweep: undefined, sweepFile: 'sweep.json', calibration: undefined, warnings: [] });

  it('sizes instances from the CPU figure alone', () => {
    const cores = { value: 1.3, unit: 'cores', source: 'test' };
    const instances = serverInstancesFigure(context({ targetCpu: 0.6 }), { serverCpuCores: cores });
    expect(instances.value).toBe(3);
    expect(instances.source).toBe('model: ceil(1.30 cores / (min(1, 1) CPU × 60% target))');
  });

  it('names the figure it needs when the table computes it too early', () => {
    expect(() => serverInstancesFigure(context({}), {})).toThrow(/serverCpuCores is needed/);
  });

  it('are computed in an order where each figure comes after the ones it needs', () => {
    const done: Record<string, unknown> = {};
    const ctx = context({ hosts: 50_000 });
    for (const row of PLAN_FIGURES) done[row.key] = row.figure(ctx, done);
    expect(Object.keys(done)).toEqual(['requestRates', 'membershipRowsPerS', 'membershipRows', 'aggregation', 'serverCpuCores', 'serverInstances', 'serverRssMbPerInstance', 'database']);
  });
});
