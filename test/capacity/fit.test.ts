import { describe, expect, it } from 'vitest';
import { fitLinear } from '../../capacity/fit.js';

describe('fits', () => {
  it('recovers an exact line', () => {
    const fit = fitLinear([1, 2, 3, 4].map((x, i) => ({ x, y: 5 + 2 * x, step: i + 1 })))!;
    expect(fit.intercept).toBeCloseTo(5, 9);
    expect(fit.slope).toBeCloseTo(2, 9);
    expect(fit.r2).toBeCloseTo(1, 9);
  });

  it('falls back to a line through the origin rather than a negative intercept', () => {
    const fit = fitLinear([{ x: 1, y: 0.5, step: 1 }, { x: 2, y: 2, step: 2 }, { x: 3, y: 3.4, step: 3 }])!;
    expect(fit.intercept).toBe(0);
    expect(fit.slope).toBeGreaterThan(0);
  });

  it('reads a falling cost as noise around a flat line', () => {
    const fit = fitLinear([{ x: 100, y: 130, step: 1 }, { x: 200, y: 134, step: 2 }, { x: 400, y: 105, step: 3 }])!;
    expect(fit.slope).toBe(0);
    expect(fit.intercept).toBeCloseTo(123, 6);
  });
});
