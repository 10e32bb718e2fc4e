/**
 * The capacity model: from a fleet's size and intervals (and, when given, a measured sweep) to request
 * rates, membership writes, table size, aggregation cost, server instances and database write load.
 *
 * Pure: no I/O, no clock. Every figure carries its source as text a user can check:
 *   'model: hosts / distributed_interval'                      — interval arithmetic
 *   'measured: sweep.json steps 2–5 (fit …)'                   — calibrated from a sweep (see capacity-sweep.ts)
 *   'default: … (unmeasured)'                                  — a built-in constant, to be replaced by --from
 * and, beside it, what Fleet published for that size (shared/reference/fleet-loadtest.md §0, §2.2) as a
 * sanity column — never as an input.
 */
import { STATS_STRATEGIES, type StatsStrategyName } from '../contract/vocabulary.js';

export const SWEEP_SCHEMA = 'osqsim.capacity-sweep/v1' as const;

export type PlanEndpoint = 'read' | 'write' | 'config' | 'log';
export const PLAN_ENDPOINTS: readonly PlanEndpoint[] = ['read', 'write', 'config', 'log'];

export interface PlanInput {
  hosts: number;
  /** Policies in scope of each host (global + its team's). */
  policies: number;
  teams: number;
  distributedIntervalS: number;
  policyIntervalS: number;
  /** osquery's detail refresh; Fleet default 1 h, due in the same read as policies when equal. */
  detailIntervalS: number;
  configRefreshS: number;
  loggerTlsPeriodS: number;
  /** Fraction of logger ticks that send a request (osquery sends only when lines are buffered). */
  logSendFraction: number;
  /** Server last-seen batch flush period (DESIGN §3 hot path). */
  seenFlushIntervalS: number;
  /** Cron stats interval (Fleet: 1 h). */
  statsIntervalS: number;
  /** vCPUs of one server instance and the utilisation to plan for. */
  instanceCpus: number;
  targetCpu: number;
}

export const DEFAULT_PLAN_INPUT: Readonly<PlanInput> = Object.freeze({
  hosts: 10_000,
  policies: 80,
  teams: 10,
  distributedIntervalS: 10,
  policyIntervalS: 3600,
  detailIntervalS: 3600,
  configRefreshS: 60,
  loggerTlsPeriodS: 10,
  logSendFraction: 0,
  seenFlushIntervalS: 5,
  statsIntervalS: 3600,
  instanceCpus: 1,
  targetCpu: 0.6,
});

/**
 * Built-in per-unit costs used when no sweep is given. They are placeholders of the right order of
 * magnitude for a Node.js server on one core, and the plan says so: run `osqsim capacity sweep`.
 */
export const UNMEASURED_COSTS = Object.freeze({
  /** Server CPU-milliseconds per request. */
  cpuMsPerRequest: Object.freeze({ read: 0.12, write: 1.5, config: 0.25, log: 0.2 } as Record<PlanEndpoint, number>),
  /** Extra CPU-ms per policy result in a write. */
  cpuMsPerResultRow: 0.01,
  /** policy_membership rows scanned per second by a counting GROUP BY held in the buffer pool. */
  scanRowsPerS: 1_000_000,
  /** Server resident memory: base + per host (host cache, last-seen batch). */
  rssBaseMb: 90,
  rssPerHostKb: 0.5,
});

export interface Figure {
  value: number;
  unit: string;
  /** Where the value came from: 'model: …', 'measured: …' or 'default: … (unmeasured)'. */
  source: string;
  /** What Fleet published for this size, when it published something comparable. */
  fleet?: string;
}

export interface CapacityPlan {
  input: PlanInput;
  measured: boolean;
  /** From which file the measured figures came. */
  sweepFile?: string;
  assumptions: string[];
  requestRates: Record<PlanEndpoint | 'total', Figure>;
  membershipRowsPerS: Figure;
  membershipRows: Figure;
  aggregation: Record<StatsStrategyName, Figure>;
  serverCpuCores: Figure;
  serverInstances: Figure;
  serverRssMbPerInstance: Figure;
  database: {
    membershipUpsertRowsPerS: Figure;
    hostUpdateRowsPerS: Figure;
    seenTimeRowsPerS: Figure;
    statementsPerS: Figure;
    rowsWrittenPerS: Figure;
  };
  /** Fleet's reference architecture tier for this many hosts (sanity, not an input). */
  fleetReference: FleetReference;
  warnings: string[];
}

