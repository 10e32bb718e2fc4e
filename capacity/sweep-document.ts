/**
 * The sweep file (`osqsim capacity sweep` writes it, `osqsim capacity plan --from` reads it): what one
 * sweep measured per step, and the CPU probe after its last step. Types, the schema name, and the
 * shape a file read back must have (SWEEP_SHAPE, lib/shape.ts).
 */

import type { MachineInfo } from '../lib/machine.js';
import { ORBIT_ENDPOINTS, type AgentEndpointName, type OrbitEndpointName } from '../contract/vocabulary.js';
import { arrayOf, bool, nullable, num, object, optional, recordOf, str, type Shape } from '../lib/shape.js';

export const SWEEP_SCHEMA = 'osqsim.capacity-sweep/v1' as const;

/** The osquery endpoints a capacity plan sizes and a sweep calibrates (enrolment is a one-off, not steady-state load). */
export type PlanEndpoint = 'read' | 'write' | 'config' | 'log';
export const PLAN_ENDPOINTS: readonly PlanEndpoint[] = ['read', 'write', 'config', 'log'];

/**
 * fleetd's endpoints a capacity plan sizes for fleetd hosts (`--fleetd`): orbit's and Fleet Desktop's
 * tickers (scenarios/fleetd-traffic.ts); orbit enroll is a one-off like osquery's.
 */
export type FleetdPlanEndpoint = Exclude<OrbitEndpointName, 'orbit_enroll'>;
export const FLEETD_PLAN_ENDPOINTS: readonly FleetdPlanEndpoint[] = ORBIT_ENDPOINTS.filter((e): e is FleetdPlanEndpoint => e !== 'orbit_enroll');

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
  /** Every agent endpoint the step's hosts called (fleetd's too, when the swept scenario has fleetd hosts). */
  endpoints: Partial<Record<AgentEndpointName, SweepEndpointStep>>;
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
  /**
   * What the server's /metrics counted in the window, when it exports osqsim's metrics (a target osqsim
   * did not start included): requests and error answers per second, membership rows per write.
   */
  server_metrics?: { requests_per_s: number; errors_per_s: number; rows_written_per_req: number | null };
  membership_rows_per_s: number;
  membership_rows: number;
  aggregations: SweepAggregation[];
  generator: { saturated: boolean; warnings: string[]; cpu_pct: number | null };
  errors_rate: number;
}

/** Marginal server CPU per request of each endpoint, measured one endpoint at a time (probe.ts). */
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
  machine: MachineInfo;
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
    /** How the hosts reached the server: plain HTTP, or HTTPS with the scenario's self-signed CA (server.tls). */
    tls?: 'none' | 'self-signed';
  };
  steps: SweepStep[];
  /** After the last step: CPU per request per endpoint (absent with --no-cpu-probe or without /proc). */
  cpu_probe?: CpuProbe;
  stopped: { reason: 'completed' | 'threshold' | 'saturated' | 'error'; step: number | null; detail: string };
  /** A sweep of a server osqsim did not start (`--target`): what it could and could not measure there. */
  target?: { url: string; metrics: 'osqsim' | 'other' | 'none'; not_measured: string[] };
}

const latency = object({ p50: num, p90: num, p99: num, p999: num, max: num });
const endpointStep = object({ count: num, rate_per_s: num, errors: num, cpu_ms_per_req: nullable(num), latency_ms: latency, service_ms: optional(latency) });

/** What `capacity plan --from` checks before it reads a sweep file (the schema name is checked first). */
export const SWEEP_SHAPE: Shape = object({
  scenario: str,
  started_at: str,
  machine: object({ cpus: num, cpu_model: str, memory_gb: num, node: str, platform: str }),
  store: str,
  params: object({
    from: num, to: num, steps: num, until: arrayOf(str), warmup_s: num, measure_s: num, policies: num, distributed_interval_s: num,
    policy_interval_s: num, config_refresh_s: num, logger_tls_period_s: num, stats_strategy: optional(str), stats_interval_s: optional(num), tls: optional(str),
  }),
  steps: arrayOf(object({
    index: num, hosts: num, warmup_s: num, measured_s: num,
    endpoints: recordOf(endpointStep),
    requests_per_s: num,
    server: nullable(object({ cpu_ms: num, cpu_pct: num, cpu_ms_per_req: nullable(num), rss_mb: num, store_queries_per_req: nullable(num), rows_written_per_req: nullable(num) })),
    server_metrics: optional(object({ requests_per_s: num, errors_per_s: num, rows_written_per_req: nullable(num) })),
    membership_rows_per_s: num,
    membership_rows: num,
    aggregations: arrayOf(object({ strategy: str, duration_ms: num, rows: num })),
    generator: object({ saturated: bool, warnings: arrayOf(str), cpu_pct: nullable(num) }),
    errors_rate: num,
  })),
  cpu_probe: optional(object({
    hosts: num, seconds: num, rate_per_s: num, idle_cpu_ms_per_s: num,
    endpoints: recordOf(object({ requests: num, rate_per_s: num, cpu_ms_per_req: num })),
  })),
  stopped: object({ reason: str, step: nullable(num), detail: str }),
  target: optional(object({ url: str, metrics: str, not_measured: arrayOf(str) })),
});
