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
import type { AgentEndpointName, EditedPoliciesMode, Outcome } from './vocabulary.js';


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
  endpoints: Partial<Record<AgentEndpointName, { count: number; errors: number; p50: number; p99: number; max: number }>>;
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
  /** The instance that ran it (its id), when the server says. */
  instance?: string;
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
  /** Scheduled-query result rows the server received on /log per second (osqsim_scheduled_query_rows_total), when it exports them. */
  scheduled_query_rows_per_s?: number;
}

/**
 * What the server did per query kind over the run, from its /metrics counters (sampled by the harness
 * when osqsim started the server; summed over instances; a restarted process's counters add on).
 * Warm-up included: these are the server's totals, not the measured window's.
 */
export interface ServerTraffic {
  /** Host-vitals (detail) queries sent in distributed/read (`osqsim_osquery_detail_queries_sent_total`). */
  detail_queries_sent: number;
  /** Detail results received in distributed/write, by outcome (`osqsim_osquery_detail_results_total`). */
  detail_results: { stored: number; ignored: number; error: number; store_failed: number };
  /** Host-vitals rows in committed writes (`osqsim_ingest_vitals_rows_total`). */
  vitals_rows_written: number;
  /** fleet_label_query_<id> queries sent (`osqsim_osquery_label_queries_sent_total`). */
  label_queries_sent: number;
  /** Label answers received, by result (`osqsim_osquery_label_results_total`). */
  label_results: { member: number; not_member: number; error: number };
  /** Scheduled-query result lines received on /log (every outcome of `osqsim_scheduled_query_results_total`). */
  log_results_received: number;
  /** Of those, stored (outcome `stored`). */
  log_results_stored: number;
  /** Scheduled-query result rows received (`osqsim_scheduled_query_rows_total`). */
  log_result_rows: number;
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

/**
 * What the simulated agents did under osquery's failure rules (docs/fidelity.md), summed over hosts:
 * distributed results kept after a failed write, re-sent, or dropped past the per-host bound; enroll
 * sequences that gave up; crashes (scenario `crash_queries`) and the results they lost; denylisted
 * answers; batches refused for a discovery SQL error; buffered log lines purged past `buffered_log_max`;
 * fleetd's re-enrolls after its orbit node key was refused with 401s for 45 s (client/orbit_client.go
 * `authenticatedRequest`: the 401s before each are counted as 4xx on orbit_config/orbit_device_token,
 * as Fleet answers them; documents written before it have no `orbit_reenrolls`).
 */
export interface AgentBehaviour {
  write_results_retained: number;
  write_results_resent: number;
  write_results_dropped: number;
  enroll_gave_up: number;
  crashes: number;
  crash_results_lost: number;
  denylisted_answers: number;
  batches_aborted: number;
  log_lines_purged: number;
  orbit_reenrolls: number;
}

export const AGENT_BEHAVIOUR_KEYS: ReadonlyArray<keyof AgentBehaviour> = [
  'write_results_retained',
  'write_results_resent',
  'write_results_dropped',
  'enroll_gave_up',
  'crashes',
  'crash_results_lost',
  'denylisted_answers',
  'batches_aborted',
  'log_lines_purged',
  'orbit_reenrolls',
];

/** The counts of several workers or shards added up (an absent one counts 0). */
export function sumAgentBehaviour(parts: ReadonlyArray<AgentBehaviour | undefined>): AgentBehaviour {
  const total = Object.fromEntries(AGENT_BEHAVIOUR_KEYS.map((k) => [k, 0])) as unknown as AgentBehaviour;
  for (const part of parts) {
    if (part === undefined) continue;
    for (const key of AGENT_BEHAVIOUR_KEYS) total[key] += part[key] ?? 0;
  }
  return total;
}

export interface ThresholdResult {
  expr: string;
  value: number | null;
  ok: boolean;
  /**
   * The run has no data for the metric (no write after the warm-up, no server samples …): the
   * threshold FAILS, marked so (docs/scenarios.md "Thresholds": a limit that cannot be checked is not met).
   */
  no_data?: true;
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
  /**
   * Which run this result belongs to: every shard of one run carries the same id (derived from the
   * shared `--start-at`, the seed, the hosts and the shard count; random for an unscheduled run), and
   * `osqsim report merge` refuses shards of different runs. Absent in results of osqsim before it.
   */
  run_id?: string;
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
  /** Outages (restart_server, store_unavailable): seconds since run start when the fault was over. */
  until?: number;
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

/** One server instance of a multi-instance run (server.instances), over the run. */
export interface InstanceSummary {
  /** 0-based, in start order; HAProxy's server `s<index>`. */
  index: number;
  url: string;
  /** The instance's id (stats runs name it), when it answered. */
  instance_id?: string;
  /** Agent requests it served (osquery's and fleetd's, its /metrics at the end), total and by endpoint. */
  requests: number;
  requests_by_endpoint: Partial<Record<AgentEndpointName, number>>;
  cpu_pct_mean: number;
  cpu_pct_max: number;
  rss_mb_max: number;
  /** Seconds (1 s samples) it reported holding the stats lease (`osqsim_stats_lease_held`). */
  lease_held_s: number;
  /** Count runs it performed (under the lease). */
  stats_runs: number;
}

/** One count run and the instance that held the stats lease for it. */
export interface LeaseHold {
  /** Instance index (InstanceSummary.index); -1 when the run's instance id matched none. */
  instance: number;
  strategy: string;
  started_at: string;
  /** Seconds since run start. */
  t: number;
  duration_ms: number;
}

/** How `osqsim run` deployed the server and the simulator (absent for one instance and one simulator process). */
export interface DeploymentInfo {
  load_balancer: 'haproxy' | 'none';
  /** Where the simulator sent its requests. */
  targets: string[];
  instances: InstanceSummary[];
  simulator_processes: number;
  /** Which instance held the stats lease when, one row per count run, in time order. */
  stats_lease: LeaseHold[];
  /** Seconds (1 s samples) in which more than one instance reported holding the lease: 0 when the lease works. */
  lease_overlap_s: number;
}

export interface ResultDocument {
  schema: typeof RESULT_SCHEMA;
  /** The validated scenario (or the simulate flags that stood in for one). */
  scenario: Record<string, unknown>;
  run: RunInfo;
  /** Keyed by AGENT_ENDPOINTS names: osquery's, then fleetd's (orbit_config, device_ping, …) when a fleetd group ran. */
  endpoints: Partial<Record<AgentEndpointName, EndpointResult>>;
  checkins: { scheduled: number; late: number; max_lag_ms: number };
  windows: Window[];
  policies: PolicyResult[];
  aggregations: AggregationRun[];
  server?: { samples: ServerSample[]; traffic?: ServerTraffic };
  generator: GeneratorHealth;
  /** The agents' failure-rule counts (absent in results written before they existed). */
  agents?: AgentBehaviour;
  thresholds: ThresholdResult[];
  /** Timeline events as applied (osqsim run). */
  timeline?: TimelineRecord[];
  /** Count accuracy over time (osqsim run, when the server's counts were read). */
  counts?: { samples: CountSample[] };
  /** Several server instances / simulator processes (osqsim run with server.instances or simulator.processes). */
  deployment?: DeploymentInfo;
  /** What `osqsim scenario plan` expected for the measured window (after warm-up), to set beside the measurement. */
  plan?: PlanSummary;
}

export interface PlanSummary {
  /** Mean requests per second by endpoint after the warm-up. */
  rates: Partial<Record<AgentEndpointName, number>>;
  membership_writes_per_s: number;
  /** Rows in policy_membership at the end of the run. */
  membership_rows: number;
  /** Mean host-vitals rows carried per second by detail writes after the warm-up (absent in older results). */
  vitals_rows_per_s?: number;
  /** Mean label queries sent per second after the warm-up (absent in older results). */
  label_queries_per_s?: number;
  /** Mean scheduled-query result rows logged per second after the warm-up (absent in older results). */
  log_result_rows_per_s?: number;
}