// ---------------------------------------------------------------------------------------------
// Sweep documents (written by capacity-sweep.ts, read here)

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface SweepEndpointStep {
  count: number;
  rate_per_s: number;
  errors: number;
  /** Server CPU-ms per request of this endpoint (apportioned, see sweep). */
  cpu_ms_per_req: number | null;
  latency_ms: LatencySummary;
  service_ms?: LatencySummary;
}

export interface SweepAggregation {
  strategy: string;
  duration_ms: number;
  rows: number;
}

export interface SweepStep {
  index: number;
  hosts: number;
  warmup_s: number;
  measured_s: number;
  endpoints: Partial<Record<PlanEndpoint | 'enroll', SweepEndpointStep>>;
  /** All requests of the window. */
  requests_per_s: number;
  server: {
    cpu_ms: number;
    cpu_pct: number;
    cpu_ms_per_req: number | null;
    rss_mb: number;
    /** Store work per request when the server exposes it (queries, rows written). */
    store_queries_per_req: number | null;
    rows_written_per_req: number | null;
  } | null;
  membership_rows_per_s: number;
  membership_rows: number;
  aggregations: SweepAggregation[];
  generator: { saturated: boolean; warnings: string[]; cpu_pct: number | null };
  errors_rate: number;
}

/** Marginal server CPU per request of each endpoint, measured one endpoint at a time (capacity-probe.ts). */
export interface CpuProbe {
  hosts: number;
  seconds: number;
  rate_per_s: number;
  idle_cpu_ms_per_s: number;
  endpoints: Partial<Record<PlanEndpoint, { requests: number; rate_per_s: number; cpu_ms_per_req: number }>>;
}

export interface SweepDocument {
  schema: typeof SWEEP_SCHEMA;
  scenario: string;
  started_at: string;
  machine: { cpus: number; cpu_model: string; memory_gb: number; node: string; platform: string };
  store: string;
  params: {
    from: number;
    to: number;
    steps: number;
    until: string[];
    warmup_s: number;
    measure_s: number;
    /** Policies in scope per host: membership rows ÷ hosts at the largest step (the scenario's count before any step ran). */
    policies: number;
    distributed_interval_s: number;
    policy_interval_s: number;
    config_refresh_s: number;
    logger_tls_period_s: number;
    stats_strategy?: string;
    stats_interval_s?: number;
  };
  steps: SweepStep[];
  /** After the last step: CPU per request per endpoint (absent with --no-cpu-probe or without /proc). */
  cpu_probe?: CpuProbe;
  stopped: { reason: 'completed' | 'threshold' | 'saturated' | 'error'; step: number | null; detail: string };
}

// ---------------------------------------------------------------------------------------------
// Fleet's published sizing (reference fleet-loadtest.md §0, §2.2) — sanity column only.

export interface FleetReference {
  tier: string;
  servers: string;
  database: string;
  source: string;
}

const FLEET_TIERS: ReadonlyArray<{ maxHosts: number; servers: string; database: string }> = [
  { maxHosts: 1_000, servers: '1 task × 512 CPU units / 4 GB', database: 'Aurora db.t4g.medium ×2' },
  { maxHosts: 25_000, servers: '10 tasks × 1024 CPU units (1 vCPU) / 4 GB', database: 'Aurora db.r6g.large ×2' },
  { maxHosts: 150_000, servers: '20 tasks × 1024 CPU units (1 vCPU) / 4 GB', database: 'Aurora db.r6g.4xlarge ×2' },
  { maxHosts: 300_000, servers: '20 tasks × 1024 CPU units (1 vCPU) / 4 GB', database: 'Aurora db.r6g.16xlarge ×2' },
];

