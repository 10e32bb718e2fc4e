/**
 * The result file: one JSON document per run (DESIGN §5), `"schema": "osqsim.result/v1"`.
 * Every report (summary.md, report.html, compare) is rendered from it, and shard results merge
 * exactly because histograms travel encoded (HdrHistogram compressed base64) next to the percentiles.
 *
 * Producers: simulator/ (endpoints, checkins, windows, truth, generator), scenarios/runner.ts (server
 * samples, policy counts, aggregations, thresholds). Consumers: reports/.
 */

export const RESULT_SCHEMA = 'osqsim.result/v1' as const;

import type { Percentiles } from '../lib/histogram.js';
import type { MachineInfo } from '../lib/machine.js';

export type { Percentiles };
import type { EditedPoliciesMode, EndpointName, Outcome } from './vocabulary.js';


export interface EndpointResult {
  /** Completed requests in the measured window (after warm-up). */
  count: number;
  /** Requests by outcome class (2xx included so rates add up). */
  outcomes: Record<Outcome, number>;
  /** Non-2xx outcomes, by class (a subset of outcomes, kept for the headline table). */
  errors: Partial<Record<Exclude<Outcome, '2xx'>, number>>;
  rate_per_s: number;
  /** Corrected latency: response − intended start (no coordinated omission). Milliseconds. */
  latency_ms: Percentiles;
  /** Service time: response − actual send. Milliseconds. */
  service_ms: Percentiles;
  /** HdrHistogram (microseconds) of latency, compressed base64; merged exactly across shards. */
  histogram: string;
  /** HdrHistogram (microseconds) of service time, compressed base64. */
  service_histogram: string;
}

/** One second of the run, per endpoint; warm-up seconds are kept here and flagged. */
export interface Window {
  /** Seconds since run start. */
  t: number;
  warmup: boolean;
  hosts_enrolled: number;
  endpoints: Partial<Record<EndpointName, { count: number; errors: number; p50: number; p99: number; max: number }>>;
}

export interface PolicyResult {
  id: number;
  /** The query as hosts received it. */
  query: string;
  name?: string;
  /** The simulator's ground truth: each host's last reported answer. */
  truth: { passing: number; failing: number; unknown: number };
  /** The server's counts as read through the API (when the harness read them). */
  server?: { passing: number; failing: number; updated_at: string | null };
  /** Seconds the server's counts lagged the truth (max over the run), when known. */
  staleness_s?: number;
  /** |server − truth| passing + failing at the last read. */
  count_error?: number;
  /** Set when the counts could not be scored fairly (e.g. team policies after hosts moved team); not in the headline. */
  unscored?: string;
}

export interface AggregationRun {
  strategy: string;
  started_at: string;
  duration_ms: number;
  rows: number;
  drift: number;
}

export interface ServerSample {
  /** Seconds since run start. */
  t: number;
  cpu_pct: number;
  rss_mb: number;
  event_loop_p99_ms: number;
  /** policy_membership rows the server wrote per second (from its /metrics), when it exports them. */
  membership_writes_per_s?: number;
}

export interface GeneratorHealth {
  cpu_pct: number;
  event_loop_p99_ms: number;
  max_in_flight: number;
  /** The generator (the simulator) was saturated: its latency figures include its own delay. */
  saturated: boolean;
  /** Human-readable reasons when saturated. */
  warnings: string[];
  /**
   * Which side was saturated (simulator/saturation.ts classifySaturation): `generator` (client queue,
   * CPU, event-loop lag, OS limits), `target` (service time, timeouts, 5xx), or `none`. Absent in
   * documents written before it existed.
   */
  saturated_side?: 'none' | 'generator' | 'target';
  /** Why, for people (the generator's warnings, or the target's service figures). */
  saturation_reasons?: string[];
  /** The worst second's p99 of the simulator's own queueing (post → handed to the HTTP client, which writes at once), ms. */
  client_queue_p99_ms?: number;
  /** The machine's highest 1-minute load average during the run (os.loadavg; 0 where the OS has none). */
  load_avg_max?: number;
}

export interface ThresholdResult {
  expr: string;
  value: number | null;
  ok: boolean;
}

export interface RunInfo {
  started_at: string;
  duration_s: number;
  warmup_s: number;
  hosts: number;
  workers: number;
  /** Fixed pool: connections over all workers and targets; elastic: the most in use at once. */
  connections: number;
  /** `elastic` (a connection per request in flight, kept alive) or `fixed` (a pool of `--connections n`). Absent in older documents. */
  connection_mode?: 'elastic' | 'fixed';
  target: string[];
  store: string;
  /**
   * When osqsim started the server: when hosts re-ran edited policies (`--edited-policies`). `fleet`
   * is Fleet's behaviour; `immediate` is a what-if whose load and counts Fleet would not show.
   */
  edited_policies?: EditedPoliciesMode;
  seed: number;
  shard?: { index: number; count: number };
  osqsim_version: string;
  machine: MachineInfo;
}

/** One timeline event as the harness applied it (scenarios/runner.ts). */
export interface TimelineRecord {
  /** Seconds since run start when it was applied. */
  t: number;
  kind: string;
  /** What was done, for people: "added 100 policies", "refetched 150 hosts". */
  detail: string;
  ok: boolean;
  /** Not applied, on purpose (after a shortened run's end, or a fault toggle the server lacks): not a failure. */
  skipped?: boolean;
  /** Why it failed or was skipped (e.g. the server has no fault toggle). */
  error?: string;
}

/** The harness's reading of the server's policy counts against the simulator's truth, once per sample. */
export interface CountSample {
  /** Seconds since run start. */
  t: number;
  /** Max over policies of |server − truth| (passing + failing). */
  error_max: number;
  /** Policies whose server counts differ from the truth at this sample. */
  policies_off: number;
  /** Max over policies of how long (s) their counts have differed from the truth. */
  staleness_max_s: number;
}

export interface ResultDocument {
  schema: typeof RESULT_SCHEMA;
  /** The validated scenario (or the simulate flags that stood in for one). */
  scenario: Record<string, unknown>;
  run: RunInfo;
  endpoints: Partial<Record<EndpointName, EndpointResult>>;
  checkins: { scheduled: number; late: number; max_lag_ms: number };
  windows: Window[];
  policies: PolicyResult[];
  aggregations: AggregationRun[];
  server?: { samples: ServerSample[] };
  generator: GeneratorHealth;
  thresholds: ThresholdResult[];
  /** Timeline events as applied (osqsim run). */
  timeline?: TimelineRecord[];
  /** Count accuracy over time (osqsim run, when the server's counts were read). */
  counts?: { samples: CountSample[] };
  /** What `osqsim scenario plan` expected for the measured window (after warm-up), to set beside the measurement. */
  plan?: PlanSummary;
}

export interface PlanSummary {
  /** Mean requests per second by endpoint after the warm-up. */
  rates: Partial<Record<EndpointName, number>>;
  membership_writes_per_s: number;
  /** Rows in policy_membership at the end of the run. */
  membership_rows: number;
}
