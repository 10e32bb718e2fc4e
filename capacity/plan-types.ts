/**
 * The capacity plan's input (a fleet's size and intervals, the instances to plan for) with its
 * defaults, the built-in costs used when no sweep was measured, and the plan's output: figures that
 * each carry their source. Types and constants only.
 */
import type { StatsStrategyName } from '../contract/vocabulary.js';
import type { FleetIntervals } from '../scenarios/traffic.js';
import { BUILTIN_LABEL_QUERIES_PER_HOST } from '../scenarios/library-traffic.js';

/**
 * Built-in labels a host matches, at most: All Hosts, its OS label (macOS, Ubuntu Linux, CentOS Linux,
 * MS Windows, Red Hat Linux or chrome) and All Linux on Ubuntu and CentOS (server/store/label-rules.ts
 * BUILTIN_LABELS' queries): 3 on those Linux hosts, 2 on the others. The plan takes the upper bound.
 */
export const BUILTIN_LABEL_MEMBERSHIPS_PER_HOST = 3;
import type { FleetReference } from './fleet-reference.js';
import type { FleetdPlanEndpoint, PlanEndpoint } from './sweep-document.js';

/** A fleet's size and intervals (the intervals as scenarios/traffic.ts takes them), and the instances to plan for. */
export interface PlanInput extends FleetIntervals {
  hosts: number;
  /** Policies in scope of each host (global + its team's). */
  policies: number;
  teams: number;
  /** Server last-seen batch flush period (DESIGN §3 hot path). */
  seenFlushIntervalS: number;
  /** Cron stats interval (Fleet: 1 h). */
  statsIntervalS: number;
  /** Label queries each host runs per label run (Fleet: its 8 built-in labels, sent to every host) and label_update_interval. */
  labelsPerHost: number;
  labelIntervalS: number;
  /** Labels a host is a member of: its label results upsert one label_membership row each per label run. */
  labelMemberships: number;
  /** Scheduled queries (reports, snapshot logging) in each host's config, their interval and the rows each result carries. */
  scheduledQueries: number;
  queryIntervalS: number;
  rowsPerResult: number;
  /** Share of the hosts running fleetd (orbit beside osquery), 0..1, and the share of those with Fleet Desktop. */
  fleetdShare: number;
  fleetDesktopShare: number;
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
  labelsPerHost: BUILTIN_LABEL_QUERIES_PER_HOST,
  labelIntervalS: 3600,
  labelMemberships: BUILTIN_LABEL_MEMBERSHIPS_PER_HOST,
  scheduledQueries: 0,
  queryIntervalS: 3600,
  rowsPerResult: 1,
  fleetdShare: 0,
  fleetDesktopShare: 1,
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
  /**
   * fleetd's, in the same proportion to osquery's as `osqsim bench checkin` measured them (docs/BENCHMARKS.md,
   * orbit rows after the orbit auth cache: orbit-config ≈ config, desktop a store read like config on MySQL,
   * device-token ping an auth lookup like an idle read); the unauthenticated HEAD pings do no store work
   * (fleetd-orbit.md §4.1). No sweep measures them: a sweep's CPU fit is over osquery's mix.
   */
  fleetdCpuMsPerRequest: Object.freeze({ orbit_config: 0.25, orbit_ping: 0.05, orbit_device_token: 0.25, device_token_ping: 0.12, desktop: 0.25, device_ping: 0.05 } as Record<FleetdPlanEndpoint, number>),
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
  /** osquery's endpoints, fleetd's (present when --fleetd > 0) and the total of all of them. */
  requestRates: Record<PlanEndpoint | 'total', Figure> & Partial<Record<FleetdPlanEndpoint, Figure>>;
  membershipRowsPerS: Figure;
  membershipRows: Figure;
  aggregation: Record<StatsStrategyName, Figure>;
  /** Label queries sent and answered per second (in the reads and writes that carry the other due queries). */
  labelQueriesPerS: Figure;
  /** Scheduled-query results logged on /log: result lines and the rows they carry, per second. */
  scheduledResults: { linesPerS: Figure; rowsPerS: Figure };
  serverCpuCores: Figure;
  serverInstances: Figure;
  serverRssMbPerInstance: Figure;
  database: {
    membershipUpsertRowsPerS: Figure;
    hostUpdateRowsPerS: Figure;
    seenTimeRowsPerS: Figure;
    /** label_membership upserts and hosts.label_updated_at updates of the label runs. */
    labelRowsPerS: Figure;
    /** Host-vitals rows the detail writes carry (software, users, single-row vitals). */
    vitalsRowsPerS: Figure;
    statementsPerS: Figure;
    rowsWrittenPerS: Figure;
  };
  /** Fleet's reference architecture tier for this many hosts (sanity, not an input). */
  fleetReference: FleetReference;
  warnings: string[];
}