export function fleetReferenceFor(hosts: number): FleetReference {
  const tier = FLEET_TIERS.find((candidate) => hosts <= candidate.maxHosts);
  if (tier === undefined) {
    return {
      tier: '> 300,000 hosts',
      servers: 'beyond the published tiers',
      database: 'beyond the published tiers',
      source: 'Fleet published: docs/Deploy/Reference-Architectures.md (tiers end at 300,000 hosts)',
    };
  }
  return {
    tier: `≤ ${tier.maxHosts.toLocaleString('en-US')} hosts`,
    servers: tier.servers,
    database: tier.database,
    source: 'Fleet published: docs/Deploy/Reference-Architectures.md (AWS), fleet-loadtest.md §2.2',
  };
}

/** Fleet's measured request rate per host with osquery only (492loadtest-orbit0: 577.2 M requests / 12 h at 100k). */
export const FLEET_REQ_PER_S_PER_HOST = 577_202_858 / (12 * 3600) / 100_000;

function fleetRateNote(hosts: number): string {
  const total = FLEET_REQ_PER_S_PER_HOST * hosts;
  return `Fleet published: ${fmt(FLEET_REQ_PER_S_PER_HOST, 3)} req/s/host all endpoints, osquery only, at 100k (492loadtest-orbit0) → ${fmt(total, 0)} req/s here`;
}

// ---------------------------------------------------------------------------------------------
// Fits over sweep steps

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

