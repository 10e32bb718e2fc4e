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
  /**
   * What runs on the hosts: `osquery` alone (the default), or `fleetd`: orbit and Fleet Desktop
   * beside osquery, which orbit starts with fleetd's flags (simulator/orbit/, docs/fidelity.md).
   */
  agent?: HostAgent;
  /** fleetd hosts only: whether Fleet Desktop runs (a GUI user is logged in); default true. */
  fleet_desktop?: boolean;
  /**
   * Per-host variety inside the group: each host answers from one variant, a stable draw per
   * (seed, host) (simulator/identity.ts variantOf); a variant's tables replace the group's tables of
   * the same name (its software, users, disks, uptime, …). Absent or empty: every host answers from
   * `tables`. Discovery and scheduled queries answer from `tables`.
   */
  variants?: FleetVariantSpec[];
}

/** One variant of a group's hosts: the tables that differ from the group's. */
export interface FleetVariantSpec {
  tables: Record<string, TableRow[]>;
}

export type HostAgent = 'osquery' | 'fleetd';
export const HOST_AGENTS: readonly HostAgent[] = ['osquery', 'fleetd'];

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
/** Where an agent puts its node key (osquery/remote/transports/tls.cpp, decorateRequest). */
export type NodeKeyAuth = 'body-and-header' | 'body' | 'header';
export const NODE_KEY_AUTH: readonly NodeKeyAuth[] = ['body-and-header', 'body', 'header'];

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
  /** Per-request timeout (osquery's TLS client: 16 s, osquery/remote/transports/tls.cpp). */
  request_timeout: number;
  /** CLI-only: config attempts per refresh, i² s apart (plugins/config/tls_config.cpp). */
  config_tls_max_attempts: number;
  /** CLI-only: the wait after a failed config refresh (osquery/config/config.cpp, 300 s). */
  config_accelerated_refresh: number;
  /** CLI-only: enroll attempts before giving up for this request (plugins/remote/enroll/tls_enroll.cpp, 12; 0 = unlimited). */
  tls_enroll_max_attempts: number;
  /** CLI-only: the cap of the 1, 4, 9 … s enroll waits (tls_enroll.cpp, 600 s). */
  tls_enroll_max_interval: number;
  /** Read/write attempts, i² s apart, until the served config sets it (plugins/distributed/tls_distributed.cpp, 3). */
  distributed_tls_max_attempts: number;
  /** Logger backoff cap until the served config sets it (plugins/logger/tls_logger.cpp, 3600 s; 0 = no backoff). */
  logger_tls_backoff_max: number;
  /** Log lines per logger check across results and statuses (tls_logger.cpp, 1024). */
  logger_tls_max_lines: number;
  /** Buffered log lines kept per host; older ones are purged (plugins/logger/buffered.cpp, 1,000,000; 0 = unlimited). */
  buffered_log_max: number;
  /** How long a query that crashed the agent stays denylisted (osquery/distributed/distributed.cpp, 86400 s). */
  distributed_denylist_duration: number;
  /** Where the node key goes: body and `Authorization: NodeKey` header (osquery since PR #8805), body only (before it), header only. */
  node_key_auth: NodeKeyAuth;
  /** Queries (SQL substrings) that crash the agent when they run: osquery restarts and denylists them. */
  crash_queries: string[];
  /** How long a crashed agent is down before it runs again (the watchdog / service manager restart). */
  crash_restart_delay: number;
  /** Per-host bound on retained distributed results (bytes of JSON); beyond it the oldest are dropped AND counted. */
  retained_results_max_bytes: number;
  /**
   * Multiplies osquery's retry sleeps (i² s after the i-th failed attempt). 1 = osquery; `osqsim run
   * --time-scale K` sets 1/K so a miniature run keeps the outage-to-retry proportions.
   */
  retry_sleep_scale: number;
  /** Send distributed/write statuses as strings (osquery < 3.0) instead of numbers. */
  string_statuses: boolean;
  /**
   * fleetd hosts only: `start` runs orbit's long tickers (5 min, 1 h) from the host's start, as a
   * freshly started fleetd does; `steady` gives each host a seeded phase within each period and a
   * token of seeded age, as a fleet whose processes started long ago (what a per-host request mix
   * measured over a few minutes needs).
   */
  fleetd_phase: FleetdPhase;
}

export type FleetdPhase = 'start' | 'steady';
export const FLEETD_PHASES: readonly FleetdPhase[] = ['start', 'steady'];

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
  /** Label scope (Fleet's labels_include_any / labels_exclude_any): label names. */
  labels_include_any?: string[];
  labels_exclude_any?: string[];
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
  request_timeout: 16_000,
  config_tls_max_attempts: 3,
  config_accelerated_refresh: 300_000,
  tls_enroll_max_attempts: 12,
  tls_enroll_max_interval: 600_000,
  distributed_tls_max_attempts: 3,
  logger_tls_backoff_max: 3_600_000,
  logger_tls_max_lines: 1024,
  buffered_log_max: 1_000_000,
  distributed_denylist_duration: 86_400_000,
  node_key_auth: 'body-and-header',
  crash_queries: Object.freeze([]) as unknown as string[],
  crash_restart_delay: 10_000,
  retained_results_max_bytes: 65_536,
  retry_sleep_scale: 1,
  string_statuses: false,
  fleetd_phase: 'start',
}) as AgentSpec;
