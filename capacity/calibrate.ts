/**
 * Calibration: what a measured sweep says about the model's unknowns — requests per host per interval,
 * CPU per request, the whole-server CPU line, aggregation time against rows, memory against hosts and
 * membership rows against the model. Fits use only the usable steps. Pure.
 */
import { STATS_STRATEGIES, type StatsStrategyName } from '../contract/vocabulary.js';
import { fitLinear, median, type LinearFit } from './fit.js';
import { PLAN_ENDPOINTS, type PlanEndpoint, type SweepDocument, type SweepStep } from './sweep-document.js';

/** Steps a fit may use: not saturated, and no worse than 1% errors. */
export function usableSteps(sweep: SweepDocument): SweepStep[] {
  return sweep.steps.filter((step) => !step.generator.saturated && step.errors_rate <= 0.01);
}

export interface SweepCalibration {
  /** Requests per host per interval, per endpoint (≈ 1 for reads; osquery's fixed delay makes it < 1). */
  perHostPerInterval: Partial<Record<PlanEndpoint, { value: number; fit: LinearFit }>>;
  cpuMsPerRequest: Partial<Record<PlanEndpoint, { value: number; steps: number[]; probe?: boolean }>>;
  /** Server CPU when no request arrives (timers, flushes, stats runs), from the CPU probe. */
  idleCpuMsPerS: number | null;
  /** CPU-ms per second = a + b·requests/s over all endpoints (the intercept is idle work: timers, flushes). */
  cpuFit: LinearFit | null;
  aggregation: Partial<Record<StatsStrategyName, LinearFit>>;
  rssFit: LinearFit | null;
  membershipPerHostPolicy: { value: number; fit: LinearFit } | null;
}

/** The interval (s) that drives each endpoint's rate in a sweep's scenario. */
export function sweepIntervalOf(endpoint: PlanEndpoint, params: SweepDocument['params']): number {
  switch (endpoint) {
    case 'read':
      return params.distributed_interval_s;
    case 'write':
      return params.policy_interval_s;
    case 'config':
      return params.config_refresh_s;
    case 'log':
      return params.logger_tls_period_s;
  }
}

export function calibrate(sweep: SweepDocument): SweepCalibration {
  const steps = usableSteps(sweep);
  const perHostPerInterval: SweepCalibration['perHostPerInterval'] = {};
  const cpuMsPerRequest: SweepCalibration['cpuMsPerRequest'] = {};
  for (const endpoint of PLAN_ENDPOINTS) {
    const interval = sweepIntervalOf(endpoint, sweep.params);
    const points = steps
      .filter((step) => step.endpoints[endpoint] !== undefined)
      .map((step) => ({ x: step.hosts / interval, y: step.endpoints[endpoint]!.rate_per_s, step: step.index }));
    const fit = fitLinear(points, true);
    if (fit !== null) perHostPerInterval[endpoint] = { value: fit.slope, fit };
    // CPU per request: request-weighted mean over the steps that measured it.
    let cpu = 0;
    let count = 0;
    const used: number[] = [];
    for (const step of steps) {
      const measured = step.endpoints[endpoint];
      if (measured?.cpu_ms_per_req == null || measured.count === 0) continue;
      cpu += measured.cpu_ms_per_req * measured.count;
      count += measured.count;
      used.push(step.index);
    }
    if (count > 0) cpuMsPerRequest[endpoint] = { value: cpu / count, steps: used };
  }
  if (sweep.cpu_probe) {
    for (const endpoint of PLAN_ENDPOINTS) {
      const probed = sweep.cpu_probe.endpoints[endpoint];
      if (probed && probed.requests > 0) cpuMsPerRequest[endpoint] = { value: probed.cpu_ms_per_req, steps: [], probe: true };
    }
  }
  const cpuFit = fitLinear(
    steps
      .filter((step) => step.server !== null && step.measured_s > 0)
      .map((step) => ({ x: step.requests_per_s, y: step.server!.cpu_ms / step.measured_s, step: step.index })),
  );
  const aggregation: SweepCalibration['aggregation'] = {};
  for (const strategy of STATS_STRATEGIES) {
    // One point per step: the median run (a single slow run — GC, a busy neighbour — must not tilt the line).
    const points = steps.flatMap((step) => {
      const runs = step.aggregations.filter((run) => run.strategy === strategy);
      if (runs.length === 0) return [];
      return [{ x: median(runs.map((run) => run.rows)), y: median(runs.map((run) => run.duration_ms)), step: step.index }];
    });
    const fit = fitLinear(points);
    if (fit !== null) aggregation[strategy] = fit;
  }
  const rssFit = fitLinear(
    steps.filter((step) => step.server !== null).map((step) => ({ x: step.hosts, y: step.server!.rss_mb, step: step.index })),
  );
  const membershipPoints = steps.map((step) => ({
    x: (step.hosts * sweep.params.policies) / sweep.params.policy_interval_s,
    y: step.membership_rows_per_s,
    step: step.index,
  }));
  const membershipFit = sweep.params.policies > 0 ? fitLinear(membershipPoints, true) : null;
  return {
    perHostPerInterval,
    cpuMsPerRequest,
    idleCpuMsPerS: sweep.cpu_probe ? sweep.cpu_probe.idle_cpu_ms_per_s : null,
    cpuFit,
    aggregation,
    rssFit,
    membershipPerHostPolicy: membershipFit === null ? null : { value: membershipFit.slope, fit: membershipFit },
  };
}

/** Share of each endpoint in a set of requests. */
export type Mix = Record<PlanEndpoint, number>;

export function mixOf(rates: Record<PlanEndpoint, number>): Mix {
  const total = PLAN_ENDPOINTS.reduce((sum, e) => sum + rates[e], 0) || 1;
  return Object.fromEntries(PLAN_ENDPOINTS.map((e) => [e, rates[e] / total])) as Mix;
}

/** Share of each endpoint in the requests of a sweep's usable steps. */
export function requestMix(sweep: SweepDocument): Mix {
  const totals = Object.fromEntries(PLAN_ENDPOINTS.map((e) => [e, 0])) as Mix;
  for (const step of usableSteps(sweep)) for (const e of PLAN_ENDPOINTS) totals[e] += step.endpoints[e]?.rate_per_s ?? 0;
  return mixOf(totals);
}
