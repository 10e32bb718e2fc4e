/**
 * Statistics over sweep steps: least-squares lines and medians. Pure.
 */

export interface LinearFit {
  intercept: number;
  slope: number;
  /** Steps the fit used (1-based, as printed). */
  steps: number[];
  r2: number | null;
}

/** Least squares y = a + b·x; with one point, a line through the origin. */
export function fitLinear(points: ReadonlyArray<{ x: number; y: number; step: number }>, throughOrigin = false): LinearFit | null {
  const usable = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (usable.length === 0) return null;
  const steps = usable.map((p) => p.step);
  if (throughOrigin || usable.length === 1) {
    const sxy = usable.reduce((sum, p) => sum + p.x * p.y, 0);
    const sxx = usable.reduce((sum, p) => sum + p.x * p.x, 0);
    if (sxx === 0) return null;
    return { intercept: 0, slope: sxy / sxx, steps, r2: rSquared(usable, 0, sxy / sxx) };
  }
  const n = usable.length;
  const mx = usable.reduce((sum, p) => sum + p.x, 0) / n;
  const my = usable.reduce((sum, p) => sum + p.y, 0) / n;
  const sxx = usable.reduce((sum, p) => sum + (p.x - mx) ** 2, 0);
  if (sxx === 0) return { intercept: 0, slope: my / (mx || 1), steps, r2: null };
  const slope = usable.reduce((sum, p) => sum + (p.x - mx) * (p.y - my), 0) / sxx;
  // Every fitted figure is a cost that cannot fall as load grows: a negative slope is noise around a flat line.
  if (slope < 0) return { intercept: my, slope: 0, steps, r2: rSquared(usable, my, 0) };
  const intercept = my - slope * mx;
  // A negative intercept is noise around a line through the origin, and would project negative work.
  if (intercept < 0) return fitLinear(usable, true);
  return { intercept, slope, steps, r2: rSquared(usable, intercept, slope) };
}

export function rSquared(points: ReadonlyArray<{ x: number; y: number }>, intercept: number, slope: number): number | null {
  if (points.length < 3) return null;
  const my = points.reduce((sum, p) => sum + p.y, 0) / points.length;
  const total = points.reduce((sum, p) => sum + (p.y - my) ** 2, 0);
  if (total === 0) return 1;
  const residual = points.reduce((sum, p) => sum + (p.y - (intercept + slope * p.x)) ** 2, 0);
  return 1 - residual / total;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
