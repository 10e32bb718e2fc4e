import { describe, expect, it } from 'vitest';
import { calibrate } from '../../capacity/calibrate.js';
import { sweepOf, sweepStep as step } from './fixtures.js';

describe('calibration from a sweep', () => {
  const sweep = sweepOf([step(1, 1000), step(2, 2000), step(3, 4000), step(4, 8000, { generator: { saturated: true, warnings: ['cpu'], cpu_pct: 99 } })]);

  it('fits lines over the usable steps only', () => {
    const calibration = calibrate(sweep);
    expect(calibration.perHostPerInterval.read!.value).toBeCloseTo(0.98, 6);
    expect(calibration.perHostPerInterval.read!.fit.steps).toEqual([1, 2, 3]);
    expect(calibration.aggregation.cron!.intercept).toBeCloseTo(20, 6);
    expect(calibration.aggregation.cron!.slope).toBeCloseTo(1 / 1000, 9);
    expect(calibration.rssFit!.slope).toBeCloseTo(1 / 1024, 9);
    expect(calibration.membershipPerHostPolicy!.value).toBeCloseTo(1, 9);
  });
});
