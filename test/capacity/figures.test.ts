import { describe, expect, it } from 'vitest';
import { modelMembershipRowsPerS, modelRequestRates } from '../../capacity/figures.js';
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