function rSquared(points: ReadonlyArray<{ x: number; y: number }>, intercept: number, slope: number): number | null {
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

export function stepRange(steps: readonly number[]): string {
  if (steps.length === 0) return 'none';
  if (steps.length === 1) return `step ${steps[0]}`;
  const sorted = [...steps].sort((a, b) => a - b);
  const contiguous = sorted.every((value, i) => i === 0 || value === sorted[i - 1]! + 1);
  return contiguous ? `steps ${sorted[0]}–${sorted[sorted.length - 1]}` : `steps ${sorted.join(', ')}`;
}

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
function sweepIntervalOf(endpoint: PlanEndpoint, params: SweepDocument['params']): number {
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

// ---------------------------------------------------------------------------------------------
// The plan

/** Model-only request rates (req/s), the formulas the table prints. */
export function modelRequestRates(input: PlanInput): Record<PlanEndpoint, number> {
  const due = Math.min(input.policyIntervalS, input.detailIntervalS);
  return {
    read: input.hosts / input.distributedIntervalS,
    write: input.hosts / due,
    config: input.hosts / input.configRefreshS,
    log: (input.hosts * input.logSendFraction) / input.loggerTlsPeriodS,
  };
}

export function modelMembershipRowsPerS(input: PlanInput): number {
  return (input.hosts * input.policies) / input.policyIntervalS;
}

export function validatePlanInput(input: PlanInput): string[] {
  const problems: string[] = [];
  const positive: Array<keyof PlanInput> = [
    'hosts',
    'distributedIntervalS',
    'policyIntervalS',
    'detailIntervalS',
    'configRefreshS',
    'loggerTlsPeriodS',
    'seenFlushIntervalS',
    'statsIntervalS',
    'instanceCpus',
  ];
  for (const key of positive) {
    const value = input[key];
    if (!Number.isFinite(value) || value <= 0) problems.push(`${key} must be > 0 (got ${value})`);
  }
  for (const key of ['policies', 'teams'] as const) {
    if (!Number.isInteger(input[key]) || input[key] < 0) problems.push(`${key} must be a whole number ≥ 0 (got ${input[key]})`);
  }
  if (!(input.targetCpu > 0 && input.targetCpu <= 1)) problems.push(`targetCpu must be in (0, 1] (got ${input.targetCpu})`);
  if (!(input.logSendFraction >= 0 && input.logSendFraction <= 1)) {
    problems.push(`logSendFraction must be in [0, 1] (got ${input.logSendFraction})`);
  }
  return problems;
}

const INTERVAL_NAME: Record<PlanEndpoint, string> = {
  read: 'distributed_interval',
  write: 'policy_update_interval',
  config: 'config_refresh',
  log: 'logger_tls_period',
};

function intervalOf(endpoint: PlanEndpoint, input: PlanInput): number {
  switch (endpoint) {
    case 'read':
      return input.distributedIntervalS;
    case 'write':
      return Math.min(input.policyIntervalS, input.detailIntervalS);
    case 'config':
      return input.configRefreshS;
    case 'log':
      return input.loggerTlsPeriodS;
  }
}

export function planCapacity(input: PlanInput, sweep?: SweepDocument, sweepFile = 'sweep.json'): CapacityPlan {
  const problems = validatePlanInput(input);
  if (problems.length > 0) throw new RangeError(problems.join('; '));
  const calibration = sweep ? calibrate(sweep) : undefined;
  const warnings: string[] = [];
  const assumptions: string[] = [
    `every host is online and checks in (${input.hosts.toLocaleString('en-US')} hosts)`,
    `${input.policies} policies in scope of each host (global + its team's), ${input.teams} teams`,
    `rates are long-run averages: no herd after an outage or a mass policy roll-out (those are scenarios: reconnect-wave, policy-rollout)`,
    'jitter (Fleet default: up to 10% of the policy interval) is ignored: it spreads writes and lowers their long-run rate by at most ~5%',
    `details (every ${input.detailIntervalS} s) and policies (every ${input.policyIntervalS} s) come due in the same read when the intervals are equal: one write per host per interval`,
    `log requests: ${input.logSendFraction === 0 ? 'none (empty schedule; osquery sends only buffered lines)' : `${input.logSendFraction} of logger ticks send`}`,
    `one Node.js server instance handles requests on one core: usable capacity per instance = min(instance CPUs, 1) × target CPU`,
  ];
  if (input.instanceCpus > 1) {
    warnings.push(`--instance-cpus ${input.instanceCpus}: a single osqsim (Node.js) process uses about one core; run one instance per core instead`);
  }
  if (sweep) {
    const unusable = sweep.steps.length - usableSteps(sweep).length;
    if (sweep.params.policies !== input.policies) {
      assumptions.push(
        `write cost measured with ${sweep.params.policies} results per write (the sweep's policies per host) and not scaled to ${input.policies}: more results per write cost more CPU and rows`,
      );
    }
    if (unusable > 0) assumptions.push(`${unusable} sweep step(s) left out of the fits (generator saturated or > 1% errors)`);
    if (sweep.steps.length > 0) {
      const largest = Math.max(...sweep.steps.map((step) => step.hosts));
      if (input.hosts > largest * 4) {
        warnings.push(`projecting ${fmt(input.hosts / largest, 1)}× beyond the largest measured step (${largest.toLocaleString('en-US')} hosts): treat the figures as extrapolation`);
      }
    }
  }

  // Request rates -------------------------------------------------------------------------------
  const model = modelRequestRates(input);
  const requestRates = {} as Record<PlanEndpoint | 'total', Figure>;
  let totalRate = 0;
  for (const endpoint of PLAN_ENDPOINTS) {
    const interval = intervalOf(endpoint, input);
    const formula =
      endpoint === 'log'
        ? `model: hosts × ${input.logSendFraction} / ${INTERVAL_NAME.log} (${input.loggerTlsPeriodS} s)`
        : `model: hosts / ${INTERVAL_NAME[endpoint]} (${interval} s)`;
    const measured = calibration?.perHostPerInterval[endpoint];
    let value = model[endpoint];
    let source = formula;
    if (measured && measured.value > 0) {
      value = (input.hosts / interval) * measured.value;
      source = `measured: ${sweepFile} ${stepRange(measured.fit.steps)} (${fmt(measured.value, 3)} requests per host per interval) × hosts / ${INTERVAL_NAME[endpoint]}`;
    }
    requestRates[endpoint] = { value, unit: 'req/s', source };
    totalRate += value;
  }
  requestRates.read.fleet = `Fleet published: 99.7% of distributed/read answers are empty (ADR 0011)`;
  requestRates.total = { value: totalRate, unit: 'req/s', source: 'sum of the endpoints above', fleet: fleetRateNote(input.hosts) };

  // Membership -----------------------------------------------------------------------------------
  const membershipModel = modelMembershipRowsPerS(input);
  const membershipCal = calibration?.membershipPerHostPolicy;
  const membershipRowsPerS: Figure =
    membershipCal && membershipCal.value > 0
      ? {
          value: membershipModel * membershipCal.value,
          unit: 'rows/s',
          source: `measured: ${sweepFile} ${stepRange(membershipCal.fit.steps)} (${fmt(membershipCal.value, 3)} × model) × hosts × policies / policy_update_interval`,
        }
      : {
          value: membershipModel,
          unit: 'rows/s',
          source: `model: hosts × policies / policy_update_interval (${input.policyIntervalS} s)`,
        };
  const rows = input.hosts * input.policies;
  const membershipRows: Figure = {
    value: rows,
    unit: 'rows',
    source: 'model: hosts × policies in scope (one row per host and policy)',
    fleet: 'Fleet published: 600k rows (100k hosts × 6 policies) made its hourly count run 55–210 s (GH#49866)',
  };

  // Aggregation -----------------------------------------------------------------------------------
  const scannedPerRun = (strategy: StatsStrategyName): number => {
    // cron counts global policies per team (inherited) and overall: two passes when there are teams.
    if (strategy === 'cron') return input.teams > 0 ? 2 * rows : rows;
    return rows;
  };
  const aggregation = {} as Record<StatsStrategyName, Figure>;
  for (const strategy of STATS_STRATEGIES) {
    const fit = calibration?.aggregation[strategy];
    const what =
      strategy === 'cron'
        ? `per run, every ${input.statsIntervalS} s`
        : strategy === 'realtime'
          ? 'per API read of all counts'
          : 'per reconcile (deltas in between cost O(changes))';
    if (fit) {
      aggregation[strategy] = {
        value: fit.intercept + fit.slope * rows,
        unit: 'ms',
        source: `measured: ${sweepFile} ${stepRange(fit.steps)} (fit ${fmt(fit.intercept, 1)} ms + ${fmt(fit.slope * 1e6, 1)} ms per 1M rows) at ${fmtInt(rows)} rows, ${what}`,
      };
    } else {
      aggregation[strategy] = {
        value: (scannedPerRun(strategy) / UNMEASURED_COSTS.scanRowsPerS) * 1000,
        unit: 'ms',
        source: `default: ${fmtInt(scannedPerRun(strategy))} rows scanned at ${fmtInt(UNMEASURED_COSTS.scanRowsPerS)} rows/s (unmeasured), ${what}`,
      };
    }
  }
  aggregation.cron.fleet = 'Fleet published: 55–210 s per hourly run at 600k rows with INSERT…SELECT locks (GH#49866); <2 s per policy SELECT at 10 teams × 10k hosts (PR GH#18720)';

  // Server CPU and instances ------------------------------------------------------------------------
  let cpuMsPerS = 0;
  const cpuSources: string[] = [];
  const probe = sweep?.cpu_probe;
  const probeCosts = calibration ? Object.fromEntries(Object.entries(calibration.cpuMsPerRequest).filter(([, c]) => c.probe)) : {};
  const stepCosts = calibration ? Object.values(calibration.cpuMsPerRequest).some((c) => !c.probe) : false;
  if (calibration?.cpuFit && sweep && !stepCosts) {
    // The whole-server fit (a + b·requests/s) carries the load regime of the sweep; it holds for the sweep's
    // request mix. The CPU probe's per-endpoint costs (measured one endpoint at a time) re-weight b for this
    // plan's mix: b × Σ plan share × cost ÷ Σ sweep share × cost.
    const sweepMix = requestMix(sweep);
    const planMix = mixOf(Object.fromEntries(PLAN_ENDPOINTS.map((e) => [e, requestRates[e].value])) as Record<PlanEndpoint, number>);
    const fitText = `measured: ${sweepFile} ${stepRange(calibration.cpuFit.steps)} (fit ${fmt(calibration.cpuFit.intercept, 1)} CPU-ms/s + ${fmt(calibration.cpuFit.slope, 3)} CPU-ms per request, on the sweep's mix ${formatMix(sweepMix)})`;
    let adjustment = 1;
    if (Object.keys(probeCosts).length > 0) {
      const probed = probeCosts as Partial<Record<PlanEndpoint, { value: number }>>;
      const sweepAverage = PLAN_ENDPOINTS.reduce((sum, e) => sum + sweepMix[e] * (probed[e]?.value ?? 0), 0) / PLAN_ENDPOINTS.reduce((sum, e) => sum + (probed[e] ? sweepMix[e] : 0), 0);
      const cost = (e: PlanEndpoint): number => probed[e]?.value ?? sweepAverage;
      const planAverage = PLAN_ENDPOINTS.reduce((sum, e) => sum + planMix[e] * cost(e), 0);
      if (sweepAverage > 0 && Number.isFinite(sweepAverage)) adjustment = planAverage / sweepAverage;
      cpuSources.push(
        `${fitText} × ${fmt(adjustment, 3)} for this plan's mix ${formatMix(planMix)}, from the CPU probe's relative costs (` +
          PLAN_ENDPOINTS.filter((e) => probed[e]).map((e) => `${e} ${fmt(probed[e]!.value, 3)}`).join(', ') +
          ` CPU-ms/req at ${probe?.rate_per_s} req/s)`,
      );
    } else {
      cpuSources.push(fitText);
      if (Math.abs(sweepMix.write - planMix.write) > 0.05) {
        warnings.push(
          `server CPU: the sweep's requests were ${formatMix(sweepMix)} but this plan's are ${formatMix(planMix)}, and the sweep has no CPU probe; a write costs more than a read, so re-run the sweep with its CPU probe (the default)`,
        );
      }
    }
    cpuMsPerS = calibration.cpuFit.intercept + calibration.cpuFit.slope * adjustment * totalRate;
  } else {
    if (calibration && calibration.idleCpuMsPerS !== null) {
      cpuMsPerS += calibration.idleCpuMsPerS;
      cpuSources.push(`idle ${fmt(calibration.idleCpuMsPerS, 1)} CPU-ms/s measured: ${sweepFile} CPU probe`);
    }
    for (const endpoint of PLAN_ENDPOINTS) {
      const measured = calibration?.cpuMsPerRequest[endpoint];
      let perRequest = UNMEASURED_COSTS.cpuMsPerRequest[endpoint];
      if (endpoint === 'write' && !measured) perRequest += UNMEASURED_COSTS.cpuMsPerResultRow * input.policies;
      if (measured) perRequest = measured.value;
      cpuMsPerS += requestRates[endpoint].value * perRequest;
      if (requestRates[endpoint].value > 0) {
        cpuSources.push(
          measured
            ? `${endpoint} ${fmt(perRequest, 3)} CPU-ms/req measured: ${sweepFile} ${measured.probe ? `CPU probe (${probe?.rate_per_s} req/s of ${endpoint} alone, above idle)` : stepRange(measured.steps)}`
            : `${endpoint} ${fmt(perRequest, 3)} CPU-ms/req default (unmeasured)`,
        );
      }
    }
  }
  const cores = cpuMsPerS / 1000;
  const perInstance = Math.min(input.instanceCpus, 1) * input.targetCpu;
  const instances = Math.max(1, Math.ceil(cores / perInstance - 1e-9));
  const reference = fleetReferenceFor(input.hosts);
  const serverCpuCores: Figure = { value: cores, unit: 'cores', source: calibration?.cpuFit && sweep && !stepCosts ? cpuSources.join('; ') : `Σ rate × CPU-ms per request: ${cpuSources.join('; ')}` };
  const serverInstances: Figure = {
    value: instances,
    unit: 'instances',
    source: `model: ceil(${fmt(cores, 2)} cores / (min(${input.instanceCpus}, 1) CPU × ${fmt(input.targetCpu * 100, 0)}% target))`,
    fleet: `${reference.source}: ${reference.servers} for ${reference.tier}`,
  };
  const rss = calibration?.rssFit
    ? {
        value: calibration.rssFit.intercept + (calibration.rssFit.slope * input.hosts) / instances,
        source: `measured: ${sweepFile} ${stepRange(calibration.rssFit.steps)} (fit ${fmt(calibration.rssFit.intercept, 0)} MB + ${fmt(calibration.rssFit.slope * 1024, 2)} KB per host), hosts split over ${instances} instances`,
      }
    : {
        value: UNMEASURED_COSTS.rssBaseMb + (UNMEASURED_COSTS.rssPerHostKb * input.hosts) / 1024 / instances,
        source: `default: ${UNMEASURED_COSTS.rssBaseMb} MB + ${UNMEASURED_COSTS.rssPerHostKb} KB per host (unmeasured), hosts split over ${instances} instances`,
      };
  const serverRssMbPerInstance: Figure = { value: rss.value, unit: 'MB', source: rss.source, fleet: 'Fleet published: 4 GB tasks, 4.8% memory used at 100k over 25 tasks (493loadtest)' };

  // Database write load ------------------------------------------------------------------------------
  const writes = requestRates.write.value;
  const seenRows = input.hosts / Math.max(input.distributedIntervalS, input.seenFlushIntervalS);
  const upsertStatements = membershipRowsPerS.value / 1000;
  // Group commit: one transaction per batch; at most one per ingest delay (5 ms) per instance.
  const seenStatements = Math.max(seenRows / 1000, instances / input.seenFlushIntervalS);
  const statementsPerS = upsertStatements + Math.min(writes, 200 * instances) + seenStatements;
  const database = {
    membershipUpsertRowsPerS: { ...membershipRowsPerS, source: `= membership rows/s (${membershipRowsPerS.source})` },
    hostUpdateRowsPerS: { value: writes, unit: 'rows/s', source: 'model: one hosts.policy_updated_at update per write request' },
    seenTimeRowsPerS: {
      value: seenRows,
      unit: 'rows/s',
      source: `model: hosts / max(distributed_interval, seen flush ${input.seenFlushIntervalS} s): each host once per flush it was seen in`,
      fleet: 'Fleet published: INSERT INTO host_seen_times batches are the 2nd heaviest writer SQL at 100k (493loadtest)',
    },
    statementsPerS: {
      value: statementsPerS,
      unit: 'statements/s',
      source: 'model: 1,000-row multi-row upserts + one group-commit transaction per batch (≤ 200/s per instance at 5 ms) + last-seen batches',
    },
    rowsWrittenPerS: {
      value: membershipRowsPerS.value + writes + seenRows,
      unit: 'rows/s',
      source: 'sum of membership upserts, host updates and last-seen rows',
      fleet: `Fleet published: writer 2,507 write IOPS avg (max 3,560), CPU 22% at 100k hosts (493loadtest); ${reference.database} for ${reference.tier}`,
    },
  };

  return {
    input,
    measured: sweep !== undefined,
    ...(sweep ? { sweepFile } : {}),
    assumptions,
    requestRates,
    membershipRowsPerS,
    membershipRows,
    aggregation,
    serverCpuCores,
    serverInstances,
    serverRssMbPerInstance,
    database,
    fleetReference: reference,
    warnings,
  };
}

type Mix = Record<PlanEndpoint, number>;

function mixOf(rates: Record<PlanEndpoint, number>): Mix {
  const total = PLAN_ENDPOINTS.reduce((sum, e) => sum + rates[e], 0) || 1;
  return Object.fromEntries(PLAN_ENDPOINTS.map((e) => [e, rates[e] / total])) as Mix;
}

/** Share of each endpoint in the requests of a sweep's usable steps. */
export function requestMix(sweep: SweepDocument): Mix {
  const totals = Object.fromEntries(PLAN_ENDPOINTS.map((e) => [e, 0])) as Mix;
  for (const step of usableSteps(sweep)) for (const e of PLAN_ENDPOINTS) totals[e] += step.endpoints[e]?.rate_per_s ?? 0;
  return mixOf(totals);
}

function formatMix(mix: Mix): string {
  return PLAN_ENDPOINTS.filter((e) => mix[e] >= 0.0005)
    .map((e) => `${fmt(mix[e] * 100, mix[e] < 0.01 ? 1 : 0)}% ${e}`)
    .join(', ');
}

// ---------------------------------------------------------------------------------------------
// Formatting

export function fmt(value: number, digits: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtInt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function fmtFigure(figure: Figure): string {
  const digits = figure.value >= 100 || figure.unit === 'instances' || figure.unit === 'rows' ? 0 : figure.value >= 10 ? 1 : 2;
  return `${fmt(figure.value, digits)} ${figure.unit}`;
}

/** The plan as rows: figure, value, source, Fleet published. */
export function planRows(plan: CapacityPlan): Array<[string, Figure]> {
  return [
    ['distributed/read', plan.requestRates.read],
    ['distributed/write', plan.requestRates.write],
    ['config', plan.requestRates.config],
    ['log', plan.requestRates.log],
    ['all osquery requests', plan.requestRates.total],
    ['membership writes', plan.membershipRowsPerS],
    ['policy_membership rows', plan.membershipRows],
    ['aggregation: cron', plan.aggregation.cron],
    ['aggregation: realtime', plan.aggregation.realtime],
    ['aggregation: incremental', plan.aggregation.incremental],
    ['server CPU', plan.serverCpuCores],
    ['server instances', plan.serverInstances],
    ['server RSS per instance', plan.serverRssMbPerInstance],
    ['DB: membership upserts', plan.database.membershipUpsertRowsPerS],
    ['DB: host updates', plan.database.hostUpdateRowsPerS],
    ['DB: last-seen rows', plan.database.seenTimeRowsPerS],
    ['DB: statements', plan.database.statementsPerS],
    ['DB: rows written', plan.database.rowsWrittenPerS],
  ];
}

export function formatPlan(plan: CapacityPlan): string {
  const input = plan.input;
  const lines: string[] = [];
  lines.push(
    `Capacity plan for ${fmtInt(input.hosts)} hosts, ${input.policies} policies each, ${input.teams} teams; ` +
      `distributed_interval ${input.distributedIntervalS} s, policy interval ${input.policyIntervalS} s; ` +
      `instances of ${input.instanceCpus} CPU at ${fmt(input.targetCpu * 100, 0)}% target`,
  );
  lines.push(
    plan.measured
      ? `Calibrated from ${plan.sweepFile}.`
      : 'UNMEASURED: no --from sweep.json was given; CPU, memory and aggregation figures use built-in defaults. Run `osqsim capacity sweep` and pass --from.',
  );
  lines.push('');
  const rows = planRows(plan).map(([name, figure]) => [name, fmtFigure(figure), figure.source, figure.fleet ?? '']);
  const header = ['figure', 'value', 'source', 'Fleet published (sanity)'];
  const widths = [0, 1].map((col) => Math.max(header[col]!.length, ...rows.map((row) => row[col]!.length)));
  const pad = (text: string, width: number): string => text + ' '.repeat(Math.max(0, width - text.length));
  lines.push(`${pad(header[0]!, widths[0]!)}  ${pad(header[1]!, widths[1]!)}  ${header[2]}`);
  lines.push(`${'-'.repeat(widths[0]!)}  ${'-'.repeat(widths[1]!)}  ${'-'.repeat(40)}`);
  for (const row of rows) {
    lines.push(`${pad(row[0]!, widths[0]!)}  ${pad(row[1]!, widths[1]!)}  ${row[2]}`);
    if (row[3]) lines.push(`${' '.repeat(widths[0]! + widths[1]! + 4)}↳ ${row[3]}`);
  }
  lines.push('');
  lines.push(`Fleet's reference architecture for ${plan.fleetReference.tier}: ${plan.fleetReference.servers}; ${plan.fleetReference.database} (${plan.fleetReference.source})`);
  lines.push('');
  lines.push('Assumptions:');
  for (const assumption of plan.assumptions) lines.push(`  - ${assumption}`);
  for (const warning of plan.warnings) lines.push(`WARNING: ${warning}`);
  return lines.join('\n');
}

/** The plan as JSON-ready data (figures keep value, unit, source, fleet). */
export function planToJson(plan: CapacityPlan): Record<string, unknown> {
  return {
    schema: 'osqsim.capacity-plan/v1',
    ...plan,
  };
}
