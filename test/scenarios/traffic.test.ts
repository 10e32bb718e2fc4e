import { describe, expect, it } from 'vitest';
import { policyCycleS, steadyStateRates, type FleetIntervals } from '../../scenarios/traffic.js';

const fleet: FleetIntervals = { distributedIntervalS: 10, policyIntervalS: 3600, detailIntervalS: 3600, configRefreshS: 60, loggerTlsPeriodS: 10, logSendFraction: 0 };

describe('steady-state traffic of N hosts', () => {
  it('reads every distributed interval, fetches config every refresh, writes once per due interval without jitter', () => {
    expect(steadyStateRates(100_000, fleet, null)).toEqual({ read: 10_000, write: 100_000 / 3600, config: 100_000 / 60, log: 0 });
  });

  it('writes when details or policies come due, whichever interval is shorter', () => {
    expect(steadyStateRates(3600, { ...fleet, detailIntervalS: 1800 }, null).write).toBe(2);
  });

  it('sends logs only on the ticks that have lines buffered', () => {
    expect(steadyStateRates(1000, { ...fleet, logSendFraction: 0.25 }, null).log).toBe(25);
  });

  it("with Fleet's jitter, each bucket writes once per interval + its minutes + half a read, so fewer writes than without", () => {
    expect(policyCycleS(3600, 2, 10)).toBe(3600 + 120 + 5);
    const jittered = steadyStateRates(6000, fleet, { buckets: 6 }).write;
    const expected = (6000 / 6) * [0, 1, 2, 3, 4, 5].reduce((sum, bucket) => sum + 1 / (3600 + bucket * 60 + 5), 0);
    expect(jittered).toBeCloseTo(expected, 9);
    expect(jittered).toBeLessThan(steadyStateRates(6000, fleet, null).write);
    // Fleet's default table (up to 10% of the interval) costs at most about 5% of the writes.
    expect(jittered / steadyStateRates(6000, fleet, null).write).toBeGreaterThan(0.95);
  });
});
