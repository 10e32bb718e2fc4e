/**
 * The agent / fleet / policy spec the simulator consumes (DESIGN §2: contract/ holds types and pure
 * tables only). scenarios/ validates a scenario file into these types; simulator/ never imports
 * scenarios/. Durations are milliseconds.
 */
/** A row of an osquery table as the scenario writes it. Values are strings or numbers (SQLite affinity). */
export type TableRow = Record<string, string | number>;

/** One group of identical hosts (same platform, versions, team and table contents). */
export interface FleetGroupSpec {
  name: string;
  /** Exact number of hosts; or use `weight` to share the scenario's `hosts` among groups. */
  count?: number;
  weight?: number;
  /** Raw osquery platform as `os_version.platform` reports it: darwin, windows, ubuntu, rhel, debian, … */
  platform: string;
  os_version: string;
  osquery_version: string;
  /** Enroll secret of the host's team; defaults to the run's enroll secret. */
  team?: string;
  /** Hostnames are `<prefix>-<global index>`; defaults to the group name. */
  hostname_prefix?: string;
  /** osquery tables of the group: table name → rows. Tables not listed behave as on a real host. */
  tables: Record<string, TableRow[]>;
}

export interface FleetSpec {
  groups: FleetGroupSpec[];
  /** Hosts change their answers: each (host, policy) answer flips at this rate per hour. */
  drift?: { flip_rate_per_hour: number };
  /** Probability that one query execution errors (status 1) regardless of its SQL. */
  query_error_rate?: number;
  /** Simulated execution time per query, milliseconds (uniform in [min, max]). */
  query_time_ms?: { min: number; max: number };
}

/** The fleet section after validation: defaults filled in. */
export interface ValidatedFleet extends FleetSpec {
  drift: { flip_rate_per_hour: number };
  query_error_rate: number;
  query_time_ms: { min: number; max: number };
}

export type Pacing = 'fixed-delay' | 'fixed-rate';

/** How agents behave; osquery's flag names, durations in milliseconds. */
export interface AgentSpec {
  /** osquery --distributed_interval (Fleet default 10 s). */
  distributed_interval: number;
  /** osquery --config_refresh (60 s). */
  config_refresh: number;
  /** osquery --logger_tls_period (10 s). */
  logger_tls_period: number;
  /** fixed-delay: sleep after completion, as osquery; fixed-rate: tickers, as osquery-perf. */
  pacing: Pacing;
  /** Host starts are spread linearly over this window. */
  start_period: number;
  /** Extra random start offset per host in [0, start_jitter). */
  start_jitter: number;
  /** Honour `accelerate` from distributed/read (5 s loop while active). */
  accelerate: boolean;
  /** Status log lines each host emits at start-up. */
  startup_status_lines: number;
  /** Status log lines per host per hour after start-up. */
  status_lines_per_hour: number;
  /** Enroll retry backoff: first delay and cap (exponential, full jitter). */
  enroll_backoff: { initial: number; max: number };
  /** Per-request timeout. */
  request_timeout: number;
  /** Send distributed/write statuses as strings (osquery < 3.0) instead of numbers. */
  string_statuses: boolean;
}

/** A policy as the scenario knows it: used to create it on the server and to override its answers. */
export interface PolicySpec {
  name: string;
  query?: string;
  description?: string;
  /** Comma list of fleet platforms (darwin,windows,linux); empty = all. */
  platform?: string;
  /** Team (enroll secret) of a team policy; global when absent. */
  team?: string;
  /** Overrides the SQL's answer: this fraction of hosts fail, sticky per host through the seed. */
  fail_rate?: number;
}

/**
 * What one simulation run needs: the scenario's core sections after validation. Scenario files
 * (scenarios/) validate into this shape; the simulator consumes only this.
 */
export interface SimulationSpec {
  name: string;
  description: string;
  seed: number;
  /** Total hosts; when absent, the sum of the groups' counts. */
  hosts: number;
  duration: number;
  warmup: number;
  enroll_secret: string;
  agent: AgentSpec;
  fleet: ValidatedFleet;
  policies: PolicySpec[];
  /** Sections added by other parts (timeline, thresholds, server…) live beside these. */
  [section: string]: unknown;
}

export const AGENT_DEFAULTS: Readonly<AgentSpec> = Object.freeze({
  distributed_interval: 10_000,
  config_refresh: 60_000,
  logger_tls_period: 10_000,
  pacing: 'fixed-delay',
  start_period: 10_000,
  start_jitter: 0,
  accelerate: true,
  startup_status_lines: 3,
  status_lines_per_hour: 6,
  enroll_backoff: Object.freeze({ initial: 1000, max: 60_000 }),
  request_timeout: 30_000,
  string_statuses: false,
}) as AgentSpec;
